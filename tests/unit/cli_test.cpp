// The command line: where inject's options end and the program begins, and how mistakes read.
#include "cli/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <sstream>

namespace inject::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = Options::RuleSource::Kind;

struct Outcome {
    int status;
    std::string out;
    std::string err;
};

Outcome run_cli(const std::vector<std::string>& arguments) {
    std::ostringstream out;
    std::ostringstream err;
    const int status = main(arguments, out, err);
    return {status, out.str(), err.str()};
}

std::string parse_error(const std::vector<std::string>& arguments) {
    try {
        parse_command_line(arguments);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "(no error)";
}

// A mistake in an -e argument is worded as every other spec's mistake is.
std::string spec_error(const std::vector<std::string>& arguments) {
    try {
        parse_command_line(arguments);
    } catch (const ScenarioError& error) {
        return error.what();
    }
    return "(no error)";
}

TEST(CommandLine, ProgramArgumentsAreNeverReadAsOptions) {
    const Options options = parse_command_line({"-q", "-e", "write:error=EIO", "ls", "-l", "-e"});
    EXPECT_TRUE(options.quiet);
    EXPECT_THAT(options.command, ElementsAre("ls", "-l", "-e"));
    ASSERT_EQ(options.rule_sources.size(), 1U);
    EXPECT_EQ(options.rule_sources[0].text, "write:error=EIO");
}

TEST(CommandLine, DoubleDashEndsOptions) {
    const Options options = parse_command_line({"--no-seccomp", "--", "-weird-name", "x"});
    EXPECT_TRUE(options.no_seccomp);
    EXPECT_THAT(options.command, ElementsAre("-weird-name", "x"));
}

TEST(CommandLine, AttachedAndSeparateValuesBothWork) {
    const Options options =
        parse_command_line({"--inject=read:error=EIO", "-ewrite:error=EIO", "--scenario", "a.toml",
                            "-s", "b.toml", "--seed", "42", "prog"});
    ASSERT_EQ(options.rule_sources.size(), 4U);
    EXPECT_EQ(options.seed, 42U);
    EXPECT_THAT(options.command, ElementsAre("prog"));
}

TEST(CommandLine, RuleSourcesKeepTheirCommandLineOrder) {
    const Options options = parse_command_line(
        {"-e", "read:error=EIO", "-s", "a.toml", "-e", "inject=write:error=EIO"});
    ASSERT_EQ(options.rule_sources.size(), 3U);
    EXPECT_EQ(options.rule_sources[0].kind, Kind::spec);
    EXPECT_EQ(options.rule_sources[1].kind, Kind::scenario_file);
    EXPECT_EQ(options.rule_sources[1].text, "a.toml");
    EXPECT_EQ(options.rule_sources[2].kind, Kind::spec);
    EXPECT_EQ(options.rule_sources[2].text, "inject=write:error=EIO");
}

TEST(CommandLine, UnknownOptionNamesTheNearestOne) {
    EXPECT_EQ(parse_error({"--scenaro", "x.toml", "prog"}),
              "unknown option \"--scenaro\" (did you mean \"--scenario\"?)");
    EXPECT_EQ(parse_error({"-x", "prog"}), "unknown option \"-x\"");
}

TEST(CommandLine, AbbreviatedLongOptionsAreNotGuessed) {
    EXPECT_THAT(parse_error({"--scen", "x.toml", "prog"}), HasSubstr("unknown option \"--scen\""));
}

TEST(CommandLine, TraceSaysWhatTheSyscallLogShows) {
    const Options options = parse_command_line({"-e", "trace=open,%net", "-e", "t=!write", "p"});
    EXPECT_EQ(options.trace, (SyscallNames{{"write"}, true}));  // the last one, as in strace
    EXPECT_TRUE(options.rule_sources.empty());
    EXPECT_EQ(spec_error({"-e", "trace=wrte", "prog"}),
              "--inject trace=wrte: unknown syscall \"wrte\" (did you mean \"write\"?)");
    EXPECT_EQ(spec_error({"-e", "trace=", "prog"}), "--inject trace=: no syscall given");
}

TEST(CommandLine, FaultIsARule) {
    const Options options = parse_command_line({"-e", "fault=chdir", "prog"});
    ASSERT_EQ(options.rule_sources.size(), 1U);
    EXPECT_EQ(options.rule_sources[0].text, "fault=chdir");
}

// strace's other qualifiers, each refused with what inject does instead.
TEST(CommandLine, OtherStraceQualifiersAreRefused) {
    EXPECT_EQ(
        spec_error({"-e", "signal=none", "prog"}),
        "--inject signal=none: strace's -e signal= has no use in inject: the syscall log (-o) "
        "shows calls, not signals, and the program gets all of its own");
    EXPECT_EQ(spec_error({"-e", "v=all", "prog"}),
              "--inject v=all: strace's -e v= has no use in inject: the syscall log (-o) has one "
              "format, strace -f -y's");
    for (const char* qualifier :
         {"abbrev",    "a",          "verbose",    "v",           "raw",      "x",       "signal",
          "signals",   "s",          "status",     "quiet",       "silent",   "silence", "q",
          "read",      "reads",      "r",          "write",       "writes",   "w",       "kvm",
          "decode-fd", "decode-fds", "decode-pid", "decode-pids", "secontext"}) {
        const std::string argument = std::string(qualifier) + "=all";
        EXPECT_THAT(spec_error({"-e", argument, "prog"}),
                    HasSubstr("--inject " + argument + ": strace's -e " + qualifier +
                              "= has no use in inject: "));
    }
    EXPECT_EQ(spec_error({"-e", "trcae=open", "prog"}),
              "--inject trcae=open: unknown qualifier \"trcae\" (did you mean \"trace\"?) (inject "
              "takes inject=, fault= and trace=)");
}

// Values echoed in a usage error stay on one line, with no raw control character.
TEST(CommandLine, EchoedValuesAreOneLine) {
    EXPECT_EQ(parse_error({"--seed", "1\n2\x1b[2J", "prog"}),
              "--seed 1\\n2\\x1b[2J: expected a non-negative integer");
    EXPECT_EQ(parse_error({"-p", "1\n2"}),
              "--attach 1\\n2: expected a process ID (a positive integer)");
    EXPECT_EQ(parse_error({"--scen\x1b[0m", "prog"}), "unknown option \"--scen\\x1b[0m\"");
}

TEST(CommandLine, AttachTakesProcessIdsAndNoProgram) {
    const Options options =
        parse_command_line({"-p", "123", "-e", "write:error=EIO", "--attach=456", "-p789"});
    EXPECT_THAT(options.attach, ElementsAre(123, 456, 789));
    EXPECT_TRUE(options.command.empty());
}

TEST(CommandLine, AttachRefusesWhatIsNoProcessId) {
    for (const char* pid : {"abc", "0", "-3", "12x", "", "99999999999"}) {
        SCOPED_TRACE(pid);
        EXPECT_EQ(parse_error({"-p", pid}),
                  "--attach " + std::string(pid) + ": expected a process ID (a positive integer)");
    }
}

TEST(CommandLine, OutputTakesAFile) {
    const Options options = parse_command_line({"-o", "log.txt", "prog", "-o", "x"});
    EXPECT_EQ(options.output, "log.txt");
    EXPECT_EQ(options.command, (std::vector<std::string>{"prog", "-o", "x"}));
    EXPECT_EQ(parse_command_line({"--output=calls.log", "prog"}).output, "calls.log");
    EXPECT_FALSE(parse_command_line({"prog"}).output.has_value());
}

TEST(CommandLine, ReportTakesAFile) {
    EXPECT_EQ(parse_command_line({"--report", "r.json", "prog"}).report, "r.json");
}

TEST(CommandLine, BadSeedAndMissingValue) {
    EXPECT_EQ(parse_error({"--seed", "-3", "prog"}), "--seed -3: expected a non-negative integer");
    EXPECT_THAT(parse_error({"--scenario"}), HasSubstr("scenario"));
}

TEST(Cli, BadInputIsOneLineAndStatus125) {
    const Outcome outcome = run_cli({"-e", "wrte:error=EIO", "true"});
    EXPECT_EQ(outcome.status, 125);
    EXPECT_EQ(outcome.err,
              "--inject wrte:error=EIO: unknown syscall \"wrte\" (did you mean \"write\"?)\n");
    EXPECT_EQ(outcome.out, "");

    const Outcome option = run_cli({"--frobnicate", "true"});
    EXPECT_EQ(option.status, 125);
    EXPECT_EQ(option.err, "inject: unknown option \"--frobnicate\"\n");
}

TEST(Cli, MissingProgramIsAUsageError) {
    const Outcome outcome = run_cli({"-e", "write:error=EIO"});
    EXPECT_EQ(outcome.status, 125);
    EXPECT_EQ(outcome.err,
              "inject: no program to run (usage: inject [OPTIONS] [--] PROGRAM [ARG...], or -p "
              "PID)\n");
}

TEST(Cli, AttachToAProcessAndStartingAProgramExcludeEachOther) {
    const Outcome outcome = run_cli({"-p", "123", "-e", "write:error=EIO", "true"});
    EXPECT_EQ(outcome.status, 125);
    EXPECT_EQ(outcome.err,
              "inject: -p PID and a PROGRAM exclude each other: attach to a running process, or "
              "start one\n");
    EXPECT_EQ(outcome.out, "");
}

TEST(Cli, AttachRefusesJunit) {
    const Outcome outcome = run_cli({"-p", "123", "--junit", "out.xml", "-e", "write:error=EIO"});
    EXPECT_EQ(outcome.status, 125);
    EXPECT_EQ(outcome.err, "inject: --junit needs a PROGRAM to run, not -p\n");
}

TEST(Cli, CheckNamesTheProcessesItWouldAttachTo) {
    const Outcome outcome = run_cli({"--check", "-e", "write:error=EIO", "-p", "12", "-p", "34"});
    EXPECT_EQ(outcome.status, 0);
    EXPECT_THAT(outcome.out, HasSubstr("\nattach: 12 34 (not attached: --check)\n"));
}

TEST(Cli, CheckPrintsTheRulesAsUnderstoodAndRunsNothing) {
    const Outcome outcome = run_cli({"--check", "-e", "write,pwrite64:error=ENOSPC:when=3", "-e",
                                     "fsync:retval=0:per=thread", "/nonexistent/program"});
    EXPECT_EQ(outcome.status, 0);
    EXPECT_EQ(outcome.err, "");
    EXPECT_EQ(outcome.out,
              "rule 1: write,pwrite64:error=ENOSPC:when=3  (--inject "
              "write,pwrite64:error=ENOSPC:when=3)\n"
              "  fails write or pwrite64 calls 3 (counted per tree, each syscall apart) with -1 "
              "ENOSPC (No space left on device)\n"
              "rule 2: fsync:retval=0:per=thread  (--inject fsync:retval=0:per=thread)\n"
              "  skips fsync calls 1+ (counted per thread) and returns 0\n"
              "program: /nonexistent/program (not started: --check)\n");
}

TEST(Cli, CheckShowsTheFilters) {
    const Outcome outcome =
        run_cli({"--check", "-e", "write:error=EIO:when=2:path=/tmp/**:fd=3:process=app", "-e",
                 "read:error=EIO:process=cp"});
    EXPECT_EQ(outcome.status, 0) << outcome.err;
    EXPECT_EQ(outcome.out,
              "rule 1: write:error=EIO:when=2:path=/tmp/**:fd=3:process=app  (--inject "
              "write:error=EIO:when=2:path=/tmp/**:fd=3:process=app)\n"
              "  fails write calls 2 (counted per tree; only calls on a file matching /tmp/**, on "
              "fd 3, by a program named app) with -1 EIO (Input/output error)\n"
              "rule 2: read:error=EIO:process=cp  (--inject read:error=EIO:process=cp)\n"
              "  fails read calls 1+ (counted per tree; only calls by a program named cp) with -1 "
              "EIO (Input/output error)\n");
}

TEST(Cli, CheckDescribesDelays) {
    const Outcome outcome =
        run_cli({"--check", "-e", "write:delay=300ms", "-e", "read:error=EIO:delay_enter=1.5s",
                 "-e", "fsync:delay_exit=2000:signal=SIGKILL"});
    EXPECT_EQ(outcome.status, 0);
    EXPECT_EQ(outcome.out,
              "rule 1: write:delay=300ms  (--inject write:delay=300ms)\n"
              "  lets write calls 1+ (counted per tree) run after waiting 300ms\n"
              "rule 2: read:error=EIO:delay=1500ms  (--inject read:error=EIO:delay_enter=1.5s)\n"
              "  fails read calls 1+ (counted per tree) with -1 EIO (Input/output error) after "
              "waiting 1500ms\n"
              "rule 3: fsync:signal=SIGKILL:delay_exit=2ms  (--inject "
              "fsync:delay_exit=2000:signal=SIGKILL)\n"
              "  lets fsync calls 1+ (counted per tree) run, the result held back 2ms, sending "
              "SIGKILL to the calling thread when the wait ends\n");
}

TEST(Cli, CheckSaysAShortenedCallStillRuns) {
    const Outcome outcome = run_cli({"--check", "-e", "write:short=1:when=2", "-e",
                                     "%net:short=0:signal=SIGKILL", "-e", "read:short=100"});
    EXPECT_EQ(outcome.status, 0);
    EXPECT_EQ(outcome.out,
              "rule 1: write:short=1:when=2  (--inject write:short=1:when=2)\n"
              "  shortens write calls 2 (counted per tree) to at most 1 byte, which then really "
              "run\n"
              "rule 2: %net:short=0:signal=SIGKILL  (--inject %net:short=0:signal=SIGKILL)\n"
              "  shortens %net calls 1+ (counted per tree, each syscall apart) to at most 0 "
              "bytes, which then really run (of a class, only the calls with a byte count), then "
              "sending SIGKILL to the calling thread\n"
              "rule 3: read:short=100  (--inject read:short=100)\n"
              "  shortens read calls 1+ (counted per tree) to at most 100 bytes, which then "
              "really run\n");

    const Outcome refused = run_cli({"--check", "-e", "fsync:short=1"});
    EXPECT_EQ(refused.status, 125);
    EXPECT_EQ(refused.err,
              "--inject fsync:short=1: short applies to calls with a byte count; \"fsync\" has "
              "none\n");
}

TEST(Cli, CheckShowsTheProbabilityAndTheSeed) {
    const Outcome outcome =
        run_cli({"--check", "--seed", "42", "-e", "write:error=EIO:probability=5%"});
    EXPECT_EQ(outcome.status, 0);
    EXPECT_EQ(outcome.out,
              "rule 1: write:error=EIO:probability=0.05  (--inject "
              "write:error=EIO:probability=5%)\n"
              "  fails write calls 1+ (counted per tree) with -1 EIO (Input/output error) with "
              "probability 0.05\n"
              "seed 42 (from --seed)\n");

    const Outcome drawn = run_cli({"--check", "-e", "write:error=EIO:probability=0.5"});
    EXPECT_THAT(drawn.out, HasSubstr("\nseed "));
    EXPECT_THAT(drawn.out, HasSubstr(" (drawn: a run draws its own unless --seed N is given)\n"));

    // No probability, no seed line, even with --seed.
    const Outcome none = run_cli({"--check", "--seed", "42", "-e", "write:error=EIO"});
    EXPECT_THAT(none.out, ::testing::Not(HasSubstr("seed")));
}

Scenario scenario_with_seed(std::optional<std::uint64_t> seed, const char* spec) {
    Scenario scenario = scenario_from_spec(spec);
    scenario.source = "s.toml";
    scenario.seed = seed;
    return scenario;
}

TEST(Cli, SeedPrecedence) {
    const auto draw = [] { return std::uint64_t{99}; };
    const std::vector<Scenario> scenarios{
        scenario_with_seed(std::nullopt, "write:error=EIO:probability=0.5"),
        scenario_with_seed(7, "read:error=EIO"), scenario_with_seed(8, "read:error=EIO")};
    Options options;
    options.seed = 3;
    SeedChoice choice = choose_seed(options, scenarios, draw);
    EXPECT_EQ(choice.value, 3U);
    EXPECT_EQ(choice.from, SeedChoice::From::option);

    options.seed.reset();
    choice = choose_seed(options, scenarios, draw);  // the first scenario that has a seed
    EXPECT_EQ(choice.value, 7U);
    EXPECT_EQ(choice.from, SeedChoice::From::scenario);
    EXPECT_EQ(choice.scenario, "s.toml");

    choice = choose_seed(options, {scenarios[0]}, draw);
    EXPECT_EQ(choice.value, 99U);
    EXPECT_EQ(choice.from, SeedChoice::From::drawn);

    choice = choose_seed(options, {scenario_with_seed(std::nullopt, "write:error=EIO")}, draw);
    EXPECT_EQ(choice.from, SeedChoice::From::none);
}

TEST(Cli, ListsComeFromTheLibraries) {
    const Outcome syscalls = run_cli({"--list-syscalls"});
    EXPECT_EQ(syscalls.status, 0);
    // "short" last: the calls with a byte count, which short= can cut.
    EXPECT_THAT(syscalls.out, HasSubstr("x86_64 1 write %desc short\n"));
    EXPECT_THAT(syscalls.out, HasSubstr("i386 4 write %desc short\n"));
    EXPECT_THAT(syscalls.out, HasSubstr("x86_64 39 getpid %pure\n"));
    EXPECT_THAT(syscalls.out, HasSubstr("x86_64 4 stat %file %stat %%stat\n"));
    EXPECT_THAT(syscalls.out, HasSubstr("x86_64 74 fsync %desc\n"));
    EXPECT_THAT(syscalls.out, HasSubstr("x86_64 257 openat %file %desc\n"));
    const Outcome errnos = run_cli({"--list-errnos"});
    EXPECT_THAT(errnos.out, HasSubstr("ENOSPC 28 No space left on device\n"));
}

TEST(Cli, HelpAndVersion) {
    EXPECT_THAT(run_cli({"--help"}).out, HasSubstr("usage: inject"));
    EXPECT_THAT(run_cli({"-V"}).out, HasSubstr("inject "));
}

}  // namespace
}  // namespace inject::cli
