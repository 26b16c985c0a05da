// The pure parts of --explore: which calls are the loader's, what failure point a call is, the
// rule that pins it, the verdict of a run, the replay line and the saved scenario.

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "explore/explore_report.hpp"
#include "explore/points.hpp"
#include "explore/verdict.hpp"
#include "inject/explore.hpp"
#include "inject/scenario.hpp"

namespace {

using namespace inject;
using namespace inject::exploration;

StackFrame libc_frame(std::uint64_t offset) {
    StackFrame frame;
    frame.module = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    frame.offset = offset;
    frame.function = "__write";
    frame.in_c_library = true;
    return frame;
}

StackFrame own_frame(const std::string& function, const std::string& file, unsigned line,
                     std::uint64_t offset = 0x1100) {
    StackFrame frame;
    frame.module = "/build/app";
    frame.offset = offset;
    frame.function = function;
    frame.file = file;
    frame.line = line;
    return frame;
}

Injection call(const std::string& syscall, std::vector<StackFrame> stack,
               std::optional<std::string> path = std::nullopt, pid_t pid = 100) {
    Injection injection;
    injection.syscall = syscall;
    injection.pid = pid;
    injection.tid = pid;
    injection.stack = std::move(stack);
    injection.path = std::move(path);
    return injection;
}

TEST(ExploreStartup, CallsBeforeTheProgramsOwnCodeAreStartupPerProcess) {
    const std::vector<Injection> calls{
        call("openat", {libc_frame(0x10)}),                                      // the loader
        call("mmap", {libc_frame(0x20)}),                                        // the loader
        call("openat", {libc_frame(0x10), own_frame("main", "/src/app.c", 7)}),  // main
        call("mmap", {libc_frame(0x20)}),  // malloc, after main began: the program's
        call("openat", {libc_frame(0x10)}, std::nullopt, 200),  // an exec'd child's loader
        call("write", {}, std::nullopt, 300),  // no stack: nothing says it is startup
    };
    EXPECT_EQ(startup_calls(calls), (std::vector<bool>{true, true, false, false, true, false}));
}

TEST(ExplorePoints, CallerGlobIsTheNamingFramesLineElseItsModuleOffset) {
    EXPECT_EQ(caller_glob_of({libc_frame(1), own_frame("save", "/src/notes.c", 42)}), "notes.c:42");
    EXPECT_EQ(caller_glob_of({libc_frame(1), own_frame("", "", 0, 0x11b0)}), "app+0x11b0");
    EXPECT_EQ(caller_glob_of({}), "");
}

TEST(ExplorePoints, FilesInTheRunDirectoryAreGlobbedFromAnyCopy) {
    EXPECT_EQ(file_in_run("/tmp/w/run-3/sub/out.txt", "/tmp/w/run-3"), "sub/out.txt");
    EXPECT_EQ(path_glob_of("sub/out.txt", "/tmp/w/run-3/sub/out.txt"), "**/sub/out.txt");
    EXPECT_EQ(file_in_run("/etc/passwd", "/tmp/w/run-3"), "/etc/passwd");
    EXPECT_EQ(path_glob_of("/etc/passwd", "/etc/passwd"), "/etc/passwd");
    EXPECT_EQ(file_in_run("pipe:[1234]", "/tmp/w/run-3"), "");
    EXPECT_EQ(file_in_run(std::nullopt, "/tmp/w/run-3"), "");
    EXPECT_EQ(path_glob_of("", ""), "");
    EXPECT_EQ(file_in_run("/tmp/w/run-3", "/tmp/w/run-3"), ".");
    EXPECT_EQ(path_glob_of(".", "/tmp/w/run-3"), "");
}

TEST(ExplorePoints, OnePointPerTemplateSiteAndFileFailingItsFirstCall) {
    const std::vector<Rule> templates{parse_spec("write:error=EIO"),
                                      parse_spec("write,fsync:error=ENOSPC")};
    const auto save = [](unsigned line) {
        return std::vector<StackFrame>{libc_frame(1), own_frame("save", "/src/notes.c", line)};
    };
    const std::vector<Injection> calls{
        call("write", save(10), "/run/a.txt"), call("write", save(10), "/run/a.txt"),
        call("write", save(10), "/run/b.txt"), call("write", save(20), "/run/a.txt"),
        call("fsync", save(30), "/run/a.txt")};
    const auto by_site = failure_points(templates, calls, "/run", ExploreBy::site, false);
    EXPECT_EQ(by_site.calls_seen, 5u);
    EXPECT_EQ(by_site.distinct, 7u);  // 3 write points for each template, fsync for one
    ASSERT_EQ(by_site.points.size(), 7u);
    EXPECT_EQ(by_site.points[0].template_index, 0u);
    EXPECT_EQ(by_site.points[0].caller, "notes.c:10");
    EXPECT_EQ(by_site.points[0].path, "**/a.txt");
    EXPECT_EQ(by_site.points[0].occurrence, 1u);
    EXPECT_EQ(by_site.points[2].file, "b.txt");  // second template's first is [1]
    EXPECT_EQ(by_site.points[6].syscall, "fsync");

    const auto by_call = failure_points(templates, calls, "/run", ExploreBy::call, false);
    ASSERT_EQ(by_call.points.size(), 9u);
    EXPECT_EQ(by_call.points[2].occurrence, 2u);  // the second write to a.txt at line 10
    EXPECT_EQ(pinned_rule(templates[0], by_call.points[2]).when.to_string(), "2");
}

TEST(ExplorePoints, TheOccurrenceCountsEveryCallThePinnedCallerMatches) {
    // notes.c:5 is on the stack of both calls (it calls a helper that writes): the rule
    // caller=notes.c:5 counts the helper's write too.
    const std::vector<Rule> templates{parse_spec("write:error=EIO")};
    const std::vector<Injection> calls{
        call("write", {libc_frame(1), own_frame("helper", "/src/notes.c", 50),
                       own_frame("main", "/src/notes.c", 5)}),
        call("write", {libc_frame(1), own_frame("main", "/src/notes.c", 5)})};
    const auto points = failure_points(templates, calls, "/run", ExploreBy::site, false);
    ASSERT_EQ(points.points.size(), 2u);
    EXPECT_EQ(points.points[1].caller, "notes.c:5");
    EXPECT_EQ(points.points[1].occurrence, 2u);
}

TEST(ExplorePoints, StartupCallsAreLeftOutUnlessAskedFor) {
    const std::vector<Rule> templates{parse_spec("openat:error=ENOENT")};
    const std::vector<Injection> calls{
        call("openat", {libc_frame(1)}, "/lib/libc.so.6"),
        call("openat", {libc_frame(1), own_frame("main", "a.c", 3)}, "/run/x")};
    const auto without = failure_points(templates, calls, "/run", ExploreBy::site, false);
    EXPECT_EQ(without.startup_calls, 1u);
    ASSERT_EQ(without.points.size(), 1u);
    EXPECT_EQ(without.points[0].file, "x");
    const auto with = failure_points(templates, calls, "/run", ExploreBy::site, true);
    EXPECT_EQ(with.points.size(), 2u);
}

TEST(ExplorePoints, AShortTemplateNamesOnlyCallsWithAByteCount) {
    const Rule rule = parse_spec("%file:short=1");
    EXPECT_FALSE(template_names(rule, call("openat", {})));
    EXPECT_TRUE(template_names(parse_spec("%file:error=EIO"), call("openat", {})));
    EXPECT_FALSE(
        template_names(parse_spec("write:error=EIO:path=/x/**"), call("write", {}, "/y/z")));
}

TEST(ExplorePoints, ThePinnedRuleKeepsTheFaultAndPinsTheCall) {
    FailurePoint point;
    point.syscall = "write";
    point.caller = "notes.c:42";
    point.path = "**/out.txt";
    point.occurrence = 3;
    const Rule pinned = pinned_rule(parse_spec("write,pwrite64:error=ENOSPC:per=thread"), point);
    EXPECT_EQ(to_spec(pinned), "write:error=ENOSPC:when=3:path=**/out.txt:caller=notes.c\\:42");
}

TEST(ExploreSurvey, OneRuleNamesEverySyscallOnceAndChangesNothing) {
    const Rule rule =
        survey_rule({parse_spec("write,fsync:error=EIO"), parse_spec("write:short=1")});
    std::vector<std::string> names = rule.syscalls.elements;
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"?fsync", "?write"}));
    EXPECT_TRUE(std::holds_alternative<RunCall>(rule.effect.action));
    EXPECT_FALSE(rule.effect.signal);
}

