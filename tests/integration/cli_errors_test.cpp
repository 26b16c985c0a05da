// What inject does with input it cannot use: a bad rule, scenario or option ends the run
// with 125 and one line on stderr before the program is started (the program here would
// create a marker file, which must not exist afterwards); a program that cannot be started
// gives 127 (not found) or 126 (not executable), the conventions of env(1) and timeout(1).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

using CliErrorTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, CliErrorTest, ::testing::ValuesIn(kAllModes), mode_name);

// Runs inject with `options` on a program that creates `marker`, and checks the refusal.
void expect_refused(const CommandResult& r, const std::string& marker,
                    const std::vector<std::string>& words) {
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.out, "") << describe(r);
    const auto lines = split_lines(r.err);
    EXPECT_EQ(lines.size(), 1u) << "one line on stderr:\n" << r.err;
    for (const std::string& word : words) {
        EXPECT_NE(r.err.find(word), std::string::npos) << "missing \"" << word << "\" in\n"
                                                       << r.err;
    }
    EXPECT_FALSE(fs::exists(marker)) << "the program was started";
}

TEST_P(CliErrorTest, UnknownSyscallSuggestsTheNearestName) {
    const auto r = inject({"-e", "wrte:error=ENOSPC"}, {program("writes"), dir_ / "marker", "1"});
    expect_refused(r, dir_ / "marker", {"wrte", "did you mean \"write\"?"});
}

TEST_P(CliErrorTest, UnknownErrno) {
    const auto r =
        inject({"-e", "write:error=ENOSPACE"}, {program("writes"), dir_ / "marker", "1"});
    expect_refused(r, dir_ / "marker", {"ENOSPACE"});
}

TEST_P(CliErrorTest, BadWhen) {
    for (const char* when : {"when=abc", "when=0", "when=3..2"}) {
        SCOPED_TRACE(when);
        const auto r = inject({"-e", std::string("write:error=ENOSPC:") + when},
                              {program("writes"), dir_ / "marker", "1"});
        expect_refused(r, dir_ / "marker", {"when"});
    }
}

TEST_P(CliErrorTest, BadScenarioKeyNamesItsPlace) {
    write_file(dir_ / "bad.toml", "[[fault]]\nsyscall = \"wrte\"\nerror = \"ENOSPC\"\n");
    const auto r = inject({"-s", dir_ / "bad.toml"}, {program("writes"), dir_ / "marker", "1"});
    expect_refused(r, dir_ / "marker", {"bad.toml:2:", "wrte", "write"});
}

TEST_P(CliErrorTest, MissingScenarioFile) {
    const auto r = inject({"-s", dir_ / "absent.toml"}, {program("writes"), dir_ / "marker", "1"});
    expect_refused(r, dir_ / "marker", {"absent.toml"});
}

TEST_P(CliErrorTest, UnknownOption) {
    const auto r = inject({"--frobnicate", "-e", "write:error=ENOSPC"},
                          {program("writes"), dir_ / "marker", "1"});
    expect_refused(r, dir_ / "marker", {"frobnicate"});
}

TEST_P(CliErrorTest, CheckValidatesAndRunsNothing) {
    const auto r = inject({"--check", "-e", "write:error=ENOSPC:when=3"},
                          {program("writes"), dir_ / "marker", "1"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE((r.out + r.err).find("write"), std::string::npos) << describe(r);
    EXPECT_FALSE(fs::exists(dir_ / "marker")) << "the program was started";
}

TEST_P(CliErrorTest, ProgramNotFoundIs127) {
    const auto r = inject({"-e", "write:error=ENOSPC"}, {dir_ / "no-such-program"});
    EXPECT_EQ(r.exit_status, 127) << describe(r);
    EXPECT_NE(r.err.find("no-such-program"), std::string::npos) << r.err;
    const auto in_path = inject({"-e", "write:error=ENOSPC"}, {"no-such-program-in-path"});
    EXPECT_EQ(in_path.exit_status, 127) << describe(in_path);
}

TEST_P(CliErrorTest, ProgramNotExecutableIs126) {
    const std::string script = dir_ / "script";
    write_file(script, "#!/bin/sh\ntouch " + (dir_ / "marker") + "\n");
    ::chmod(script.c_str(), 0644);  // no x bit
    const auto r = inject({"-e", "write:error=ENOSPC"}, {script});
    EXPECT_EQ(r.exit_status, 126) << describe(r);
    EXPECT_NE(r.err.find("script"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "marker"));
}

TEST_P(CliErrorTest, FileTheKernelCannotRunIs126NotAShellScript) {
    // execvp would hand such a file to /bin/sh; inject must report it instead, as bash does.
    const std::string garbage = dir_ / "garbage";
    write_file(garbage, "this is not a program\n");
    ::chmod(garbage.c_str(), 0755);
    const auto r = inject({"-e", "write:error=ENOSPC"}, {garbage});
    EXPECT_EQ(r.exit_status, 126) << describe(r);
    EXPECT_EQ(r.err, "inject: " + garbage + ": Exec format error\n");
}

}  // namespace
}  // namespace inject::testing
