// The summary a user reads after a run.
#include "report/summary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <sstream>

#include "inject/scenario.hpp"

namespace inject::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Summary, NamesEachInjectionWithItsRuleCountAndResult) {
    const std::vector<Rule> rules{parse_spec("write:error=ENOSPC:when=3"),
                                  parse_spec("fsync:retval=0")};
    RunResult result;
    result.seccomp_filter = true;
    result.syscall_stops = 7;
    result.injections.push_back(
        Injection{0, "write", Abi::x86_64, 3, 4242, 4242, Effect{FailWithErrno{ENOSPC}}});
    result.injections.push_back(
        Injection{1, "fsync", Abi::i386, 1, 4242, 4243, Effect{ReturnValue{0}}});
    result.injection_count = 2;
    std::ostringstream out;
    write_summary(out, rules, result, {"prog"});
    EXPECT_EQ(out.str(),
              "inject: 2 faults injected, 7 syscall stops (seccomp filter)\n"
              "inject:   pid 4242: write call 3 -> -1 ENOSPC (No space left on device)  [rule 1: "
              "write:error=ENOSPC:when=3]\n"
              "inject:   pid 4242 tid 4243: fsync (i386) call 1 -> 0  [rule 2: fsync:retval=0]\n"
              "inject: replay: inject -e write:error=ENOSPC:when=3 -e fsync:retval=0:when=1 -- "
              "prog\n");
}

TEST(Summary, RulesThatNeverFiredSaySo) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO:when=2"),
                                  parse_spec("read:error=EIO:when=5"),
                                  parse_spec("fsync:error=EIO:path=/tmp/*")};
    RunResult result;
    result.injections.push_back(
        Injection{0, "write", Abi::x86_64, 2, 1, 1, Effect{FailWithErrno{EIO}}});
    result.injection_count = 1;
    result.matched = {3, 4, 0};
    result.injected = {1, 0, 0};
    std::ostringstream out;
    write_summary(out, rules, result, {"prog"});
    EXPECT_THAT(out.str(), HasSubstr("inject: rule 2 never fired (it counted 4 calls): "
                                     "read:error=EIO:when=5\n"));
    EXPECT_THAT(out.str(), HasSubstr("inject: rule 3 never matched (no call it names passed its "
                                     "filters): fsync:error=EIO:path=/tmp/*\n"));
    EXPECT_THAT(out.str(), Not(HasSubstr("rule 1 never")));
}

TEST(Summary, SingularAndNoFilter) {
    RunResult result;
    result.syscall_stops = 1;
    std::ostringstream out;
    write_summary(out, {}, result, {"prog"});
    EXPECT_EQ(out.str(), "inject: 0 faults injected, 1 syscall stop (no seccomp filter)\n");
}

TEST(Summary, LongListsAreCut) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO")};
    RunResult result;
    for (std::uint64_t nth = 1; nth <= kListedInjections + 5; ++nth) {
        result.injections.push_back(
            Injection{0, "write", Abi::x86_64, nth, 1, 1, Effect{FailWithErrno{EIO}}});
    }
    result.injection_count = result.injections.size();
    std::ostringstream out;
    write_summary(out, rules, result, {"prog"});
    EXPECT_NE(out.str().find("inject:   ... and 5 more\n"), std::string::npos);
}

TEST(Summary, CountsInjectionsBeyondTheRecordedOnes) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO")};
    RunResult result;
    result.injections.push_back(
        Injection{0, "write", Abi::x86_64, 1, 1, 1, Effect{FailWithErrno{EIO}}});
    result.injection_count = 100000;  // the engine kept only the first record
    std::ostringstream out;
    write_summary(out, rules, result, {"prog"});
    EXPECT_EQ(out.str(),
              "inject: 100000 faults injected, 0 syscall stops (no seccomp filter)\n"
              "inject:   pid 1: write call 1 -> -1 EIO (Input/output error)  [rule 1: "
              "write:error=EIO]\n"
              "inject:   ... and 99999 more\n"
              "inject: replay: not shown (more than 1 injections; use --report)\n");
}