TEST(ExploreVerdicts, InTheirOrder) {
    RunFacts facts;
    facts.injected = 1;
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::survived);
    facts.exit_code = 1;  // reporting the error is surviving it
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::survived);
    facts.after_status = 2;
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::after_failed);
    EXPECT_EQ(judge(facts).detail, "--after exited 2");
    facts.expect_failures = {"exit_code: expected 0, got 1"};
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::expect_failed);
    facts.exit_code.reset();
    facts.signal = SIGSEGV;
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::crashed);
    EXPECT_EQ(judge(facts).detail, "killed by SIGSEGV");
    facts.injected = 0;
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::not_reached);
    facts.timed_out = true;
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::hung);
}

TEST(ExploreVerdicts, TheSignalTheRuleSentIsNoCrash) {
    RunFacts facts;
    facts.injected = 1;
    facts.signal = SIGKILL;
    facts.sent_signal = SIGKILL;
    EXPECT_EQ(judge(facts).verdict, ExploreVerdict::survived);
}

TEST(ExploreReplay, AShellLineThatReproducesTheRunAlone) {
    ExploreRun run;
    run.rule = parse_spec("write:error=EIO:when=1:path=**/out.txt:caller=notes.c\\:42");
    ExploreOptions options;
    options.fixture = "/srv/fixture";
    options.after = "test -s out.txt";
    EXPECT_EQ(replay_line(run, {"./app", "it's"}, options),
              "inject -e 'write:error=EIO:when=1:path=**/out.txt:caller=notes.c\\:42' --fixture "
              "/srv/fixture --after 'test -s out.txt' -- ./app 'it'\\''s'");
}

