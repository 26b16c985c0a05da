// The decisions: which call a rule picks, counted per tree, process or thread.
#include "engine/decide.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "engine/draw.hpp"

#include "inject/scenario.hpp"

namespace inject::engine {
namespace {

constexpr long kWrite64 = 1;  // write on x86_64
constexpr long kRead64 = 0;
constexpr long kWrite32 = 4;  // write on i386
constexpr long kRead32 = 3;

SyscallEvent call(long number, pid_t tid = 100, pid_t tgid = 100, Abi abi = Abi::x86_64) {
    return SyscallEvent{tid, tgid, abi, number};
}

std::vector<std::uint64_t> fired_calls(Decider& decider, int calls, long number = kWrite64) {
    std::vector<std::uint64_t> fired;
    for (int index = 1; index <= calls; ++index) {
        if (decider.on_syscall(call(number))) {
            fired.push_back(static_cast<std::uint64_t>(index));
        }
    }
    return fired;
}

TEST(Decider, FiresOnlyOnTheCallsWhenNames) {
    Decider decider({parse_spec("write:error=ENOSPC:when=3")});
    EXPECT_EQ(fired_calls(decider, 6), (std::vector<std::uint64_t>{3}));

    Decider stepped({parse_spec("write:error=EIO:when=2+3")});
    EXPECT_EQ(fired_calls(stepped, 10), (std::vector<std::uint64_t>{2, 5, 8}));

    Decider ranged({parse_spec("write:error=EIO:when=2..4")});
    EXPECT_EQ(fired_calls(ranged, 10), (std::vector<std::uint64_t>{2, 3, 4}));

    Decider every({parse_spec("write:error=EIO")});
    EXPECT_EQ(fired_calls(every, 3), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(Decider, AClassPicksItsMembersOnEachAbi) {
    Decider decider({parse_spec("%desc:error=EBADF")});
    EXPECT_TRUE(decider.picks(Abi::x86_64, kWrite64));
    EXPECT_TRUE(decider.picks(Abi::i386, kRead32));
    EXPECT_FALSE(decider.picks(Abi::x86_64, 39));  // getpid
    EXPECT_EQ(decider.name_of(Abi::x86_64, kWrite64), "write");
    const auto names = decider.syscall_names();
    EXPECT_TRUE(std::find(names.begin(), names.end(), "close") != names.end());
    EXPECT_TRUE(std::find(names.begin(), names.end(), "%desc") == names.end());
}

TEST(Decider, VerdictCarriesRuleCountAndAction) {
    Decider decider({parse_spec("write:retval=7:when=2")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    const auto verdict = decider.on_syscall(call(kWrite64));
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->rule_index, 0U);
    EXPECT_EQ(verdict->nth, 2U);
    EXPECT_EQ(verdict->effect.action, Action{ReturnValue{7}});
}

TEST(Decider, ShortIsAVerdictLikeAnyOther) {
    Decider decider({parse_spec("write:short=10:when=2")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    const auto verdict = decider.on_syscall(call(kWrite64));
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->nth, 2U);
    EXPECT_EQ(verdict->effect.action, Action{ShortenTo{10}});
}

TEST(Decider, ShortOnAClassPicksOnlyTheMembersWithAByteCount) {
    constexpr long kFsync64 = 74;
    constexpr long kWritev32 = 146;
    Decider decider({parse_spec("%desc:short=1:when=2")});
    EXPECT_TRUE(decider.picks(Abi::x86_64, kWrite64));
    EXPECT_TRUE(decider.picks(Abi::i386, kWritev32));
    EXPECT_FALSE(decider.picks(Abi::x86_64, kFsync64));
    const auto names = decider.syscall_names();
    EXPECT_TRUE(std::find(names.begin(), names.end(), "fsync") == names.end());
    EXPECT_TRUE(std::find(names.begin(), names.end(), "pread64") != names.end());
    // Nor does it count them; each member it cuts counts apart: the second write fires.
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    EXPECT_FALSE(decider.on_syscall(call(kFsync64)));
    EXPECT_FALSE(decider.on_syscall(call(kFsync64)));
    EXPECT_FALSE(decider.on_syscall(call(kRead64)));
    const auto verdict = decider.on_syscall(call(kWrite64));
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->nth, 2U);
}

TEST(Decider, CountsOnlyTheCallsTheRuleNames) {
    Decider decider({parse_spec("write:error=EIO:when=2")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    EXPECT_FALSE(decider.on_syscall(call(kRead64)));  // not a write: not counted
    EXPECT_TRUE(decider.on_syscall(call(kWrite64)));
    EXPECT_EQ(decider.matched(0), 2U);
}

TEST(Decider, EachAbiUsesItsOwnNumbers) {
    Decider decider({parse_spec("write:error=EIO")});
    EXPECT_TRUE(decider.on_syscall(call(kWrite32, 100, 100, Abi::i386)));
    // 1 is write on x86_64 but exit on i386; 3 is read on i386 but close on x86_64.
    EXPECT_FALSE(decider.on_syscall(call(1, 100, 100, Abi::i386)));
    EXPECT_FALSE(decider.on_syscall(call(kRead32, 100, 100, Abi::x86_64)));
    EXPECT_TRUE(decider.picks(Abi::i386, kWrite32));
    EXPECT_FALSE(decider.picks(Abi::i386, kRead32));
}

TEST(Decider, OneTreeCounterAcrossThreadsAndProcesses) {
    Decider decider({parse_spec("write:error=EIO:when=3")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100, 100)));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 101, 100)));         // another thread
    const auto verdict = decider.on_syscall(call(kWrite64, 200, 200));  // another process
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->nth, 3U);
}

TEST(Decider, PerProcessCountersAreSharedByThreadsAndFreshInAChild) {
    Decider decider({parse_spec("write:error=EIO:when=2:per=process")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100, 100)));
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 101, 100)));   // same process, 2nd
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 200, 200)));  // child: its 1st
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 200, 200)));
}

