// delay (strace's delay_enter) and delay_exit: the picked call's thread waits while the rest
// of the program goes on. tests/programs/delayed_write times its write and, on a second
// thread, counts the traced calls it made while the write was held: a tracer that slept would
// hold that thread too. Only lower bounds on time are asserted: a loaded machine makes things
// slower, never faster. Every test runs with the seccomp filter and with --no-seccomp; where
// strace can do the same, it is compared with strace.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using nlohmann::json;

constexpr long long kDelayUs = 300'000;
// A thread that is served while the write is held makes thousands of calls in 300ms; one that
// is not makes none, or one that slips in as the write is let go.
constexpr long kProgressCalls = 5;

// Gives the second thread's calls a rule of their own, so that each one stops at inject and
// comes back with the fake 7: proof that inject handled it.
const std::vector<std::string> kServeOtherThread{"-e", "getppid:retval=7"};

// What tests/programs/delayed_write printed.
struct DelayedWrite {
    std::string result;  // "ok 6", "EIO"
    long long took_us = -1;
    long calls_during = -1;
    std::string getppid;  // what the other thread's getppid returned
    std::string saw_line;
};

DelayedWrite parse(const std::string& out) {
    DelayedWrite seen;
    for (const std::string& line : split_lines(out)) {
        const auto after = [&line](std::string_view prefix) { return line.substr(prefix.size()); };
        if (line.starts_with("write took ")) {
            seen.took_us = std::stoll(after("write took "));
        } else if (line.starts_with("write: ")) {
            seen.result = after("write: ");
        } else if (line.starts_with("other thread: getppid returned ")) {
            seen.getppid = after("other thread: getppid returned ");
        } else if (line.starts_with("other thread: saw the line during the write: ")) {
            seen.saw_line = after("other thread: saw the line during the write: ");
        } else if (line.starts_with("other thread: ")) {
            seen.calls_during = std::stol(after("other thread: "));
        }
    }
    return seen;
}

// The write waited at least the delay and the other thread was served meanwhile.
void expect_held_while_others_go_on(const CommandResult& r) {
    const DelayedWrite seen = parse(r.out);
    EXPECT_GE(seen.took_us, kDelayUs) << describe(r);
    EXPECT_GE(seen.calls_during, kProgressCalls) << describe(r);
    EXPECT_EQ(seen.getppid, "7") << describe(r);
}

class DelayTest : public ModeTest {
  protected:
    CommandResult delayed_write(std::vector<std::string> options) const {
        options.insert(options.end(), kServeOtherThread.begin(), kServeOtherThread.end());
        return inject(options, {program("delayed_write"), out_});
    }

