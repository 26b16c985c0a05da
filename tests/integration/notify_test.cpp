// Seccomp user notifications on real programs: which calls reach inject that way, what a
// notified call's program observes, the fallback to ptrace stops where the kernel refuses a
// listener (inject under inject), and counting that stays exact while signals interrupt the
// calls that wait for inject (tests/programs/interrupted_calls).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using nlohmann::json;

class NotifyTest : public ::testing::Test {
  protected:
    // inject with --report, then the report; `options` go before the rules.
    json run_reported(const std::vector<std::string>& options,
                      const std::vector<std::string>& command, CommandResult& r) const {
        const std::string path = dir_ / "report.json";
        std::vector<std::string> argv{inject_binary(), "-q", "--report", path};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.emplace_back("--");
        argv.insert(argv.end(), command.begin(), command.end());
        r = run_command(argv, kRunTimeout);
        return json::parse(read_file(path));
    }

    TempDir dir_;
};

TEST_F(NotifyTest, CallsARuleAnswersWithoutRunningReachInjectAsNotifications) {
    CommandResult r;
    const json report = run_reported({"-e", "write:error=ENOSPC:when=3"},
                                     {program("writes"), dir_ / "out", "5"}, r);
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {3}));
    EXPECT_EQ(report["notified_calls"], 5);
    EXPECT_EQ(report["syscall_stops"], 5);
}

TEST_F(NotifyTest, NoNotifyMakesEveryPickedCallStopByPtrace) {
    CommandResult r;
    const json report = run_reported({"--no-notify", "-e", "write:error=ENOSPC:when=3"},
                                     {program("writes"), dir_ / "out", "5"}, r);
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}}));
    EXPECT_EQ(report["notified_calls"], 0);
    EXPECT_EQ(report["syscall_stops"], 6);  // the injected write stops at its exit too
}

TEST_F(NotifyTest, ARuleThatChangesTheCallsArgumentsTakesItsSyscallToPtrace) {
    // write is cut by the first rule, so the second rule's writes stop by ptrace too; fsync,
    // named only by the third, is still notified.
    CommandResult r;
    const json report = run_reported(
        {"-e", "write:short=2:when=2", "-e", "write:error=EIO:when=4", "-e", "fsync:error=EIO"},
        {program("writes"), dir_ / "out", "5"}, r);
    EXPECT_EQ(r.out, writes_output(5, {{2, "ok 2"}, {4, "EIO"}}, "EIO")) << describe(r);
    EXPECT_EQ(report["notified_calls"], 1);
    EXPECT_EQ(report["injections_total"], 3);
}

TEST_F(NotifyTest, TheSyscallLogNeedsEveryCallsExitSoNothingIsNotified) {
    CommandResult r;
    const json report = run_reported({"-o", dir_ / "log", "-e", "fsync:error=EIO"},
                                     {program("writes"), dir_ / "out", "2"}, r);
    EXPECT_EQ(r.out, writes_output(2, {}, "EIO"));
    EXPECT_EQ(report["notified_calls"], 0);
    EXPECT_NE(read_file(dir_ / "log").find("fsync("), std::string::npos);
}

TEST_F(NotifyTest, WhereTheKernelRefusesAListenerEveryPickedCallStopsByPtraceWithoutANote) {
    // The kernel gives a tree one listener, and with_listener's is there first (as a container
    // runtime's or another supervisor's would be): inject's notifying filter is refused (EBUSY),
    // and its tracing filter does the same by ptrace, without a word about it.
    CommandResult r;
    const std::string report = dir_ / "report.json";
    r = run_command({program("with_listener"), inject_binary(), "-q", "--report", report, "-e",
                     "write:error=ENOSPC:when=2", "-e", "fsync:error=EROFS", "--",
                     program("writes"), dir_ / "out", "3"},
                    kRunTimeout);
    EXPECT_EQ(r.out, writes_output(3, {{2, "ENOSPC"}}, "EROFS")) << describe(r);
    EXPECT_EQ(r.err, "");
    const json counted = json::parse(read_file(report));
    EXPECT_EQ(counted["notified_calls"], 0);
    EXPECT_EQ(counted["seccomp_filter"], true);
    EXPECT_EQ(counted["syscall_stops"], 6);
    EXPECT_EQ(counted["injections_total"], 2);
}

// The program's calls are interrupted by SIGALRM every 200 µs (with notifications, a signal
// that comes before inject has read the call makes it fail with EINTR for a handler without
// SA_RESTART, and the program makes it again); each call must be counted once.
class InterruptedCallsTest : public ModeTest {};
INSTANTIATE_TEST_SUITE_P(Modes, InterruptedCallsTest, ::testing::ValuesIn(kAllModes), mode_name);

TEST_P(InterruptedCallsTest, EveryCallIsCountedOnceWhateverTheSignalsDid) {
    for (const std::string handler : {"restart", "norestart"}) {
        SCOPED_TRACE(handler);
        const std::string report = dir_ / ("report-" + handler + ".json");
        const auto r = inject({"-q", "--report", report, "-e", "getppid:error=EPERM:when=500+500"},
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
        const json counted = json::parse(read_file(report));
        EXPECT_EQ(counted["rules"][0]["matched"], 3000) << describe(r);
        EXPECT_EQ(counted["rules"][0]["injected"], 6);
    }
}

TEST_P(InterruptedCallsTest, ADelayIsNotCutShortBySignals) {
    // Held for 200 ms while SIGALRM comes every millisecond to a handler without SA_RESTART:
    // the call waits on, as at a ptrace stop, and then returns its result.
    const auto r = inject({"-q", "-e", "getppid:delay=200ms:when=5"},
                          {program("interrupted_calls"), "10", "1000", "norestart"});
    ASSERT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.out.find("slow 5\n"), std::string::npos) << describe(r);
    EXPECT_EQ(r.out.find("call "), std::string::npos) << describe(r);
}

}  // namespace
}  // namespace inject::testing