TEST(Decider, PerThreadCountersAreIndependent) {
    Decider decider({parse_spec("write:error=EIO:when=2:per=thread")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100, 100)));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 101, 100)));
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 101, 100)));
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 100, 100)));
}

TEST(Decider, ExecFromANonLeaderThreadKeepsThatThreadsCount) {
    Decider decider({parse_spec("write:error=EIO:when=3:per=thread")});
    decider.on_syscall(call(kWrite64, 100, 100));  // the leader: 1
    decider.on_syscall(call(kWrite64, 101, 100));  // the thread that will exec: 1
    decider.on_syscall(call(kWrite64, 101, 100));  // 2
    decider.on_exec(101, 100);                     // thread 101 exec'd and is now 100
    const auto verdict = decider.on_syscall(call(kWrite64, 100, 100));
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->nth, 3U);
}

TEST(Decider, ForgottenThreadsAndProcessesStartAfresh) {
    Decider decider({parse_spec("write:error=EIO:when=1:per=thread"),
                     parse_spec("read:error=EIO:when=1:per=process")});
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 100, 100)));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100, 100)));
    decider.forget_thread(100);  // the tid is reused by a new thread
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 100, 100)));

    EXPECT_TRUE(decider.on_syscall(call(kRead64, 100, 100)));
    EXPECT_FALSE(decider.on_syscall(call(kRead64, 100, 100)));
    decider.forget_process(100);
    EXPECT_TRUE(decider.on_syscall(call(kRead64, 100, 100)));
}

