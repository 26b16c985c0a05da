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

// Text TOML++ 3.3 would assert on (or run into undefined behaviour with) is refused first,
// located, as any other mistake; and a syscall regex glibc's regcomp would take gigabytes for
// is read in bounded memory.
TEST_P(CliErrorTest, ScenarioTextTheTomlReaderMishandlesIsRefusedFirst) {
    for (const auto& [text, words] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"[[fault]]\ncafé = \"write\"\n", {"bad.toml:2:4: ", "outside quotes"}},
             {"[ #fault\n", {"bad.toml:1:3: expected a table name after '['"}},
             {"[[fault]]\nsyscall = \"write\"\nerror = [}\n", {"bad.toml:3:10: "}},
             {"[[fault]]\nwhen = 1979-05-27 1\n", {"bad.toml:2:19: expected a time"}},
         }) {
        SCOPED_TRACE(text);
        write_file(dir_ / "bad.toml", text);
        const auto r = inject({"-s", dir_ / "bad.toml"}, {program("writes"), dir_ / "marker", "1"});
        expect_refused(r, dir_ / "marker", words);
    }
    const std::string run_of_pluses = "/writezer" + std::string(56, '+') + ":error=EIO";
    const auto r = inject({"-e", run_of_pluses}, {program("writes"), dir_ / "marker", "1"});
    expect_refused(r, dir_ / "marker", {"matches no syscall"});
}

// strace's -e qualifiers: trace= with a bad set, and those inject has no use for.
TEST_P(CliErrorTest, StracesOtherQualifiersAreRefusedWithWhatInjectDoesInstead) {
    for (const auto& [argument, words] :
         std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"trace=wrte", {"--inject trace=wrte: unknown syscall \"wrte\"", "write"}},
             {"signal=none", {"--inject signal=none: strace's -e signal= has no use", "signals"}},
             {"status=failed", {"-e status=", "whatever it returned"}},
             {"verbose=all", {"-e verbose=", "one format"}},
             {"traec=write", {"unknown qualifier \"traec\"", "did you mean \"trace\"?"}},
         }) {
        SCOPED_TRACE(argument);
        const auto r = inject({"-e", argument}, {program("writes"), dir_ / "marker", "1"});
        expect_refused(r, dir_ / "marker", words);
    }
}

// The keys strace's syntax and inject's scenarios gained, each with a wrong variant.
TEST_P(CliErrorTest, NewKeysRefuseWrongValuesInSpecsAndScenarios) {
    for (const auto& [spec, words] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"fault=write:retval=0", {"\"retval\" is not a key of -e fault="}},
             {"write:poke_enter=@arg9=00", {"invalid poke_enter \"@arg9=00\""}},
             {"write:poke_exit=@arg1=abc", {"pairs of hex digits"}},
             {"write:error=EIO:syscall=chdir", {"\"syscall\" takes a call that changes nothing"}},
             {"write@99:error=EIO", {"unknown personality \"99\""}},
             {"/(:error=EIO", {"invalid regex \"(\""}},
             {"write:when=2:error=EIO:error=EIO", {"\"error\" given twice"}},
         }) {
        SCOPED_TRACE(spec);
        const auto r = inject({"-e", spec}, {program("writes"), dir_ / "marker", "1"});
        expect_refused(r, dir_ / "marker", {"--inject " + spec + ": "});
        for (const std::string& word : words) {
            EXPECT_NE(r.err.find(word), std::string::npos) << r.err;
        }
    }
    write_file(dir_ / "bad.toml",
               "[[fault]]\nsyscall = [\"write\", \"/nosuch\"]\nerror = 5\n\n"
               "[[fault]]\nsyscall = \"write\"\nretval = 0\npoke_exit = 1\n");
    const auto r = inject({"-s", dir_ / "bad.toml"}, {program("writes"), dir_ / "marker", "1"});
    expect_refused(r, dir_ / "marker", {"bad.toml:2:21: regex \"nosuch\" matches no syscall"});
    write_file(dir_ / "bad.toml", "[[fault]]\nsyscall = \"write\"\nretval = 0\npoke_exit = 1\n");
    const auto poke = inject({"-s", dir_ / "bad.toml"}, {program("writes"), dir_ / "marker", "1"});
    expect_refused(poke, dir_ / "marker",
                   {"bad.toml:4:13: \"poke_exit\" must be a string, not an integer"});
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

TEST_P(CliErrorTest, OutputsThatAreTheSameFileAreRefusedBeforeTheProgramRuns) {
    const std::string marker = dir_ / "marker";
    const std::vector<std::string> program_args{program("writes"), marker, "1"};
    // The same path twice, before the file exists.
    expect_refused(inject({"-o", dir_ / "x", "--report", dir_ / "x"}, program_args), marker,
                   {"-o " + (dir_ / "x"), "--report " + (dir_ / "x"), "same file"});
    // The same file under two names: a hard link.
    write_file(dir_ / "j.xml", "");
    fs::create_hard_link(dir_ / "j.xml", dir_ / "alias.xml");
    expect_refused(
        inject({"--junit", dir_ / "j.xml", "--report", dir_ / "alias.xml"}, program_args), marker,
        {"--junit", "--report", "same file"});
    // An output over the scenario it is read from: the scenario stays as it was.
    const std::string scenario = dir_ / "s.toml";
    const std::string text = "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n";
    write_file(scenario, text);
    expect_refused(inject({"-s", scenario, "-o", dir_ / "./s.toml"}, program_args), marker,
                   {"overwrite the scenario"});
    EXPECT_EQ(read_file(scenario), text);
    // Devices are shared freely.
    const auto both = inject({"-q", "-o", "/dev/null", "--report", "/dev/null"}, program_args);
    EXPECT_EQ(both.exit_status, 0) << describe(both);
}

TEST_P(CliErrorTest, ABadTimeoutIsRefused) {
    const std::string marker = dir_ / "marker";
    for (const auto& [value, words] : {std::pair<std::string, std::vector<std::string>>{
                                           "0s", {"--timeout 0s", "greater than 0"}},
                                       {"10", {"--timeout", "\"10\""}},
                                       {"5 parsecs", {"--timeout", "5 parsecs"}}}) {
        expect_refused(inject({"--timeout", value}, {program("writes"), marker, "1"}), marker,
                       words);
    }
}

TEST_P(CliErrorTest, AReportThatCannotBeWrittenStillSaysHowTheProgramEnded) {
    const auto r = inject({"-q", "--report", "/dev/full", "-e", "write:error=EIO:when=2"},
                          {program("writes"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.err,
              "inject: the program exited 1; cannot write --report /dev/full: No space left on "
              "device\n");
}

TEST_P(CliErrorTest, TimeoutEndsAHangWith124) {
    const auto r = inject({"-q", "--timeout", "300ms"}, {program("hang")});
    EXPECT_EQ(r.exit_status, 124) << describe(r);
    // With expectations it is a failed test, saying whose limit it was.
    const std::string scenario = dir_ / "s.toml";
    write_file(scenario, "[expect]\nexit_code = 0\n");
    const auto tested = inject({"-q", "--timeout", "300ms", "-s", scenario}, {program("hang")});
    EXPECT_EQ(tested.exit_status, 1) << describe(tested);
    EXPECT_NE(tested.err.find("the program to finish, but it was killed after 300ms (--timeout)"),
              std::string::npos)
        << tested.err;
}

}  // namespace
}  // namespace inject::testing
