// The [expect] table: each key read and refused exactly as a user sees it, and each kind of
// expectation checked against a run, holding and failing, with the exact lines printed.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "inject/scenario.hpp"
#include "report/expectations.hpp"
#include "scenario/expect_keys.hpp"
#include "scenario_error.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/signals.hpp"

namespace inject {
namespace {

using std::chrono::milliseconds;

using testing::error_of;

// The error of an [expect] table holding one line; the value sits on line 2.
std::string expect_error(std::string_view line) {
    return error_of("[expect]\n" + std::string(line) + "\n");
}

Expectations expect_of(std::string_view line) {
    const Scenario s = parse_scenario("[expect]\n" + std::string(line) + "\n", "s.toml");
    if (!s.expect) {
        ADD_FAILURE() << "no expectations from " << line;
        return {};
    }
    return *s.expect;
}

// --- reading -------------------------------------------------------------------------------

TEST(ExpectKeys, AllKeysOfTheDesign) {
    const Scenario s = parse_scenario(R"(description = "the disk fills up"
[[fault]]
syscall = "write"
error = "ENOSPC"

[expect]
exit_code = 1
signal = "none"
stdout = "/^done$/"
stderr = "No space left on device"
injected = 1
timeout = "10s"
)",
                                      "enospc.toml");
    ASSERT_TRUE(s.expect.has_value());
    Expectations wanted;
    wanted.exit_code = 1;
    wanted.signal = 0;
    wanted.stdout_text = TextExpectation{"^done$", true};
    wanted.stderr_text = TextExpectation{"No space left on device", false};
    wanted.injected = 1;
    wanted.timeout = milliseconds(10'000);
    EXPECT_EQ(*s.expect, wanted);
    EXPECT_TRUE(s.expect->needs_output());
    EXPECT_EQ(s.rules.size(), 1u);
}

TEST(ExpectKeys, NoTableOrAnEmptyOneExpectsNothing) {
    EXPECT_EQ(parse_scenario("[[fault]]\nsyscall = \"write\"\nerror = 5\n", "s").expect,
              std::nullopt);
    // An empty table proves nothing, so it must not make the run a test that passes.
    EXPECT_EQ(parse_scenario("[expect]\n", "s").expect, std::nullopt);
    EXPECT_EQ(parse_scenario("expect = {}\n", "s").expect, std::nullopt);
    // Inline, too.
    EXPECT_EQ(parse_scenario("expect = { exit_code = 3 }\n", "s").expect->exit_code, 3);
}

TEST(ExpectKeys, UnknownKeys) {
    EXPECT_EQ(expect_error("exit_cod = 1"),
              "s.toml:2:1: unknown key \"exit_cod\" (did you mean \"exit_code\"?)");
    EXPECT_EQ(expect_error("  stdot = \"x\""),
              "s.toml:2:3: unknown key \"stdot\" (did you mean \"stdout\"?)");
    EXPECT_EQ(expect_error("injections = 1"), "s.toml:2:1: unknown key \"injections\"");
    // The first mistake in the file is the one reported, not the first in key order.
    EXPECT_EQ(error_of("[expect]\ntimeout = 5\nexit = 1\n"),
              "s.toml:2:11: \"timeout\" must be a string such as \"10s\", not an integer");
}

TEST(ExpectKeys, TheTableItself) {
    EXPECT_EQ(error_of("expect = 1\n"), "s.toml:1:10: \"expect\" must be a table, not an integer");
    EXPECT_EQ(error_of("[[expect]]\nexit_code = 1\n"),
              "s.toml:1:1: \"expect\" must be a table (did you mean [expect]?)");
    EXPECT_EQ(error_of("[expect]\n[expect]\n"),
              "s.toml:2:1: Error while parsing table header: cannot redefine existing table "
              "'expect'");
}

TEST(ExpectKeys, ExitCode) {
    EXPECT_EQ(expect_of("exit_code = 0").exit_code, 0);
    EXPECT_EQ(expect_of("exit_code = 255").exit_code, 255);
    EXPECT_EQ(expect_error("exit_code = 256"), "s.toml:2:13: exit_code 256 is out of range 0..255");
    EXPECT_EQ(expect_error("exit_code = -1"), "s.toml:2:13: exit_code -1 is out of range 0..255");
    EXPECT_EQ(expect_error("exit_code = \"1\""),
              "s.toml:2:13: \"exit_code\" must be an integer, not a string");
    EXPECT_EQ(expect_error("exit_code = 1.0"),
              "s.toml:2:13: \"exit_code\" must be an integer, not a floating-point");
}

TEST(ExpectKeys, Signal) {
    EXPECT_EQ(expect_of("signal = \"none\"").signal, 0);
    EXPECT_EQ(expect_of("signal = \"SIGSEGV\"").signal, 11);
    EXPECT_EQ(expect_of("signal = \"SEGV\"").signal, 11);
    EXPECT_EQ(expect_of("signal = \"sigkill\"").signal, 9);
    EXPECT_EQ(expect_of("signal = \"Abrt\"").signal, 6);
    EXPECT_EQ(expect_of("signal = \"11\"").signal, 11);
    EXPECT_EQ(expect_of("signal = 9").signal, 9);
    EXPECT_EQ(expect_of("signal = 64").signal, 64);
    // The kernel's numbering, as strace's: SIGRTMIN is 32, whatever the C library reserves.
    EXPECT_EQ(expect_of("signal = \"SIGRTMIN\"").signal, 32);
    EXPECT_EQ(expect_of("signal = \"SIGRTMIN+2\"").signal, 34);
    EXPECT_EQ(expect_of("signal = \"SIGRT_2\"").signal, 34);
    EXPECT_EQ(expect_of("signal = \"rtmax-1\"").signal, 63);
    EXPECT_EQ(expect_of("signal = \"SIGIO\"").signal, SIGIO);
    EXPECT_EQ(expect_of("signal = \"poll\"").signal, SIGIO);

    EXPECT_EQ(expect_error("signal = \"SIGSEV\""),
              "s.toml:2:10: unknown signal \"SIGSEV\" (did you mean \"SIGSEGV\"?)");
    EXPECT_EQ(expect_error("signal = \"KIL\""),
              "s.toml:2:10: unknown signal \"KIL\" (did you mean \"SIGKILL\"?)");
    EXPECT_EQ(expect_error("signal = \"nome\""),
              "s.toml:2:10: unknown signal \"nome\" (did you mean \"none\"?)");
    EXPECT_EQ(expect_error("signal = \"crash\""), "s.toml:2:10: unknown signal \"crash\"");
    EXPECT_EQ(expect_error("signal = \"SIGRTMIN+99\""),
              "s.toml:2:10: unknown signal \"SIGRTMIN+99\" (did you mean \"SIGRTMIN\"?)");
    EXPECT_EQ(expect_error("signal = 0"),
              "s.toml:2:10: signal 0 is out of range 1..64 (\"none\": no signal)");
    EXPECT_EQ(expect_error("signal = 65"), "s.toml:2:10: signal 65 is out of range 1..64");
    EXPECT_EQ(expect_error("signal = \"65\""), "s.toml:2:10: signal 65 is out of range 1..64");
    EXPECT_EQ(expect_error("signal = true"),
              "s.toml:2:10: \"signal\" must be a string or an integer, not a boolean");
}

TEST(ExpectKeys, SignalNamesAreWrittenAsStraceWritesThem) {
    EXPECT_EQ(signal_name(11), "SIGSEGV");
    EXPECT_EQ(signal_name(9), "SIGKILL");
    EXPECT_EQ(signal_name(SIGIO), "SIGIO");
    EXPECT_EQ(signal_name(32), "SIGRTMIN");
    EXPECT_EQ(signal_name(35), "SIGRT_3");
    EXPECT_EQ(signal_name(64), "SIGRT_32");
    EXPECT_EQ(signal_name(65), "signal 65");
    // Every name it prints is one it reads back.
    for (int signal = 1; signal <= 64; ++signal) {
        const std::string name = signal_name(signal);
        if (!name.starts_with("signal ")) {
            EXPECT_EQ(detail::checked_signal(name), signal) << name;
        }
    }
}

TEST(ExpectKeys, OutputText) {
    EXPECT_EQ(expect_of("stdout = \"done\"").stdout_text, (TextExpectation{"done", false}));
    EXPECT_EQ(expect_of("stderr = \"/^E[0-9]+$/\"").stderr_text,
              (TextExpectation{"^E[0-9]+$", true}));
    // Only text that both starts and ends with a slash is a regex.
    EXPECT_EQ(expect_of("stdout = \"/tmp/out\"").stdout_text, (TextExpectation{"/tmp/out", false}));
    EXPECT_EQ(expect_of("stdout = \"/\"").stdout_text, (TextExpectation{"/", false}));
    // "" means no output at all.
    EXPECT_EQ(expect_of("stderr = \"\"").stderr_text, (TextExpectation{"", false}));

    EXPECT_EQ(expect_error("stdout = \"/a(b/\""),
              "s.toml:2:10: invalid regex /a(b/: missing ): a(b");
    EXPECT_EQ(expect_error("stderr = \"//\""),
              "s.toml:2:10: \"stderr\" is an empty regex, which any output matches");
    EXPECT_EQ(expect_error("stdout = 1"),
              "s.toml:2:10: \"stdout\" must be a string, not an integer");
    EXPECT_EQ(expect_error("stderr = [\"a\"]"),
              "s.toml:2:10: \"stderr\" must be a string, not an array");
}

TEST(ExpectKeys, Injected) {
    EXPECT_EQ(expect_of("injected = 0").injected, 0u);
    EXPECT_EQ(expect_of("injected = 3").injected, 3u);
    EXPECT_EQ(expect_error("injected = -1"),
              "s.toml:2:12: \"injected\" must not be negative, got -1");
    EXPECT_EQ(expect_error("injected = \"1\""),
              "s.toml:2:12: \"injected\" must be an integer, not a string");
}

TEST(ExpectKeys, Timeout) {
    EXPECT_EQ(expect_of("timeout = \"10s\"").timeout, milliseconds(10'000));
    EXPECT_EQ(expect_of("timeout = \"500ms\"").timeout, milliseconds(500));
    EXPECT_EQ(expect_of("timeout = \"2m\"").timeout, milliseconds(120'000));
    EXPECT_EQ(expect_of("timeout = \"2000us\"").timeout, milliseconds(2));
    // Rounded up: a timeout never fires earlier than asked.
    EXPECT_EQ(expect_of("timeout = \"1us\"").timeout, milliseconds(1));
    EXPECT_EQ(expect_of("timeout = \"1500us\"").timeout, milliseconds(2));

    const std::string usage =
        ": expected a whole number and a unit, us, ms, s or m (such as \"10s\")";
    EXPECT_EQ(expect_error("timeout = \"10\""), "s.toml:2:11: invalid timeout \"10\"" + usage);
    EXPECT_EQ(expect_error("timeout = \"1h\""), "s.toml:2:11: invalid timeout \"1h\"" + usage);
    EXPECT_EQ(expect_error("timeout = \"1.5s\""), "s.toml:2:11: invalid timeout \"1.5s\"" + usage);
    EXPECT_EQ(expect_error("timeout = \"s\""), "s.toml:2:11: invalid timeout \"s\"" + usage);
    EXPECT_EQ(expect_error("timeout = \"-1s\""), "s.toml:2:11: invalid timeout \"-1s\"" + usage);
    EXPECT_EQ(expect_error("timeout = \"0s\""),
              "s.toml:2:11: timeout must be greater than 0, got \"0s\"");
    EXPECT_EQ(expect_error("timeout = \"99999999999999999999s\""),
              "s.toml:2:11: timeout \"99999999999999999999s\" is too long");
    EXPECT_EQ(expect_error("timeout = \"1000000m\""),
              "s.toml:2:11: timeout \"1000000m\" is too long");
    EXPECT_EQ(expect_error("timeout = 10"),
              "s.toml:2:11: \"timeout\" must be a string such as \"10s\", not an integer");
}

TEST(ExpectKeys, DurationText) {
    EXPECT_EQ(text::duration_text(milliseconds(120'000)), "2m");
    EXPECT_EQ(text::duration_text(milliseconds(90'000)), "90s");
    EXPECT_EQ(text::duration_text(milliseconds(1'500)), "1500ms");
    EXPECT_EQ(text::duration_text(milliseconds(0)), "0ms");
}

TEST(ExpectKeys, SpecScenario) {
    const Scenario s = scenario_from_spec("write:error=ENOSPC:when=3");
    EXPECT_EQ(s.source, "--inject write:error=ENOSPC:when=3");
    ASSERT_EQ(s.rules.size(), 1u);
    EXPECT_EQ(s.rules[0].syscalls.elements, std::vector<std::string>{"write"});
    EXPECT_EQ(s.rules[0].origin, "--inject write:error=ENOSPC:when=3");
    EXPECT_EQ(s.expect, std::nullopt);
    try {
        scenario_from_spec("wrte:error=EIO");
        ADD_FAILURE() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_STREQ(e.what(),
                     "--inject wrte:error=EIO: unknown syscall \"wrte\" (did you mean \"write\"?)");
    }
}

// --- checking ------------------------------------------------------------------------------

RunResult exited(int code) {
    RunResult result;
    result.exit_code = code;
    return result;
}

RunResult killed(int signal) {
    RunResult result;
    result.signal = signal;
    return result;
}

RunResult with_injections(RunResult result, std::size_t count) {
    result.injections.resize(count);
    result.injection_count = count;
    return result;
}

// The run's limit, when given, came from a scenario (not --timeout).
std::vector<std::string> failures(const Expectations& e, const RunResult& r,
                                  std::optional<milliseconds> run_timeout = std::nullopt) {
    std::optional<report::RunTimeout> limit;
    if (run_timeout) {
        limit = report::RunTimeout{*run_timeout, "other.toml"};
    }
    return report::check_expectations(e, r, limit).failures;
}

using Lines = std::vector<std::string>;

TEST(CheckExpectations, ExitCode) {
    Expectations e;
    e.exit_code = 1;
    EXPECT_EQ(failures(e, exited(1)), Lines{});
    EXPECT_EQ(failures(e, exited(0)), Lines{"exit_code 1, got 0"});
    EXPECT_EQ(failures(e, killed(SIGSEGV)), Lines{"exit_code 1, got signal SIGSEGV"});
    e.exit_code = 139;
    EXPECT_EQ(failures(e, killed(SIGSEGV)),
              Lines{"exit_code 139, got signal SIGSEGV (shells show it as 139; expect it with "
                    "signal = \"SIGSEGV\")"});
}

TEST(CheckExpectations, Signal) {
    Expectations none;
    none.signal = 0;
    EXPECT_EQ(failures(none, exited(0)), Lines{});
    EXPECT_EQ(failures(none, exited(3)), Lines{});
    EXPECT_EQ(failures(none, killed(SIGSEGV)), Lines{"signal none, got SIGSEGV"});

    Expectations kill;
    kill.signal = SIGKILL;
    EXPECT_EQ(failures(kill, killed(SIGKILL)), Lines{});
    EXPECT_EQ(failures(kill, exited(0)), Lines{"signal SIGKILL, got exit code 0"});
    EXPECT_EQ(failures(kill, killed(SIGABRT)), Lines{"signal SIGKILL, got SIGABRT"});
}

TEST(CheckExpectations, Stderr) {
    Expectations e;
    e.stderr_text = TextExpectation{"No space left on device", false};
    RunResult r = exited(1);
    r.captured_stderr = "copy: write: No space left on device\n";
    EXPECT_EQ(failures(e, r), Lines{});
    r.captured_stderr = "copy: \"done\"\n\tall\x01 fine\n";
    EXPECT_EQ(failures(e, r),
              Lines{"stderr containing \"No space left on device\", got \"copy: \\\"done\\\"\\n"
                    "\\tall\\x01 fine\\n\""});
    r.captured_stderr = "";
    EXPECT_EQ(failures(e, r), Lines{"stderr containing \"No space left on device\", got nothing"});
    // The text wanted is escaped the same way.
    e.stderr_text = TextExpectation{"a\nb", false};
    EXPECT_EQ(failures(e, r), Lines{"stderr containing \"a\\nb\", got nothing"});
}

TEST(CheckExpectations, EmptyTextMeansNoOutput) {
    Expectations e;
    e.stderr_text = TextExpectation{"", false};
    RunResult r = exited(0);
    EXPECT_EQ(failures(e, r), Lines{});
    r.captured_stderr = "warning\n";
    EXPECT_EQ(failures(e, r), Lines{"stderr empty, got \"warning\\n\""});
}

TEST(CheckExpectations, StdoutRegex) {
    Expectations e;
    e.stdout_text = TextExpectation{"^ok$", true};
    RunResult r = exited(0);
    r.captured_stdout = "start\nok\nend\n";  // ^ and $ match at line ends
    EXPECT_EQ(failures(e, r), Lines{});
    r.captured_stdout = "not ok\n";
    EXPECT_EQ(failures(e, r), Lines{"stdout matching /^ok$/, got \"not ok\\n\""});
    e.stdout_text = TextExpectation{"write [0-9]+: ENOSPC", true};
    r.captured_stdout = "write 1: ok 7\nwrite 2: ENOSPC\n";
    EXPECT_EQ(failures(e, r), Lines{});
}

TEST(CheckExpectations, RegexOnAVeryLongLineDoesNotCrash) {
    // libstdc++'s std::regex, used before RE2, recursed per repeated character: this
    // overflowed an 8 MiB stack.
    const std::string line(100'000, 'a');
    EXPECT_TRUE(report::text_found(TextExpectation{"^a*$", true}, line + "\n"));
    EXPECT_FALSE(report::text_found(TextExpectation{"^a*b$", true}, line));
}

TEST(CheckExpectations, LongOutputIsQuotedByItsEnd) {
    const std::string output = std::string(1000, 'x') + "the error at the end\n";
    const std::string quoted = report::quote_output(output);
    EXPECT_EQ(quoted,
              "(last 200 of 1021 bytes) \"" + std::string(179, 'x') + "the error at the end\\n\"");
    // Never in the middle of a UTF-8 character.
    const std::string accents = std::string(199, 'x') + "\xc3\xa9" + std::string(199, 'y');
    EXPECT_EQ(report::quote_output(accents),
              "(last 199 of 400 bytes) \"" + std::string(199, 'y') + "\"");
}

TEST(CheckExpectations, Injected) {
    Expectations e;
    e.injected = 1;
    EXPECT_EQ(failures(e, with_injections(exited(1), 1)), Lines{});
    EXPECT_EQ(failures(e, exited(0)),
              Lines{"1 fault injected, got 0 (a fault that never fired proves nothing)"});
    EXPECT_EQ(failures(e, with_injections(exited(0), 3)), Lines{"1 fault injected, got 3"});
    e.injected = 0;
    EXPECT_EQ(failures(e, exited(0)), Lines{});
    EXPECT_EQ(failures(e, with_injections(exited(0), 2)), Lines{"0 faults injected, got 2"});
}

TEST(CheckExpectations, TimeoutIsTheOnlyThingSaidAfterAHang) {
    Expectations e;
    e.exit_code = 0;
    e.signal = 0;
    e.stdout_text = TextExpectation{"done", false};
    e.injected = 1;
    e.timeout = milliseconds(2'000);
    RunResult r = killed(SIGKILL);
    r.timed_out = true;
    const report::ExpectationOutcome outcome =
        report::check_expectations(e, r, report::RunTimeout{milliseconds(2'000), "s.toml"});
    EXPECT_EQ(outcome.failures, Lines{"finished within 2s, but it was killed after 2s"});
    EXPECT_EQ(outcome.stated, 5u);

    // The same run held to the expectations of a scenario with a longer timeout, or none.
    e.timeout = milliseconds(5'000);
    EXPECT_EQ(failures(e, r, milliseconds(2'000)),
              Lines{"finished within 5s, but it was killed after 2s (another scenario's "
                    "timeout)"});
    e.timeout.reset();
    EXPECT_EQ(failures(e, r, milliseconds(2'000)),
              Lines{"the program to finish, but it was killed after 2s (another scenario's "
                    "timeout)"});
    // A limit from the command line says so.
    EXPECT_EQ(report::check_expectations(e, r, report::RunTimeout{milliseconds(2'000), "--timeout"})
                  .failures,
              Lines{"the program to finish, but it was killed after 2s (--timeout)"});

    // Finished in time: the timeout held.
    Expectations only_timeout;
    only_timeout.timeout = milliseconds(2'000);
    EXPECT_EQ(failures(only_timeout, killed(SIGKILL), milliseconds(2'000)), Lines{});
}

TEST(CheckExpectations, SeveralFailuresInTableOrder) {
    Expectations e;
    e.timeout = milliseconds(1'000);
    e.injected = 1;
    e.stderr_text = TextExpectation{"error", false};
    e.exit_code = 1;
    const report::ExpectationOutcome outcome = report::check_expectations(e, exited(0), {});
    EXPECT_EQ(outcome.failures,
              (Lines{"exit_code 1, got 0", "stderr containing \"error\", got nothing",
                     "1 fault injected, got 0 (a fault that never fired proves nothing)"}));
    EXPECT_EQ(outcome.stated, 4u);
}

TEST(CheckExpectations, DescribeForCheck) {
    Expectations e;
    e.exit_code = 1;
    e.signal = 0;
    e.stdout_text = TextExpectation{"^ok$", true};
    e.stderr_text = TextExpectation{"No space", false};
    e.injected = 2;
    e.timeout = milliseconds(500);
    EXPECT_EQ(
        report::describe_expectations(e),
        (Lines{"exit_code 1", "signal none", "stdout matching /^ok$/",
               "stderr containing \"No space\"", "2 faults injected", "finished within 500ms"}));
}

TEST(CheckExpectations, FinalLines) {
    std::ostringstream out;
    report::write_outcome(out, "enospc.toml", {3, {}});
    report::write_outcome(out, "a.toml", {3, {"exit_code 1, got 0", "1 fault injected, got 2"}});
    report::write_outcome(out, "b.toml", {1, {"signal none, got SIGSEGV"}});
    EXPECT_EQ(out.str(),
              "inject: PASS: enospc.toml\n"
              "inject: expect: exit_code 1, got 0\n"
              "inject: expect: 1 fault injected, got 2\n"
              "inject: FAIL: a.toml (2 of 3 expectations failed)\n"
              "inject: expect: signal none, got SIGSEGV\n"
              "inject: FAIL: b.toml (1 of 1 expectation failed)\n");
}

}  // namespace
}  // namespace inject