RunResult fired(std::size_t rule_index, const std::vector<std::uint64_t>& nths) {
    RunResult result;
    for (std::uint64_t nth : nths) {
        result.injections.push_back(
            Injection{rule_index, "write", Abi::x86_64, nth, 1, 1, Effect{FailWithErrno{EIO}}});
    }
    result.injection_count = result.injections.size();
    return result;
}

TEST(Replay, PinsASingleCallAndDropsTheProbability) {
    const std::vector<Rule> rules{
        parse_spec("write:error=EIO:when=2+:per=process:probability=0.5")};
    EXPECT_EQ(replay_line(rules, fired(0, {7}), {"prog", "a"}),
              "inject -e write:error=EIO:when=7:per=process -- prog a");
}

// A kept prefix is drawn from the seed even once the cut is pinned: the replay names it.
TEST(Replay, APowerCutThatKeepsAPrefixGivesItsSeed) {
    const std::vector<Rule> rules{
        parse_spec("fsync:signal=SIGKILL:lose_unsynced=true:mode=prefix")};
    RunResult result = fired(0, {2});
    result.power_cut.emplace();
    result.seed = 41;
    EXPECT_EQ(replay_line(rules, result, {"prog"}),
              "inject -e fsync:signal=SIGKILL:lose_unsynced=true:mode=prefix:when=2 --seed 41 -- "
              "prog");
    const std::vector<Rule> strict{parse_spec("fsync:signal=SIGKILL:lose_unsynced=true")};
    EXPECT_EQ(replay_line(strict, result, {"prog"}),
              "inject -e fsync:signal=SIGKILL:lose_unsynced=true:when=2 -- prog");
}

TEST(Replay, ConsecutiveCallsAreARange) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO:probability=0.3")};
    EXPECT_EQ(replay_line(rules, fired(0, {5, 3, 4}), {"prog"}),
              "inject -e write:error=EIO:when=3..5 -- prog");
}

TEST(Replay, EvenlySpacedCallsAreOneRuleWithAStep) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO:probability=0.3")};
    EXPECT_EQ(replay_line(rules, fired(0, {2, 5, 8}), {"prog"}),
              "inject -e write:error=EIO:when=2..8+3 -- prog");
}

TEST(Replay, ScatteredCallsAreOneRulePerRunInTheRulesOrder) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO:probability=0.3"),
                                  parse_spec("write:retval=0:probability=0.5")};
    RunResult result = fired(0, {1, 2, 6, 9});
    result.injections.push_back(
        Injection{1, "write", Abi::x86_64, 4, 1, 1, Effect{ReturnValue{0}}});
    result.injection_count = result.injections.size();
    EXPECT_EQ(replay_line(rules, result, {"prog"}),
              "inject -e write:error=EIO:when=1..2 -e write:error=EIO:when=6 -e "
              "write:error=EIO:when=9 -e write:retval=0:when=4 -- prog");
}

TEST(Replay, NothingWithoutInjectionsAndNotShownWhenRecordsWereCapped) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO")};
    EXPECT_EQ(replay_line(rules, RunResult{}, {"prog"}), "");
    RunResult capped = fired(0, {1, 2});
    capped.injection_count = 5;
    EXPECT_EQ(replay_line(rules, capped, {"prog"}),
              "not shown (more than 2 injections; use --report)");
}

TEST(Replay, NotShownAfterAttachingAndTheDetachIsSaid) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO:when=3")};
    RunResult result = fired(0, {3});
    result.syscall_stops = 12;
    result.attached = {1};
    result.detached = true;
    std::ostringstream out;
    write_summary(out, rules, result, {});
    EXPECT_EQ(out.str(),
              "inject: 1 fault injected, 12 syscall stops (no seccomp filter)\n"
              "inject:   pid 1: write call 3 -> -1 EIO (Input/output error)  [rule 1: "
              "write:error=EIO:when=3]\n"
              "inject: detached: every process still traced runs on untraced\n"
              "inject: replay: not shown (attached with -p: calls are counted from the attach, "
              "which no new run repeats; --report lists every injection)\n");
}