// A kept prefix is drawn from the seed, which is 0 in every run of an exploration.
TEST(ExploreReplay, APowerCutThatKeepsAPrefixIsReplayedWithTheRunsSeed) {
    ExploreRun run;
    run.rule = parse_spec("fsync:signal=SIGKILL:lose_unsynced=true:mode=prefix:when=1");
    EXPECT_EQ(replay_line(run, {"./app"}, {}),
              "inject -e fsync:signal=SIGKILL:lose_unsynced=true:mode=prefix:when=1 --seed 0 -- "
              "./app");
}

ExploreResult power_cut_result(std::size_t undone) {
    ExploreResult result;
    ExploreRun run;
    run.rule = parse_spec("exit_group:signal=SIGKILL:lose_unsynced=true:when=1");
    run.verdict = ExploreVerdict::after_failed;
    run.detail = "--after exited 1";
    run.power_cut.emplace();
    run.power_cut->undo_bytes_peak = 3;
    for (std::size_t index = 0; index < undone; ++index) {
        run.power_cut->undone.push_back({"write", "/run-1/config.tmp", "", 0, 3});
    }
    run.power_cut->undone.push_back({"rename", "/run-1/config", "/run-1/config.tmp"});
    result.templates.push_back(run.rule);
    result.runs.push_back(run);
    result.groups.push_back({"_start", ExploreVerdict::after_failed, {0}, "inject -e ..."});
    return result;
}

