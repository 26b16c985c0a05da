// The C++ API on real tracees: run() with captured output and a time limit, and
// run_function(), which traces a callable in a forked child as a death test runs its statement.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "harness.hpp"
#include "inject/inject.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

class ApiTest : public ModeTest {
  protected:
    RunOptions options() const {
        RunOptions run_options;
        run_options.use_seccomp = GetParam() == Mode::kSeccomp;
        return run_options;
    }
};
INSTANTIATE_TEST_SUITE_P(Modes, ApiTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

// Writes three records; returns how many writes failed, and says which on stdout.
int write_three_records(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return 100;
    }
    int failures = 0;
    for (const char* record : {"one\n", "two\n", "three\n"}) {
        if (::write(fd, record, std::char_traits<char>::length(record)) < 0) {
            std::printf("write failed: %s\n", strerrorname_np(errno));
            ++failures;
        }
    }
    ::close(fd);
    return failures;
}

TEST_P(ApiTest, RunFunctionFailsTheCallsOfTheCallableOnly) {
    const std::string path = dir_ / "records";
    RunOptions run_options = options();
    run_options.capture_output = true;
    run_options.pass_through = false;
    const RunResult result = run_function(
        scenario_from_spec("write:error=ENOSPC:when=2"), [&] { return write_three_records(path); },
        run_options);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_FALSE(result.signal.has_value());
    EXPECT_EQ(read_file(path), "one\nthree\n");
    ASSERT_EQ(result.injections.size(), 1U);
    EXPECT_EQ(result.injections[0].syscall, "write");
    EXPECT_EQ(result.injections[0].nth, 2U);
    // Its printf went through stdio in the child, flushed before the child ended, and its
    // write was the 4th: not injected.
    EXPECT_EQ(result.captured_stdout, "write failed: ENOSPC\n");
}

TEST_P(ApiTest, RunFunctionWithoutRulesJustRuns) {
    const std::string path = dir_ / "records";
    const RunResult result = run_function(
        Scenario{}, [&] { return write_three_records(path); }, options());
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(read_file(path), "one\ntwo\nthree\n");
    EXPECT_EQ(result.syscall_stops, 0U);
}

TEST_P(ApiTest, RunFunctionReportsAnEscapedException) {
    RunOptions run_options = options();
    run_options.capture_output = true;
    run_options.pass_through = false;
    const RunResult result = run_function(
        Scenario{}, []() -> int { throw std::runtime_error("boom"); }, run_options);
    EXPECT_EQ(result.exit_code, 125);
    EXPECT_EQ(result.captured_stderr, "inject: the traced function threw: boom\n");
}

TEST_P(ApiTest, RunCapturesOutputAndCanStillPassItThrough) {
    RunOptions run_options = options();
    run_options.capture_output = true;
    run_options.pass_through = false;
    const RunResult result = run(scenario_from_spec("write:error=ENOSPC:when=2"),
                                 {program("writes"), dir_ / "out", "3"}, run_options);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.captured_stdout, writes_output(3, {{2, "ENOSPC"}}));
    EXPECT_EQ(result.captured_stderr, "");
}

// A test that runs the program itself gets the command line's verdict from check(): here the
// exit code is wrong, and the output and the count hold.
TEST_P(ApiTest, CheckGivesTheVerdictTheCommandLinePrints) {
    const Scenario scenario = parse_scenario(
        "[[fault]]\nsyscall = \"write\"\nerror = \"ENOSPC\"\nwhen = 2\n"
        "[expect]\nexit_code = 0\nstdout = \"write 2: ENOSPC\"\ninjected = 1\n",
        "s.toml");
    RunOptions run_options = options();
    run_options.pass_through = false;  // run(scenario) captures what stdout needs
    const RunResult result = run(scenario, {program("writes"), dir_ / "out", "3"}, run_options);
    EXPECT_EQ(check(*scenario.expect, result), std::vector<std::string>{"exit_code 0, got 1"});
}

TEST_P(ApiTest, TimeoutKillsAHangAndEverythingItStarted) {
    RunOptions run_options = options();
    run_options.timeout = std::chrono::milliseconds(300);
    const auto started = std::chrono::steady_clock::now();
    // A shell that starts a child and waits for it: both must go.
    const RunResult result = run(scenario_from_spec("write:error=EIO:when=1000"),
                                 {"sh", "-c", "sleep 30 & wait"}, run_options);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.signal, SIGKILL);
    EXPECT_LT(took, std::chrono::seconds(10)) << "run() returned only when sleep 30 ended";
}

TEST_P(ApiTest, NoTimeoutWhenTheProgramFinishesInTime) {
    RunOptions run_options = options();
    run_options.timeout = std::chrono::seconds(30);
    const RunResult result =
        run(scenario_from_spec("write:error=EIO:when=1000"), {"true"}, run_options);
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.exit_code, 0);
}

}  // namespace
}  // namespace inject::testing