TEST(Decider, FirstRuleThatFiresDecidesAndEveryMatchingRuleCounts) {
    Decider decider(
        {parse_spec("write:error=ENOSPC:when=2"), parse_spec("write:error=EIO:when=2+")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    auto second = decider.on_syscall(call(kWrite64));  // both fire; the first in order wins
    ASSERT_TRUE(second);
    EXPECT_EQ(second->rule_index, 0U);
    EXPECT_EQ(second->effect.action, Action{FailWithErrno{ENOSPC}});
    auto third = decider.on_syscall(call(kWrite64));  // rule 2 counted call 2 as well
    ASSERT_TRUE(third);
    EXPECT_EQ(third->rule_index, 1U);
    EXPECT_EQ(third->nth, 3U);
    EXPECT_EQ(decider.matched(0), 3U);
    EXPECT_EQ(decider.matched(1), 3U);
}

// As strace: "write,read:when=2" fails the 2nd write and the 2nd read.
TEST(Decider, RulesOnSeveralSyscallsCountEachApart) {
    Decider decider({parse_spec("write,read:error=EIO:when=2")});
    EXPECT_FALSE(decider.on_syscall(call(kRead64)));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    const auto read = decider.on_syscall(call(kRead64));
    ASSERT_TRUE(read);
    EXPECT_EQ(read->nth, 2U);
    const auto write = decider.on_syscall(call(kWrite64));
    ASSERT_TRUE(write);
    EXPECT_EQ(write->nth, 2U);
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    EXPECT_EQ(decider.matched(0), 5U);  // all its syscalls together
}

// A syscall is its name: a 32-bit write counts with the 64-bit ones of the tree.
TEST(Decider, OneCountPerSyscallWhateverTheAbi) {
    Decider decider({parse_spec("write,read:error=EIO:when=2")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    EXPECT_FALSE(decider.on_syscall(call(kRead32, 101, 101, Abi::i386)));
    const auto verdict = decider.on_syscall(call(kWrite32, 101, 101, Abi::i386));
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->nth, 2U);
}

// Per thread (or process) too, each syscall of each thread counts apart.
TEST(Decider, PerThreadCountsEachSyscallOfEachThread) {
    Decider decider({parse_spec("write,read:error=EIO:when=2:per=thread")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100)));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 101)));
    EXPECT_FALSE(decider.on_syscall(call(kRead64, 101)));
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 101)));
    decider.forget_thread(100);
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100)));  // a new thread of that id
}

TEST(Decider, SetsOfStracesSyntax) {
    Decider negated({parse_spec("!write:error=EIO")});
    EXPECT_FALSE(negated.picks(Abi::x86_64, kWrite64));
    EXPECT_TRUE(negated.picks(Abi::x86_64, kRead64));
    EXPECT_TRUE(negated.picks(Abi::i386, kRead32));
    Decider numbered({parse_spec("1:error=EIO")});  // write on x86_64, exit on i386
    EXPECT_TRUE(numbered.picks(Abi::x86_64, kWrite64));
    EXPECT_TRUE(numbered.picks(Abi::i386, 1));
    EXPECT_FALSE(numbered.picks(Abi::i386, kWrite32));
    Decider personal({parse_spec("write@32,read@x32:error=EIO")});
    EXPECT_FALSE(personal.picks(Abi::x86_64, kWrite64));
    EXPECT_TRUE(personal.picks(Abi::i386, kWrite32));
    EXPECT_FALSE(personal.picks(Abi::x86_64, kRead64));  // x32 is never picked
    EXPECT_FALSE(personal.picks(Abi::i386, kRead32));
    Decider regex({parse_spec("/^(read|write)$:error=EIO")});
    EXPECT_EQ(regex.syscall_names(), (std::vector<std::string>{"read", "write"}));
    EXPECT_FALSE(Decider({parse_spec("none:error=EIO")}).picks(Abi::x86_64, kWrite64));
    EXPECT_TRUE(Decider({parse_spec("all:error=EIO")}).picks(Abi::x86_64, kWrite64));
}

TEST(Decider, SyscallNamesForTheFilterAreTheUnionWithoutRepeats) {
    Decider decider({parse_spec("write,read:error=EIO"), parse_spec("write,fsync:error=EIO")});
    EXPECT_EQ(decider.syscall_names(), (std::vector<std::string>{"read", "write", "fsync"}));
    EXPECT_TRUE(decider.has_rules());
    EXPECT_FALSE(Decider({}).has_rules());
}