TEST(ExploreReport, AFailingPowerCutSaysWhatItUndid) {
    std::ostringstream out;
    write_explore_summary(out, power_cut_result(1), 2, 0.5);
    EXPECT_NE(out.str().find("  replay: inject -e ...\n"
                             "  power cut: 2 unsynced changes undone\n"
                             "    undone: write \"/run-1/config.tmp\" bytes 0..3\n"
                             "    undone: rename \"/run-1/config.tmp\" -> \"/run-1/config\"\n"),
              std::string::npos)
        << out.str();
}

TEST(ExploreReport, OnlyTheFirstUndoneChangesAreListed) {
    std::ostringstream out;
    write_explore_summary(out, power_cut_result(9), 2, 0.5);
    EXPECT_NE(out.str().find("  power cut: 10 unsynced changes undone\n"), std::string::npos);
    EXPECT_NE(out.str().find("    ... and 5 more\n"), std::string::npos) << out.str();
}

TEST(ExploreReport, TheJsonRunHasItsPowerCut) {
    const auto report = nlohmann::json::parse(explore_json(power_cut_result(1), {"./app"}, "1"));
    const auto& cut = report["runs"][0]["power_cut"];
    ASSERT_EQ(cut["undone"].size(), 2u);
    EXPECT_EQ(cut["undone"][1]["kind"], "rename");
    EXPECT_EQ(cut["undone"][1]["from"], "/run-1/config.tmp");
    EXPECT_EQ(cut["undone"][0]["offset"], 0);
    EXPECT_EQ(cut["undone"][0]["length"], 3);
    EXPECT_EQ(cut["undo_bytes_peak"], 3);
}

TEST(ExploreReport, ProgressLine) {
    EXPECT_EQ(progress_line(37, 120, 3, 12.5), "explore: 37/120 runs, 3 failing, 0:12");
}

TEST(ExploreReport, TheSavedScenarioReadsBackAsThePinnedRuleWithAnExpectation) {
    ExploreResult result;
    ExploreRun run;
    run.rule = parse_spec("write:error=EIO:when=1:path=**/out.txt:caller=notes.c\\:42");
    run.detail = "killed by SIGSEGV";
    result.runs.push_back(run);
    const ExploreGroup group{"save (notes.c:42)", ExploreVerdict::crashed, {0}, "inject ..."};
    const Scenario scenario = parse_scenario(pinned_scenario(result, group), "saved.toml");
    ASSERT_EQ(scenario.rules.size(), 1u);
    EXPECT_EQ(to_spec(scenario.rules[0]), to_spec(run.rule));
    ASSERT_TRUE(scenario.expect);
}

// A retval past a TOML integer's 64 signed bits stays a string, which the reader takes too.
TEST(ExploreReport, AHugeRetvalsSavedScenarioReadsBack) {
    ExploreResult result;
    ExploreRun run;
    run.rule = parse_spec("read:retval=18446744073709551615:when=1");
    result.runs.push_back(run);
    const ExploreGroup group{"x", ExploreVerdict::crashed, {0}, "inject ..."};
    const Scenario scenario = parse_scenario(pinned_scenario(result, group), "saved.toml");
    ASSERT_EQ(scenario.rules.size(), 1u);
    EXPECT_EQ(to_spec(scenario.rules[0]), to_spec(run.rule));
}

// Booleans and integers are bare in the table, as the reader takes them.
TEST(ExploreReport, APowerCutsSavedScenarioReadsBack) {
    const ExploreResult result = power_cut_result(0);
    const Scenario scenario =
        parse_scenario(pinned_scenario(result, result.groups[0]), "saved.toml");
    ASSERT_EQ(scenario.rules.size(), 1u);
    EXPECT_EQ(to_spec(scenario.rules[0]), to_spec(result.runs[0].rule));
}

}  // namespace