TEST(Replay, QuotesArgumentsForTheShell) {
    EXPECT_EQ(shell_quote("plain-arg_1./x:y=z,+@%"), "plain-arg_1./x:y=z,+@%");
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_quote("two words"), "'two words'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote("$HOME;*"), "'$HOME;*'");
    EXPECT_EQ(shell_quote("caf\xc3\xa9 au lait"), "'caf\xc3\xa9 au lait'");
    // Nothing that acts on a terminal, and no newline but a trailing one.
    EXPECT_EQ(shell_quote("a\x1b[2Jb"), "\"$(printf 'a\\033[2Jb')\"");
    EXPECT_EQ(shell_quote("-x\ny\tz"), "\"$(printf '\\055x\\012y\\011z')\"");
    EXPECT_EQ(shell_quote("5% \\ it's \xff"), "\"$(printf '5%% \\\\ it'\\''s \\377')\"");
    EXPECT_EQ(shell_quote("\x1b\n\n"), "\"$(printf '\\033')\"'\n\n'");
    EXPECT_EQ(shell_quote("\n"), "'\n'");
    const std::vector<Rule> rules{parse_spec("write:error=EIO")};
    EXPECT_EQ(replay_line(rules, fired(0, {1}), {"sh", "-c", "echo 'hi' > x"}),
              "inject -e write:error=EIO:when=1 -- sh -c 'echo '\\''hi'\\'' > x'");
}

TEST(Summary, ResultsReadAsTheProgramSeesThem) {
    EXPECT_EQ(describe_result(FailWithErrno{EIO}), "-1 EIO (Input/output error)");
    EXPECT_EQ(describe_result(ReturnValue{12}), "12");
    EXPECT_EQ(describe_result(RunCall{}), "ran");
    // A shortened call returns what it really did; the summary says what was done to it.
    EXPECT_EQ(describe_result(ShortenTo{10}), "short=10");
}

TEST(Summary, DelaysSayWhenTheCallWaited) {
    using std::chrono::milliseconds;
    Injection delayed{0, "write", Abi::x86_64, 1, 1, 1, Effect{RunCall{}}};
    delayed.effect.delay = milliseconds(300);
    EXPECT_EQ(describe_injection(delayed), "delayed 300ms, then ran");
    delayed.effect.action = FailWithErrno{EIO};
    EXPECT_EQ(describe_injection(delayed), "delayed 300ms, then -1 EIO (Input/output error)");
    delayed.effect.delay_exit = std::chrono::seconds(2);
    EXPECT_EQ(describe_injection(delayed),
              "delayed 300ms, then -1 EIO (Input/output error), held back 2s");
    Injection held{0, "write", Abi::x86_64, 1, 1, 1, Effect{RunCall{}}};
    held.effect.delay_exit = std::chrono::microseconds(250);
    EXPECT_EQ(describe_injection(held), "ran, held back 250us");

    const std::vector<Rule> rules{parse_spec("write:delay=300ms:signal=SIGKILL")};
    RunResult result;
    result.seccomp_filter = true;
    result.syscall_stops = 1;
    Injection killed{0, "write", Abi::x86_64, 1, 7, 8, Effect{RunCall{}}};
    killed.effect.signal = SIGKILL;
    killed.effect.delay = milliseconds(300);
    result.injections.push_back(killed);
    result.injection_count = 1;
    std::ostringstream out;
    write_summary(out, rules, result, {"prog"});
    EXPECT_EQ(out.str(),
              "inject: 1 fault injected, 1 syscall stop (seccomp filter)\n"
              "inject:   pid 7 tid 8: write call 1 -> delayed 300ms, then killed by SIGKILL "
              "before it ran  [rule 1: write:signal=SIGKILL:delay=300ms]\n"
              "inject: replay: inject -e write:signal=SIGKILL:delay=300ms:when=1 -- prog\n");
}