TEST(Decider, SyscallOnlyOneAbiHasIsPickedThereOnly) {
    Decider decider({parse_spec("socketcall:error=EIO")});  // i386 only
    EXPECT_TRUE(decider.picks(Abi::i386, 102));
    EXPECT_FALSE(decider.picks(Abi::x86_64, 102));
}

TEST(Decider, NamesPickedCallsPerAbi) {
    Decider decider({parse_spec("write,fsync:error=EIO")});
    EXPECT_EQ(decider.name_of(Abi::x86_64, kWrite64), "write");
    EXPECT_EQ(decider.name_of(Abi::i386, kWrite32), "write");
    EXPECT_EQ(decider.name_of(Abi::x86_64, kRead64), "");
}

TEST(Draw, IsAFunctionOfSeedRuleAndCall) {
    EXPECT_EQ(draw_bits(42, 0, 7), draw_bits(42, 0, 7));
    std::set<std::uint64_t> seen;
    for (std::uint64_t seed : {0U, 1U, 2U, 42U}) {
        for (std::size_t rule : {0U, 1U, 2U}) {
            for (std::uint64_t nth = 1; nth <= 100; ++nth) {
                seen.insert(draw_bits(seed, rule, nth));
            }
        }
    }
    EXPECT_EQ(seen.size(), 4U * 3U * 100U);  // no two inputs share their bits
}

TEST(Draw, ThresholdScalesTheProbability) {
    EXPECT_EQ(draw_threshold(1.0), UINT64_MAX);
    EXPECT_EQ(draw_threshold(0.5), std::uint64_t{1} << 63);
    EXPECT_TRUE(draw_succeeds(UINT64_MAX, draw_threshold(1.0)));
    EXPECT_FALSE(draw_succeeds(std::uint64_t{1} << 63, draw_threshold(0.5)));
    EXPECT_TRUE(draw_succeeds((std::uint64_t{1} << 63) - 1, draw_threshold(0.5)));
}

std::vector<std::uint64_t> fired_with_seed(const char* spec, std::uint64_t seed, int calls) {
    Decider decider({parse_spec(spec)}, seed);
    return fired_calls(decider, calls);
}

TEST(Decider, ProbabilityFiresTheSameCallsForTheSameSeed) {
    const char* spec = "write:error=EIO:probability=0.3";
    const auto fired = fired_with_seed(spec, 42, 200);
    EXPECT_FALSE(fired.empty());
    EXPECT_EQ(fired_with_seed(spec, 42, 200), fired);
    EXPECT_NE(fired_with_seed(spec, 43, 200), fired);
}

TEST(Decider, ProbabilityDrawsDifferForEachRule) {
    // Two rules on different syscalls, fed the same sequence: their fired sets differ.
    Decider decider({parse_spec("write:error=EIO:probability=0.3"),
                     parse_spec("read:error=EIO:probability=0.3")},
                    42);
    std::vector<std::uint64_t> writes;
    std::vector<std::uint64_t> reads;
    for (std::uint64_t nth = 1; nth <= 200; ++nth) {
        if (decider.on_syscall(call(kWrite64))) {
            writes.push_back(nth);
        }
        if (decider.on_syscall(call(kRead64))) {
            reads.push_back(nth);
        }
    }
    EXPECT_FALSE(writes.empty());
    EXPECT_FALSE(reads.empty());
    EXPECT_NE(writes, reads);
}

TEST(Decider, ProbabilityFiresAboutThatFractionOfCalls) {
    constexpr int kCalls = 100000;
    for (std::uint64_t seed : {0U, 1U, 12345U}) {
        const auto fired = fired_with_seed("write:error=EIO:probability=0.1", seed, kCalls);
        const double fraction = static_cast<double>(fired.size()) / kCalls;
        EXPECT_GT(fraction, 0.09) << "seed " << seed;
        EXPECT_LT(fraction, 0.11) << "seed " << seed;
    }
}

TEST(Decider, ProbabilityOneAlwaysFires) {
    EXPECT_EQ(fired_with_seed("write:error=EIO:probability=1", 7, 1000).size(), 1000U);
    EXPECT_EQ(fired_with_seed("write:error=EIO:probability=100%", 0, 1000).size(), 1000U);
}