    const std::string out_ = dir_ / "out";
};
INSTANTIATE_TEST_SUITE_P(Modes, DelayTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

TEST_P(DelayTest, AHeldWriteWaitsWhileAnotherThreadGoesOnThenRuns) {
    const auto r = delayed_write({"-q", "-e", "write:delay=300ms"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(parse(r.out).result, "ok 6") << describe(r);
    expect_held_while_others_go_on(r);
    EXPECT_EQ(read_file(out_), "hello\n");
}

TEST_P(DelayTest, DelayWithAnErrorWaitsThenFailsTheCall) {
    const auto r = delayed_write({"-q", "-e", "write:delay=300ms:error=EIO"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(parse(r.out).result, "EIO") << describe(r);
    expect_held_while_others_go_on(r);
    EXPECT_EQ(read_file(out_), "") << "the write never ran";
}

TEST_P(DelayTest, DelayEnterIsStracesNameInMicroseconds) {
    const auto r = delayed_write({"-q", "-e", "inject=write:delay_enter=300000"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(parse(r.out).result, "ok 6") << describe(r);
    expect_held_while_others_go_on(r);
}

TEST_P(DelayTest, DelayExitRunsTheCallThenHoldsItsResult) {
    const auto r = delayed_write({"-q", "-e", "write:delay_exit=300ms"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(parse(r.out).result, "ok 6") << describe(r);
    expect_held_while_others_go_on(r);
    // The line was in the file while the write had not yet returned.
    EXPECT_EQ(parse(r.out).saw_line, "yes") << describe(r);
}

TEST_P(DelayTest, ScenarioFileWithExpectations) {
    const std::string path = dir_ / "slow-disk.toml";
    write_file(path, R"(description = "the disk is slow, once"
[[fault]]
syscall = "write"
delay = "300ms"

[[fault]]
syscall = "getppid"
retval = 7

[expect]
exit_code = 0
stdout = "write: ok 6"
)");
    const auto r = inject({"-q", "-s", path}, {program("delayed_write"), out_});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    expect_held_while_others_go_on(r);
}

TEST_P(DelayTest, SummaryAndReportShowTheDelay) {
    const std::string report_path = dir_ / "report.json";
    const auto r = inject({"--report", report_path, "-e", "write:delay=300ms"},
                          {program("delayed_write"), out_});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    ASSERT_EQ(summary.events.size(), 1U) << r.err;
    EXPECT_EQ(summary.events[0],
              "write call 1 -> delayed 300ms, then ran  [rule 1: write:delay=300ms]");

    const json report = json::parse(read_file(report_path));
    EXPECT_EQ(report["rules"][0]["delay_us"], kDelayUs);
    ASSERT_EQ(report["injections"].size(), 1U);
    EXPECT_EQ(report["injections"][0]["action"], json({{"run", true}}));
    EXPECT_EQ(report["injections"][0]["delay_us"], kDelayUs);
    EXPECT_TRUE(report["injections"][0]["delay_exit_us"].is_null());
}

TEST_P(DelayTest, TheTimeoutKillsAProgramHeldForLonger) {
    // Held for ten minutes: only the kill can end this run within the harness's limit.
    const std::string path = dir_ / "stuck.toml";
    write_file(path,
               "[[fault]]\nsyscall = \"write\"\ndelay = \"10m\"\n\n[expect]\ntimeout = \"1s\"\n");
    const auto r = inject({"-q", "-s", path}, {program("delayed_write"), out_});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("but it was killed after 1s"), std::string::npos) << describe(r);
    EXPECT_EQ(read_file(out_), "") << "the write never ran";
}

// The same program under strace's delay_enter/delay_exit and under inject: the same result,
// the same file, and in both the write held at least as long while the other thread ran on.
struct StraceCase {
    const char* name;
    const char* spec;
    const char* result;
    const char* file;
};

std::ostream& operator<<(std::ostream& os, const StraceCase& c) {
    return os << c.name;
}

class DelayStraceTest : public ::testing::TestWithParam<std::tuple<Mode, StraceCase>> {
  protected:
    TempDir dir_;
};

TEST_P(DelayStraceTest, SameObservationsAsStrace) {
    const auto& [mode, c] = GetParam();
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    const std::string spec = c.spec;
    const auto by_strace =
        run_command({*strace, "-f", "-qq", "-o", "/dev/null", "-e", "inject=" + spec, "-e",
                     "inject=getppid:retval=7", program("delayed_write"), dir_ / "strace"},
                    kRunTimeout);
    std::vector<std::string> inject_argv{inject_binary(),   "-q", "-e", spec, "-e",
                                         "getppid:retval=7"};
    if (mode == Mode::kNoSeccomp) {
        inject_argv.emplace_back("--no-seccomp");
    }
    inject_argv.insert(inject_argv.end(), {"--", program("delayed_write"), dir_ / "inject"});
    const auto by_inject = run_command(inject_argv, kRunTimeout);

    for (const CommandResult* r : {&by_strace, &by_inject}) {
        SCOPED_TRACE(r == &by_strace ? "strace" : "inject");
        expect_held_while_others_go_on(*r);
        EXPECT_EQ(parse(r->out).result, c.result) << describe(*r);
    }
    EXPECT_EQ(by_inject.exit_status, by_strace.exit_status)
        << "inject: " << describe(by_inject) << "\nstrace: " << describe(by_strace);
    EXPECT_EQ(by_inject.err, by_strace.err);
    EXPECT_EQ(read_file(dir_ / "strace"), c.file);
    EXPECT_EQ(read_file(dir_ / "inject"), c.file);
}

const StraceCase kStraceCases[] = {
    {"delay_enter", "write:delay_enter=300ms", "ok 6", "hello\n"},
    {"delay_enter_microseconds", "write:delay_enter=300000", "ok 6", "hello\n"},
    {"delay_enter_error", "write:error=ENOSPC:delay_enter=0.3s", "ENOSPC", ""},
    {"delay_exit", "write:delay_exit=300ms", "ok 6", "hello\n"},
};

std::string strace_case_name(const ::testing::TestParamInfo<std::tuple<Mode, StraceCase>>& p) {
    return std::string(std::get<1>(p.param).name) + "_" +
           (std::get<0>(p.param) == Mode::kSeccomp ? "seccomp" : "no_seccomp");
}

INSTANTIATE_TEST_SUITE_P(Cases, DelayStraceTest,
                         ::testing::Combine(::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                                            ::testing::ValuesIn(kStraceCases)),
                         strace_case_name);

// --- a signal while a call is held --------------------------------------------------------
// The delay is an hour: were the signal held back until the wait ends, the test would hang
// (and fail at its time limit), not pass late.

// Whether the process is stopped by its tracer inside write(2): held.
bool is_held_in_write(pid_t pid) {
    const std::string proc = "/proc/" + std::to_string(pid);
    const std::string stat = read_file(proc + "/stat");
    const auto close = stat.rfind(')');
    return close != std::string::npos && stat.compare(close + 2, 1, "t") == 0 &&
           read_file(proc + "/syscall").starts_with("1 ");
}

// Waits (up to 20 s) until the process has been held in its write for a while.
bool becomes_held(pid_t pid) {
    int held_for = 0;
    for (int tries = 0; tries < 2000 && held_for < 20; ++tries) {
        held_for = is_held_in_write(pid) ? held_for + 1 : 0;
        ::usleep(10'000);
    }
    return held_for >= 20;
}

class SignalDuringDelayTest : public DelayTest {
  protected:
    // held_write under a delay of ten minutes on its write, and its pid once the write is held.
    pid_t start_held(BackgroundProcess& inject) {
        const std::optional<std::string> ready = inject.next_line();
        if (!ready || !ready->starts_with("ready ")) {
            ADD_FAILURE() << "no ready line: " << ready.value_or("(none)");
            return 0;
        }
        const pid_t pid = std::stoi(ready->substr(6));
        EXPECT_TRUE(becomes_held(pid)) << "the write was never held";
        return pid;
    }
    std::vector<std::string> held_write(const std::string& how) const {
        return inject_argv({"-q", "-e", "write:delay=10m:when=1"}, {program("held_write"), how});
    }
};
INSTANTIATE_TEST_SUITE_P(Modes, SignalDuringDelayTest,
                         ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp), mode_name);

// The issue's case: SIGTERM sent to inject reaches the program at once, and the held call does
// not run first.
TEST_P(SignalDuringDelayTest, SigtermToInjectKillsTheProgramAndTheHeldCallNeverRuns) {
    BackgroundProcess inject(held_write("restart"));
    ASSERT_NE(start_held(inject), 0);
    inject.signal(SIGTERM);
    EXPECT_EQ(inject.wait(), 128 + SIGTERM);
    EXPECT_EQ(inject.next_line(), std::nullopt) << "the held write ran";
}

// A signal from anyone else (the terminal's Ctrl-C goes to the program too) does the same.
TEST_P(SignalDuringDelayTest, ASignalSentToTheProgramEndsTheWaitToo) {
    BackgroundProcess inject(held_write("restart"));
    const pid_t pid = start_held(inject);
    ASSERT_NE(pid, 0);
    ::kill(pid, SIGINT);
    EXPECT_EQ(inject.wait(), 128 + SIGINT);
    EXPECT_EQ(inject.next_line(), std::nullopt) << "the held write ran";
}

// A caught signal runs its handler at once, as if it had come just before the call, which the
// program then makes again (a new call for the rules: when=1 does not hold it again). With or
// without SA_RESTART: the call had not begun, so it was not interrupted.
TEST_P(SignalDuringDelayTest, ACaughtSignalRunsItsHandlerThenTheCallIsMadeAgain) {
    for (const std::string how : {"restart", "interrupt"}) {
        BackgroundProcess inject(held_write(how));
        const pid_t pid = start_held(inject);
        ASSERT_NE(pid, 0);
        ::kill(pid, SIGUSR1);
        EXPECT_EQ(inject.next_line(), "handler") << how;
        EXPECT_EQ(inject.next_line(), "hello") << how;
        EXPECT_EQ(inject.next_line(), "write: ok 6") << how;
        EXPECT_EQ(inject.wait(), 0) << how;
    }
}

// SIGWINCH and the other signals a program leaves alone must not end the wait (were it to
// end, the write would be done within milliseconds).
TEST_P(SignalDuringDelayTest, ASignalTheProgramLeavesAloneLeavesTheCallHeld) {
    BackgroundProcess inject(held_write("restart"));
    const pid_t pid = start_held(inject);
    ASSERT_NE(pid, 0);
    ::kill(pid, SIGWINCH);
    ::usleep(300'000);
    EXPECT_TRUE(is_held_in_write(pid));
    EXPECT_FALSE(inject.has_line()) << "the write went on";
    inject.signal(SIGTERM);
    EXPECT_EQ(inject.wait(), 128 + SIGTERM);
}

}  // namespace
}  // namespace inject::testing
