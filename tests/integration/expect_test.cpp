// Scenarios as tests: the real inject checking [expect] tables against real programs, its
// PASS/FAIL lines and exit status, the program's output passed through untouched, a hang
// ended by the timeout, and the --junit file. Every test runs with and without the filter.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

class ExpectTest : public ModeTest {
  protected:
    // Writes a scenario into the test's directory and returns its path.
    std::string scenario_file(std::string_view name, std::string_view toml) const {
        const std::string path = dir_ / name;
        write_file(path, toml);
        return path;
    }

    // A scenario failing the 3rd write with ENOSPC, and the given [expect] lines.
    std::string enospc_expecting(std::string_view expect) const {
        return scenario_file("enospc.toml",
                             "[[fault]]\nsyscall = \"write\"\nerror = \"ENOSPC\"\n"
                             "when = 3\n\n[expect]\n" +
                                 std::string(expect));
    }

    CommandResult writes_under(const std::string& scenario,
                               const std::vector<std::string>& options = {}) const {
        std::vector<std::string> all{"-s", scenario};
        all.insert(all.end(), options.begin(), options.end());
        return inject(all, {program("writes"), dir_ / "out", "5"});
    }
};

INSTANTIATE_TEST_SUITE_P(Modes, ExpectTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

TEST_P(ExpectTest, AllHoldExitsZeroAndPassesTheOutputThrough) {
    const std::string s = enospc_expecting(
        "exit_code = 1\nsignal = \"none\"\nstdout = \"/^write 3: ENOSPC$/\"\nstderr = \"\"\n"
        "injected = 1\ntimeout = \"20s\"\n");
    const auto r = writes_under(s);
    EXPECT_EQ(r.exit_status, 0) << describe(r);  // not the program's 1
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}})) << "passed through untouched";
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {3}));
    EXPECT_TRUE(r.err.ends_with("inject: PASS: " + s + "\n")) << r.err;
    EXPECT_EQ(r.err.find("inject: expect:"), std::string::npos) << r.err;
    EXPECT_TRUE(parse_summary(r.err).found) << "the summary is still there: " << r.err;
}

TEST_P(ExpectTest, QuietKeepsOnlyTheVerdict) {
    const std::string s = enospc_expecting("exit_code = 1\ninjected = 1\n");
    const auto r = writes_under(s, {"-q"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.err, "inject: PASS: " + s + "\n");
    const auto failing = writes_under(enospc_expecting("exit_code = 0\n"), {"-q"});
    EXPECT_EQ(failing.exit_status, 1) << describe(failing);
    EXPECT_EQ(failing.err, "inject: expect: exit_code 0, got 1\ninject: FAIL: " + s +
                               " (1 of 1 expectation failed)\n");
}

TEST_P(ExpectTest, ExitCodeFails) {
    const std::string s = enospc_expecting("exit_code = 0\ninjected = 1\n");
    const auto r = writes_under(s);
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}}));
    EXPECT_NE(r.err.find("inject: expect: exit_code 0, got 1\n"
                         "inject: FAIL: " +
                         s + " (1 of 2 expectations failed)\n"),
              std::string::npos)
        << r.err;
}