TEST(Decider, ProbabilityOnlyDrawsForTheCallsWhenPicks) {
    const auto fired = fired_with_seed("write:error=EIO:when=3+3:probability=0.5", 42, 3000);
    EXPECT_GT(fired.size(), 300U);
    EXPECT_LT(fired.size(), 700U);
    for (std::uint64_t nth : fired) {
        EXPECT_EQ(nth % 3, 0U) << nth;
    }
    // The draws are those of the calls' numbers: the calls fired are a subset of the same
    // rule's without `when`.
    const auto without_when = fired_with_seed("write:error=EIO:probability=0.5", 42, 3000);
    for (std::uint64_t nth : fired) {
        EXPECT_TRUE(std::binary_search(without_when.begin(), without_when.end(), nth)) << nth;
    }
}

TEST(Decider, PerThreadProbabilityIgnoresHowThreadsInterleave) {
    // Thread 101 makes 500 writes, thread 102 too; fed in two orders, 101's fired calls (by
    // its own count) are the same.
    const auto fired_of_101 = [](const std::vector<pid_t>& order) {
        Decider decider({parse_spec("write:error=EIO:per=thread:probability=0.2")}, 42);
        std::vector<std::uint64_t> fired;
        std::uint64_t count = 0;
        for (pid_t tid : order) {
            const bool is_101 = tid == 101;
            count += is_101 ? 1 : 0;
            if (decider.on_syscall(call(kWrite64, tid, 100)) && is_101) {
                fired.push_back(count);
            }
        }
        return fired;
    };
    std::vector<pid_t> alternating;
    std::vector<pid_t> one_then_other;
    for (int index = 0; index < 500; ++index) {
        alternating.push_back(101);
        alternating.push_back(102);
    }
    one_then_other.assign(500, 102);
    one_then_other.insert(one_then_other.end(), 500, 101);
    const auto fired = fired_of_101(alternating);
    EXPECT_FALSE(fired.empty());
    EXPECT_EQ(fired_of_101(one_then_other), fired);
}

// CallFacts from a script, counting what the Decider asked for.
class FakeFacts final : public CallFacts {
  public:
    FakeFacts(std::vector<std::string> paths, std::vector<int> fds = {},
              std::vector<std::string> names = {"app"})
        : paths_(std::move(paths)), fds_(std::move(fds)), names_(std::move(names)) {}

    const std::vector<std::string>& paths() override {
        ++asked_paths;
        return paths_;
    }
    const std::vector<int>& fds() override {
        ++asked_fds;
        return fds_;
    }
    const std::vector<std::string>& process_names() override {
        ++asked_names;
        return names_;
    }
    std::span<const StackFrame> stack() override {
        ++asked_stack;
        return frames;
    }

    int asked_paths = 0;
    int asked_fds = 0;
    int asked_names = 0;
    int asked_stack = 0;
    std::vector<StackFrame> frames;

  private:
    std::vector<std::string> paths_;
    std::vector<int> fds_;
    std::vector<std::string> names_;
};

TEST(DeciderFilters, CallsNotPassingThePathAreNotCounted) {
    Decider decider({parse_spec("write:error=ENOSPC:when=2:path=/tmp/out/*.log")});
    FakeFacts log({"/tmp/out/x.log"}, {3});
    FakeFacts data({"/tmp/out/data.bin"}, {4});
    FakeFacts stdout_pipe({"pipe:[77]"}, {1});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), data));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), log));  // the 1st to the log
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), stdout_pipe));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), data));
    const auto verdict = decider.on_syscall(call(kWrite64), log);  // the 2nd to the log
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->nth, 2U);
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), log));
    EXPECT_EQ(decider.matched(0), 3U);
}

TEST(DeciderFilters, ACallWithoutAKnownPathNeverPasses) {
    Decider decider({parse_spec("write:error=EIO:path=**")});
    FakeFacts unknown({});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), unknown));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));  // no facts at all
    EXPECT_EQ(decider.matched(0), 0U);
}

