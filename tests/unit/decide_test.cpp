// The decisions: which call a rule picks, counted per tree, process or thread.
#include "engine/decide.hpp"

#include <gtest/gtest.h>

#include <vector>

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

TEST(Decider, VerdictCarriesRuleCountAndAction) {
    Decider decider({parse_spec("write:retval=7:when=2")});
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    const auto verdict = decider.on_syscall(call(kWrite64));
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->rule_index, 0U);
    EXPECT_EQ(verdict->nth, 2U);
    EXPECT_EQ(verdict->action, Action{ReturnValue{7}});
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
    EXPECT_EQ(second->action, Action{FailWithErrno{ENOSPC}});
    auto third = decider.on_syscall(call(kWrite64));  // rule 2 counted call 2 as well
    ASSERT_TRUE(third);
    EXPECT_EQ(third->rule_index, 1U);
    EXPECT_EQ(third->nth, 3U);
    EXPECT_EQ(decider.matched(0), 3U);
    EXPECT_EQ(decider.matched(1), 3U);
}

TEST(Decider, RulesOnSeveralSyscallsCountThemTogether) {
    Decider decider({parse_spec("write,read:error=EIO:when=3")});
    EXPECT_FALSE(decider.on_syscall(call(kRead64)));
    EXPECT_FALSE(decider.on_syscall(call(kWrite64)));
    EXPECT_TRUE(decider.on_syscall(call(kRead64)));
}

TEST(Decider, SyscallNamesForTheFilterAreTheUnionWithoutRepeats) {
    Decider decider({parse_spec("write,read:error=EIO"), parse_spec("write,fsync:error=EIO")});
    EXPECT_EQ(decider.syscall_names(), (std::vector<std::string>{"write", "read", "fsync"}));
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

}  // namespace
}  // namespace inject::engine