TEST_P(ExpectTest, StdoutFails) {
    const std::string s = enospc_expecting("stdout = \"write 3: EIO\"\n");
    const auto r = writes_under(s, {"-q"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.err,
              "inject: expect: stdout containing \"write 3: EIO\", got \"write 1: ok 7\\n"
              "write 2: ok 7\\nwrite 3: ENOSPC\\nwrite 4: ok 7\\nwrite 5: ok 7\\nfsync: ok 0\\n\"\n"
              "inject: FAIL: " +
                  s + " (1 of 1 expectation failed)\n");
}

TEST_P(ExpectTest, StderrHoldsAndFails) {
    // writes cannot open a file in a missing directory: it says so on stderr and exits 100.
    const std::string missing = dir_ / "missing/out";
    const std::string holds =
        scenario_file("holds.toml", "[expect]\nexit_code = 100\nstderr = \"/: ENOENT$/\"\n");
    auto r = inject({"-q", "-s", holds}, {program("writes"), missing, "1"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.err, "writes: cannot open " + missing + ": ENOENT\ninject: PASS: " + holds + "\n")
        << "the program's stderr is passed through, before the verdict";

    const std::string fails = scenario_file("fails.toml", "[expect]\nstderr = \"EACCES\"\n");
    r = inject({"-q", "-s", fails}, {program("writes"), missing, "1"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(
        r.err.find("inject: expect: stderr containing \"EACCES\", got \"writes: cannot open " +
                   missing + ": ENOENT\\n\"\n"),
        std::string::npos)
        << r.err;
}

TEST_P(ExpectTest, SignalHoldsAndFails) {
    const std::string crash = scenario_file("crash.toml", "[expect]\nsignal = \"SIGSEGV\"\n");
    auto r = inject({"-q", "-s", crash}, {program("segv"), dir_ / "out"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);  // not 139: the crash was expected
    EXPECT_EQ(r.out, "write 1: ok 17\n");

    const std::string none = scenario_file("none.toml", "[expect]\nsignal = \"none\"\n");
    r = inject({"-q", "-s", none}, {program("segv"), dir_ / "out"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.err, "inject: expect: signal none, got SIGSEGV\ninject: FAIL: " + none +
                         " (1 of 1 expectation failed)\n");

    const std::string kill = scenario_file("kill.toml", "[expect]\nsignal = \"KILL\"\n");
    r = inject({"-q", "-s", kill}, {program("exit_status"), "0"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.err, "inject: expect: signal SIGKILL, got exit code 0\ninject: FAIL: " + kill +
                         " (1 of 1 expectation failed)\n");
}

TEST_P(ExpectTest, AFaultThatNeverFiredFails) {
    const std::string s = scenario_file(
        "late.toml",
        "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\nwhen = 99\n[expect]\ninjected = 1\n");
    const auto r = writes_under(s, {"-q"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {}));
    EXPECT_EQ(r.err,
              "inject: expect: 1 fault injected, got 0 (a fault that never fired proves nothing)\n"
              "inject: FAIL: " +
                  s + " (1 of 1 expectation failed)\n");
}

TEST_P(ExpectTest, AHangIsKilledAtTheTimeout) {
    const std::string s = scenario_file(
        "hang.toml", "[expect]\nexit_code = 0\nstdout = \"hanging\"\ntimeout = \"1s\"\n");
    const auto start = std::chrono::steady_clock::now();
    // With two children: the whole tree must go, or inject would wait for them.
    const auto r = inject({"-q", "-s", s}, {program("hang"), "2"});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, "hanging\nhanging\nhanging\n");
    EXPECT_EQ(r.err,
              "inject: expect: finished within 1s, but it was killed after 1s\n"
              "inject: FAIL: " +
                  s + " (1 of 3 expectations failed)\n");
    EXPECT_GE(elapsed, std::chrono::milliseconds(900));
    EXPECT_LT(elapsed, std::chrono::seconds(10))
        << "the test's own limit is " << kRunTimeout.count();
}

TEST_P(ExpectTest, ATimeoutThatIsNotReachedHolds) {
    const std::string s = enospc_expecting("timeout = \"30s\"\n");
    const auto r = writes_under(s, {"-q"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.err, "inject: PASS: " + s + "\n");
}

TEST_P(ExpectTest, EveryScenarioIsCheckedAgainstTheSameRun) {
    const std::string a = enospc_expecting("exit_code = 1\n");
    const std::string b = scenario_file("b.toml", "[expect]\ninjected = 2\n");
    const std::string c = scenario_file("c.toml", "description = \"no expectations\"\n");
    const auto r =
        inject({"-q", "-s", a, "-s", b, "-s", c}, {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.err, "inject: PASS: " + a +
                         "\n"
                         "inject: expect: 2 faults injected, got 0 by its own rules, and 1 by "
                         "the run's other rules (a fault that never fired proves nothing)\n"
                         "inject: FAIL: " +
                         b + " (1 of 1 expectation failed)\n");
}

TEST_P(ExpectTest, WithoutExpectationsNothingChanges) {
    const std::string s = scenario_file(
        "plain.toml", "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\nwhen = 2\n[expect]\n");
    const auto r = writes_under(s, {"-q"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);  // the program's status: an empty table is none
    EXPECT_EQ(r.err, "");
}

TEST_P(ExpectTest, AMistakeInExpectStopsBeforeTheProgramStarts) {
    const std::string s = scenario_file("bad.toml", "[expect]\nexit_cod = 1\n");
    const auto r = writes_under(s);
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.err, s + ":2:1: unknown key \"exit_cod\" (did you mean \"exit_code\"?)\n");
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_P(ExpectTest, CheckListsTheExpectations) {
    const std::string s =
        enospc_expecting("exit_code = 1\nstderr = \"No space\"\ntimeout = \"2s\"\n");
    const auto r = run_command({inject_binary(), "--check", "-s", s}, kRunTimeout);
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.out.find("scenario " + s +
                         "\n  expect exit_code 1\n  expect stderr containing \"No space\"\n"
                         "  expect finished within 2s\n"),
              std::string::npos)
        << r.out;
}

// --- --junit ---------------------------------------------------------------------------------

// The number in `attribute="N"` of the first element named `element`.
std::string attribute_of(const std::string& xml, const std::string& element,
                         const std::string& attribute) {
    const std::size_t at = xml.find("<" + element + " ");
    const std::size_t end = xml.find('>', at);
    const std::string tag = xml.substr(at, end - at);
    const std::size_t value = tag.find(" " + attribute + "=\"");
    if (at == std::string::npos || value == std::string::npos) {
        return "(none)";
    }
    const std::size_t start = value + attribute.size() + 3;
    return tag.substr(start, tag.find('"', start) - start);
}

// xmllint, when installed, says whether the file is well-formed XML.
void expect_well_formed(const std::string& path) {
    const auto r = run_command({"sh", "-c",
                                "command -v xmllint >/dev/null || exit 77; "
                                "xmllint --noout \"$0\"",
                                path});
    if (r.exit_status != 77) {
        EXPECT_EQ(r.exit_status, 0) << r.err;
    }
}

TEST_P(ExpectTest, JunitCountsTestcasesAndFailures) {
    // writes exits 2: the 3rd write and the fsync fail.
    const std::string a = enospc_expecting("exit_code = 2\n");
    const std::string b = scenario_file("b&c.toml",
                                        "description = \"<b> & 'c'\"\n"
                                        "[expect]\nstdout = \"never\"\ninjected = 0\n");
    const std::string junit = dir_ / "junit.xml";
    const auto r = inject({"-q", "--junit", junit, "-s", a, "-s", b, "-e", "fsync:error=EIO"},
                          {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    ASSERT_TRUE(fs::exists(junit));
    const std::string xml = read_file(junit);
    expect_well_formed(junit);
    EXPECT_EQ(attribute_of(xml, "testsuite", "tests"), "3") << xml;
    EXPECT_EQ(attribute_of(xml, "testsuite", "failures"), "2") << xml;
    EXPECT_EQ(attribute_of(xml, "testsuite", "errors"), "0") << xml;
    EXPECT_EQ(count_occurrences(xml, "<testcase "), 3u) << xml;
    EXPECT_EQ(count_occurrences(xml, "<failure "), 2u) << xml;
    EXPECT_NE(
        xml.find("<testcase name=\"&lt;b&gt; &amp; &apos;c&apos;\" classname=\"inject.b&amp;c\""),
        std::string::npos)
        << xml;
    // b fails on its stdout (its `injected = 0` holds: b has no rules of its own, and the 2
    // faults were the others'), the -e testcase because writes exits 2.
    EXPECT_NE(xml.find("<failure message=\"stdout containing &quot;never&quot;, got "),
              std::string::npos)
        << xml;
    EXPECT_EQ(xml.find("faults injected, got"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<testcase name=\"inject -e fsync:error=EIO -- " + program("writes")),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<failure message=\"exit_code 0, got 2\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("<system-out>write 1: ok 7\n"), std::string::npos) << xml;
}

// `injected` counts the faults of the scenario's own rules: one whose fault never fired does
// not pass on the strength of another scenario's, neither in its verdict nor in its testcase.
TEST_P(ExpectTest, AScenarioWhoseOwnFaultNeverFiredFailsWhateverTheOthersInjected) {
    const std::string never = scenario_file(
        "never.toml",
        "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\nwhen = 99\n[expect]\ninjected = 1\n");
    const std::string fires = enospc_expecting("injected = 1\n");
    const std::string junit = dir_ / "junit.xml";
    const auto r = inject({"-q", "--junit", junit, "-s", never, "-s", fires},
                          {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.err,
              "inject: expect: 1 fault injected, got 0 by its own rules, and 1 by the "
              "run's other rules (a fault that never fired proves nothing)\n"
              "inject: FAIL: " +
                  never + " (1 of 1 expectation failed)\ninject: PASS: " + fires + "\n");
    const std::string xml = read_file(junit);
    EXPECT_EQ(attribute_of(xml, "testsuite", "failures"), "1") << xml;
    EXPECT_NE(xml.find("<failure message=\"1 fault injected, got 0 by its own rules"),
              std::string::npos)
        << xml;
}

// Output is kept only as far as what needs it: JUnit shows its last MiB, and says what it
// left out; it still all goes through.
TEST_P(ExpectTest, JunitShowsTheEndOfAnOutputTooLongToKeep) {
    const std::string junit = dir_ / "junit.xml";
    const auto r = inject({"-q", "--junit", junit},
                          {"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; echo END"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    EXPECT_EQ(r.out.size(), 3'000'004U) << "all of it passed through";
    const std::string xml = read_file(junit);
    expect_well_formed(junit);
    EXPECT_NE(xml.find("<system-out>[inject: the first 1951428 of 3000004 bytes are left out]\n" +
                       std::string(1'048'572, 'x') + "END\n</system-out>"),
              std::string::npos)
        << xml.substr(0, 1000);
}

// An expectation on output looks at its last 16 MiB, and says so when what it wanted was not
// there and the program wrote more.
TEST_P(ExpectTest, AnExpectationOnOutputTooLongToKeepSaysWhatWasKept) {
    const std::string s = scenario_file("start.toml", "[expect]\nstdout = \"START\"\n");
    const auto r = inject({"-q", "-s", s},
                          {"sh", "-c", "echo START; head -c 20000000 /dev/zero | tr '\\0' x"});
    EXPECT_EQ(r.exit_status, 1) << r.err;
    EXPECT_NE(r.err.find("(only the last 16777216 of 20000006 bytes written were kept)\n"),
              std::string::npos)
        << r.err;
}

TEST_P(ExpectTest, JunitOfAPassingRun) {
    const std::string junit = dir_ / "junit.xml";
    const auto r = inject({"-q", "--junit", junit}, {program("exit_status"), "0"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    const std::string xml = read_file(junit);
    expect_well_formed(junit);
    EXPECT_EQ(attribute_of(xml, "testsuite", "tests"), "1") << xml;
    EXPECT_EQ(attribute_of(xml, "testsuite", "failures"), "0") << xml;
    EXPECT_EQ(attribute_of(xml, "testcase", "classname"), "inject.exit_status") << xml;
}

TEST_P(ExpectTest, JunitOfAProgramThatCannotStart) {
    const std::string junit = dir_ / "junit.xml";
    const auto r = inject({"-q", "--junit", junit}, {(dir_ / "missing")});
    EXPECT_EQ(r.exit_status, 127) << describe(r);
    const std::string xml = read_file(junit);
    expect_well_formed(junit);
    EXPECT_EQ(attribute_of(xml, "testsuite", "errors"), "1") << xml;
    EXPECT_EQ(attribute_of(xml, "testsuite", "failures"), "0") << xml;
    EXPECT_EQ(count_occurrences(xml, "<error "), 1u) << xml;
}

TEST_P(ExpectTest, JunitPathThatCannotBeWrittenStopsBeforeTheProgramStarts) {
    const std::string junit = dir_ / "no/such/dir/junit.xml";
    const auto r = inject({"--junit", junit}, {program("writes"), dir_ / "out", "1"});
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.err, "inject: cannot write --junit " + junit + ": No such file or directory\n");
    EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_P(ExpectTest, JunitFileIsNotInheritedByTheProgram) {
    // An inherited descriptor would shift the program's fd numbers: /proc/self/fd tells.
    const std::string junit = dir_ / "junit.xml";
    const auto bare = run_command({"ls", "/proc/self/fd"}, kRunTimeout);
    const auto r = inject({"-q", "--junit", junit}, {"ls", "/proc/self/fd"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, bare.out);
}

}  // namespace
}  // namespace inject::testing