TEST(DeciderFilters, EitherPathOfATwoPathCallPasses) {
    Decider decider({parse_spec("rename:error=EXDEV:path=/dst/*")});
    FakeFacts into_dst({"/src/a", "/dst/a"});
    FakeFacts elsewhere({"/src/a", "/src/b"});
    constexpr long kRename64 = 82;
    const auto verdict = decider.on_syscall(call(kRename64), into_dst);
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->path_index, 1U);  // the path that passed, for the record
    EXPECT_FALSE(decider.on_syscall(call(kRename64), elsewhere));
}

TEST(DeciderFilters, FdFilter) {
    Decider decider({parse_spec("write:error=EIO:fd=1:when=2")});
    FakeFacts to_stdout({}, {1});
    FakeFacts to_file({"/tmp/x"}, {3});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), to_stdout));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), to_file));
    EXPECT_TRUE(decider.on_syscall(call(kWrite64), to_stdout));
    EXPECT_EQ(to_file.asked_paths, 0);  // an fd filter needs no path
    EXPECT_EQ(decider.matched(0), 2U);
}

TEST(DeciderFilters, ProcessFilterMatchesEitherName) {
    Decider decider({parse_spec("write:error=EIO:process=long-program-n*")});
    // comm is cut to 15 characters; the exe's basename is whole.
    FakeFacts long_name({}, {1}, {"long-program-na", "long-program-name"});
    FakeFacts other({}, {1}, {"sh", "dash"});
    EXPECT_TRUE(decider.on_syscall(call(kWrite64), long_name));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), other));
}

TEST(DeciderFilters, EveryFilterMustPass) {
    Decider decider({parse_spec("write:error=EIO:path=/tmp/*:fd=3:process=app")});
    FakeFacts all({"/tmp/x"}, {3}, {"app"});
    FakeFacts wrong_fd({"/tmp/x"}, {4}, {"app"});
    FakeFacts wrong_name({"/tmp/x"}, {3}, {"other"});
    FakeFacts wrong_path({"/var/x"}, {3}, {"app"});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), wrong_fd));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), wrong_name));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), wrong_path));
    EXPECT_TRUE(decider.on_syscall(call(kWrite64), all));
    // The cheap facts first: a wrong fd spares the name and the path.
    EXPECT_EQ(wrong_fd.asked_names + wrong_fd.asked_paths, 0);
    EXPECT_EQ(wrong_name.asked_paths, 0);
}

TEST(DeciderFilters, FactsAreAskedOnlyByFilteredRulesNamingTheCall) {
    Decider decider(
        {parse_spec("write:error=EIO:when=100"), parse_spec("read:error=EIO:path=/tmp/*")});
    FakeFacts facts({"/tmp/x"}, {3});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), facts));
    EXPECT_EQ(facts.asked_paths + facts.asked_fds + facts.asked_names, 0);
    EXPECT_TRUE(decider.on_syscall(call(kRead64), facts));
    EXPECT_EQ(facts.asked_paths, 1);
}

TEST(DeciderFilters, AFilteredRuleAndAnUnfilteredOneCountIndependently) {
    Decider decider({parse_spec("write:error=ENOSPC:path=/tmp/x.log:when=1"),
                     parse_spec("write:error=EIO:when=3")});
    FakeFacts log({"/tmp/x.log"});
    FakeFacts other({"/tmp/y"});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), other));     // rule 2: 1st
    const auto first = decider.on_syscall(call(kWrite64), log);  // rule 1: 1st, rule 2: 2nd
    ASSERT_TRUE(first);
    EXPECT_EQ(first->rule_index, 0U);
    const auto third = decider.on_syscall(call(kWrite64), log);  // rule 1: 2nd, rule 2: 3rd
    ASSERT_TRUE(third);
    EXPECT_EQ(third->rule_index, 1U);
    EXPECT_EQ(decider.matched(0), 2U);
    EXPECT_EQ(decider.matched(1), 3U);
}