// A crash point is no result the program saw: SIGKILL ended the thread before the call ran.
TEST(Summary, ACrashPointSaysTheThreadWasKilledBeforeTheCallRan) {
    Injection crash{0, "write", Abi::x86_64, 3, 1, 1, Effect{RunCall{}, SIGKILL}};
    EXPECT_EQ(describe_injection(crash), "killed by SIGKILL before it ran");
    crash.effect.action = FailWithErrno{EIO};
    EXPECT_EQ(describe_injection(crash), "killed by SIGKILL before it ran");
    // A signal the thread survives goes with the call's result.
    Injection signalled{0, "chdir", Abi::x86_64, 1, 1, 1, Effect{RunCall{}, SIGUSR1}};
    EXPECT_EQ(describe_injection(signalled), "ran + SIGUSR1");
    // Cut first, the call ran before the kill.
    Injection torn{0, "write", Abi::x86_64, 3, 1, 1, Effect{ShortenTo{10}, SIGKILL}};
    EXPECT_EQ(describe_injection(torn), "short=10 + SIGKILL");
}

// retval= -4095..-1, as strace allows it, is an error return: the program sees an errno.
TEST(Summary, ARetvalInTheErrorRangeReadsAsTheError) {
    EXPECT_EQ(describe_result(ReturnValue{-5}), "-1 EIO (Input/output error)");
    EXPECT_EQ(describe_result(ReturnValue{-4096}), "-4096");
}

// A rule keeps one count per syscall: its replay names the syscalls that fired, and those that
// fired on the same calls share one -e.
TEST(Summary, TheReplayPinsEachSyscallsOwnCalls) {
    const std::vector<Rule> rules{parse_spec("write,close:error=EBADF:when=4"),
                                  parse_spec("%desc:error=EIO:probability=0.5")};
    RunResult result;
    result.injections = {
        Injection{0, "write", Abi::x86_64, 4, 1, 1, Effect{FailWithErrno{EBADF}}},
        Injection{0, "close", Abi::x86_64, 4, 1, 1, Effect{FailWithErrno{EBADF}}},
        Injection{1, "read", Abi::x86_64, 2, 1, 1, Effect{FailWithErrno{EIO}}},
        Injection{1, "fsync", Abi::x86_64, 1, 1, 1, Effect{FailWithErrno{EIO}}},
        Injection{1, "read", Abi::x86_64, 3, 1, 1, Effect{FailWithErrno{EIO}}},
    };
    result.injection_count = result.injections.size();
    EXPECT_EQ(replay_line(rules, result, {"prog"}),
              "inject -e write,close:error=EBADF:when=4 -e read:error=EIO:when=2..3 -e "
              "fsync:error=EIO:when=1 -- prog");
}

TEST(Summary, ShortShowsTheCutAndReplaysIt) {
    const std::vector<Rule> rules{parse_spec("writev,write:short=10:when=2+:probability=0.5")};
    RunResult result;
    result.seccomp_filter = true;
    result.syscall_stops = 3;
    result.injections.push_back(
        Injection{0, "writev", Abi::x86_64, 3, 7, 7, Effect{ShortenTo{10}}});
    result.injection_count = 1;
    std::ostringstream out;
    write_summary(out, rules, result, {"prog"});
    EXPECT_EQ(out.str(),
              "inject: 1 fault injected, 3 syscall stops (seccomp filter)\n"
              "inject:   pid 7: writev call 3 -> short=10  [rule 1: "
              "writev,write:short=10:when=2+:probability=0.5]\n"
              "inject: replay: inject -e writev:short=10:when=3 -- prog\n");
}

}  // namespace
}  // namespace inject::report
