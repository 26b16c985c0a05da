// Seccomp user notifications on real programs: which calls reach inject that way, what a
// notified call's program observes, the fallback to ptrace stops where the kernel refuses a
// listener (inject under inject), and counting that stays exact while signals interrupt the
// calls that wait for inject (tests/programs/interrupted_calls).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

// A call's way shows in the summary's count of syscall stops: a notified call is one, answered
// or let run; a call stopped by ptrace and changed is two, its entry and its exit. (The report,
// --report, is not used here: it takes every call to ptrace, for each injection's stack.)
class NotifyTest : public ::testing::Test {
  protected:
    // inject's summary; `options` go before the rules.
    Summary run_summarised(const std::vector<std::string>& options,
                           const std::vector<std::string>& command, CommandResult& r) const {
        std::vector<std::string> argv{inject_binary()};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.emplace_back("--");
        argv.insert(argv.end(), command.begin(), command.end());
        r = run_command(argv, kRunTimeout);
        return parse_summary(r.err);
    }

    TempDir dir_;
};

TEST_F(NotifyTest, CallsARuleAnswersWithoutRunningReachInjectAsNotifications) {
    CommandResult r;
    const Summary summary = run_summarised({"-e", "write:error=ENOSPC:when=3+"},
                                           {program("writes"), dir_ / "out", "5"}, r);
    EXPECT_EQ(r.exit_status, 3) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}, {4, "ENOSPC"}, {5, "ENOSPC"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {3, 4, 5}));
    EXPECT_EQ(summary.faults, 3) << r.err;
    EXPECT_EQ(summary.stops, 5) << r.err;  // by ptrace, 8: each injected call stops at its exit
    EXPECT_EQ(summary.sites, (std::vector<std::string>{"", "", ""})) << r.err;
}

TEST_F(NotifyTest, NoNotifyMakesEveryPickedCallStopByPtrace) {
    CommandResult r;
    const Summary summary = run_summarised({"--no-notify", "-e", "write:error=ENOSPC:when=3+"},
                                           {program("writes"), dir_ / "out", "5"}, r);
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}, {4, "ENOSPC"}, {5, "ENOSPC"}}));
    EXPECT_EQ(summary.stops, 8) << r.err;  // the injected writes stop at their exits too
    ASSERT_EQ(summary.sites.size(), 3u) << r.err;
    EXPECT_TRUE(summary.sites[0].starts_with("main (writes.c:")) << r.err;
}

TEST_F(NotifyTest, ARuleThatChangesTheCallsArgumentsTakesItsSyscallToPtrace) {
    // write is cut by the first rule, so the second rule's writes stop by ptrace too; fsync,
    // named only by the third, is still notified.
    CommandResult r;
    const Summary summary = run_summarised(
        {"-e", "write:short=2:when=2", "-e", "write:error=EIO:when=4", "-e", "fsync:error=EIO"},
        {program("writes"), dir_ / "out", "5"}, r);
    EXPECT_EQ(r.out, writes_output(5, {{2, "ok 2"}, {4, "EIO"}}, "EIO")) << describe(r);
    EXPECT_EQ(summary.faults, 3) << r.err;
    EXPECT_EQ(summary.stops, 8) << r.err;  // 5 writes, 2 of them at their exits, 1 fsync
}

TEST_F(NotifyTest, ARuleThatWritesIntoTheCallOrRunsAnotherTakesItsSyscallToPtrace) {
    // (Each is changed, so by ptrace it stops at its exit too.)
    for (const std::string spec :
         {"fsync:error=EIO:syscall=getpid", "fsync:error=EIO:poke_enter=@arg1=00",
          "fsync:error=EIO:poke_exit=@arg1=00", "fsync:error=EIO:caller=main"}) {
        SCOPED_TRACE(spec);
        CommandResult r;
        const Summary summary =
            run_summarised({"-e", spec}, {program("writes"), dir_ / "out", "1"}, r);
        EXPECT_EQ(summary.faults, 1) << r.err;
        EXPECT_EQ(summary.stops, 2) << r.err;  // notified, it would be 1
    }
}

TEST_F(NotifyTest, TheSyscallLogNeedsEveryCallsExitSoNothingIsNotified) {
    CommandResult r;
    const Summary summary = run_summarised({"-o", dir_ / "log", "-e", "fsync:error=EIO"},
                                           {program("writes"), dir_ / "out", "2"}, r);
    EXPECT_EQ(r.out, writes_output(2, {}, "EIO"));
    EXPECT_EQ(summary.stops, 2) << r.err;
    EXPECT_NE(read_file(dir_ / "log").find("fsync("), std::string::npos);
}

TEST_F(NotifyTest, WhereTheKernelRefusesAListenerEveryPickedCallStopsByPtraceWithoutANote) {
    // The kernel gives a tree one listener, and with_listener's is there first (as a container
    // runtime's or another supervisor's would be): inject's notifying filter is refused (EBUSY),
    // and its tracing filter does the same by ptrace, without a word about it.
    const CommandResult r =
        run_command({program("with_listener"), inject_binary(), "-e", "write:error=ENOSPC:when=2",
                     "-e", "fsync:error=EROFS", "--", program("writes"), dir_ / "out", "3"},
                    kRunTimeout);
    EXPECT_EQ(r.out, writes_output(3, {{2, "ENOSPC"}}, "EROFS")) << describe(r);
    EXPECT_EQ(r.err.find("note"), std::string::npos) << r.err;
    const Summary summary = parse_summary(r.err);
    EXPECT_EQ(summary.filter, "(seccomp filter)") << r.err;
    EXPECT_EQ(summary.stops, 6) << r.err;  // notified, 4
    EXPECT_EQ(summary.faults, 2) << r.err;
}

// The program's calls are interrupted by SIGALRM every 200 µs (with notifications, a signal
// that comes before inject has read the call makes it fail with EINTR for a handler without
// SA_RESTART, and the program makes it again); each call must be counted once.
class InterruptedCallsTest : public ModeTest {};
INSTANTIATE_TEST_SUITE_P(Modes, InterruptedCallsTest, ::testing::ValuesIn(kAllModes), mode_name);

TEST_P(InterruptedCallsTest, EveryCallIsCountedOnceWhateverTheSignalsDid) {
    for (const std::string handler : {"restart", "norestart"}) {
        SCOPED_TRACE(handler);
        const auto r = inject({"-e", "getppid:error=EPERM:when=500+500"},
                              {program("interrupted_calls"), "3000", "200", handler});
        ASSERT_EQ(r.exit_status, 0) << describe(r);
        const std::vector<std::string> lines = split_lines(r.out);
        std::vector<std::string> failed;
        for (const std::string& line : lines) {
            if (line.starts_with("call ")) {
                failed.push_back(line);
            }
        }
        EXPECT_EQ(failed, (std::vector<std::string>{"call 500: EPERM", "call 1000: EPERM",
                                                    "call 1500: EPERM", "call 2000: EPERM",
                                                    "call 2500: EPERM", "call 3000: EPERM"}))
            << describe(r);
        EXPECT_NE(r.out.find("calls 3000\n"), std::string::npos) << describe(r);
        EXPECT_EQ(parse_summary(r.err).faults, 6) << describe(r);
    }
}

}  // namespace
}  // namespace inject::testing