TEST(DeciderFilters, PerProcessCountsOnlyPassingCalls) {
    Decider decider({parse_spec("write:error=EIO:when=2:per=process:process=worker")});
    FakeFacts worker({}, {1}, {"worker"});
    FakeFacts parent({}, {1}, {"main"});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 200, 200), worker));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100, 100), parent));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64, 100, 100), parent));
    EXPECT_TRUE(decider.on_syscall(call(kWrite64, 200, 200), worker));
}

TEST(DeciderFilters, FdPathsAreNeededOnlyForAPathFilter) {
    EXPECT_FALSE(Decider({parse_spec("write:error=EIO:fd=3")}).needs_fd_paths());
    EXPECT_FALSE(Decider({parse_spec("write:error=EIO:process=a")}).needs_fd_paths());
    EXPECT_FALSE(Decider({parse_spec("write:error=EIO")}).needs_fd_paths());
    EXPECT_TRUE(Decider({parse_spec("write:error=EIO:path=/x")}).needs_fd_paths());
    // A call with a path argument is matched on that path, not on its dirfd's file.
    EXPECT_FALSE(Decider({parse_spec("openat,unlink:error=EIO:path=/x")}).needs_fd_paths());
    EXPECT_TRUE(Decider({parse_spec("openat,fsync:error=EIO:path=/x")}).needs_fd_paths());
}

}  // namespace
}  // namespace inject::engine

namespace inject::engine {
namespace {

// A stack of functions, innermost first.
std::vector<StackFrame> stack_of(std::initializer_list<const char*> functions) {
    std::vector<StackFrame> frames;
    for (const char* function : functions) {
        StackFrame frame;
        frame.function = function;
        frame.symbol = function;
        frame.module = "/app";
        frames.push_back(frame);
    }
    return frames;
}

Rule with_caller(std::string_view spec, std::string caller) {
    Rule rule = parse_spec(spec);
    rule.caller = std::move(caller);
    return rule;
}

TEST(DeciderCaller, OnlyCallsFromTheCallerAreCountedAndWhenNumbersThose) {
    Decider decider({with_caller("write:error=EIO:when=2", "save_config")});
    EXPECT_TRUE(decider.needs_stacks());
    FakeFacts from_config({});
    from_config.frames = stack_of({"__write", "write_record", "save_config", "main"});
    FakeFacts from_journal({});
    from_journal.frames = stack_of({"__write", "write_record", "save_journal", "main"});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), from_journal));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), from_config));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), from_journal));
    const auto verdict = decider.on_syscall(call(kWrite64), from_config);
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->nth, 2U);
    EXPECT_EQ(decider.matched(0), 2U) << "the journal's writes are not the rule's";
}

TEST(DeciderCaller, AStackIsAskedForOnlyByARuleThatFiltersOnTheCallerAndAfterTheCheapFilters) {
    Decider unfiltered({parse_spec("write:error=EIO")});
    EXPECT_FALSE(unfiltered.needs_stacks());
    FakeFacts facts({"/tmp/other.log"});
    facts.frames = stack_of({"save_config"});
    EXPECT_TRUE(unfiltered.on_syscall(call(kWrite64), facts));
    EXPECT_EQ(facts.asked_stack, 0);

    // A call the path filter refuses is not unwound at all.
    Decider both({with_caller("write:error=EIO:path=/tmp/out.log", "save_config")});
    EXPECT_FALSE(both.on_syscall(call(kWrite64), facts));
    EXPECT_EQ(facts.asked_stack, 0);
    FakeFacts to_out({"/tmp/out.log"});
    to_out.frames = stack_of({"save_config"});
    EXPECT_TRUE(both.on_syscall(call(kWrite64), to_out));
    EXPECT_EQ(to_out.asked_stack, 1);
}

TEST(DeciderCaller, AStackThatCannotBeUnwoundPassesNoCallerFilter) {
    Decider decider({with_caller("write:error=EIO", "*")});
    FakeFacts unknown({});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64), unknown));
}

}  // namespace
}  // namespace inject::engine
