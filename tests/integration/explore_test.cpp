// inject --explore on programs with a planted bug each: the bug is found, told once (one group),
// with a replay line that, run again alone, fails the same way; the examples survive the default
// profile; the report and the JUnit file hold every run; bad input is refused before anything
// runs.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace {

namespace fs = std::filesystem;
namespace it = inject::testing;

constexpr auto kTimeout = std::chrono::seconds(240);

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& word) {
    std::vector<std::string> found;
    for (const std::string& line : lines_of(text)) {
        if (line.find(word) != std::string::npos) {
            found.push_back(line);
        }
    }
    return found;
}

it::CommandResult explore(std::vector<std::string> options,
                          const std::vector<std::string>& command) {
    std::vector<std::string> argv{it::inject_binary(), "--explore", "-j2"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return it::run_command(argv, kTimeout);
}

std::string describe(const it::CommandResult& r) {
    return "exit " + std::to_string(r.exit_status) + "\nstderr:\n" + r.err;
}

// The one failing group's replay line, run again by the shell in `directory`.
it::CommandResult replay(const std::string& err, const fs::path& directory) {
    const auto replays = lines_with(err, "  replay: inject ");
    if (replays.size() != 1) {
        ADD_FAILURE() << "expected one replay line in\n" << err;
        return {};
    }
    const std::string line = replays.front().substr(std::string("  replay: inject").size());
    return it::run_command(
        {"/bin/sh", "-c",
         "cd '" + directory.string() + "' && exec '" + it::inject_binary() + "'" + line},
        kTimeout);
}

// The directory a failed run was kept in, removed (a test leaves nothing behind).
void remove_kept(const std::string& err) {
    for (const std::string& line : lines_with(err, "  kept: ")) {
        const fs::path run = line.substr(line.find("kept: ") + 6);
        std::error_code ignored;
        fs::remove_all(run.parent_path(), ignored);
    }
}

TEST(Explore, FindsACrashOnAnErrorPathOnceAndItsReplayCrashesAgain) {
    const auto r = explore({}, {it::program("explore_crash")});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    const auto failures = lines_with(r.err, "explore: FAIL ");
    ASSERT_EQ(failures.size(), 1u) << r.err;
    EXPECT_NE(failures[0].find("FAIL crashed: write:error=EIO"), std::string::npos) << r.err;
    EXPECT_NE(failures[0].find("append_entry (explore_crash.c:"), std::string::npos) << r.err;
    EXPECT_NE(failures[0].find("killed by SIGSEGV"), std::string::npos) << r.err;
    it::TempDir here;
    const auto again = replay(r.err, here.path());
    EXPECT_EQ(again.exit_status, 128 + SIGSEGV) << describe(again);
    remove_kept(r.err);
}

TEST(Explore, FindsAnUncheckedShortWriteWithAfterAndItsReplayFailsTheCheck) {
    const std::string check =
        "[ \"$INJECT_EXIT_CODE\" != 0 ] || [ $(stat -c %s record.dat) -eq 4096 ]";
    const auto r = explore({"--after", check}, {it::program("explore_short")});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    const auto groups = lines_with(r.err, "explore: FAIL ");
    ASSERT_EQ(groups.size(), 1u) << r.err;
    EXPECT_NE(groups[0].find("FAIL after failed: write:short=1"), std::string::npos) << r.err;
    EXPECT_NE(groups[0].find("(explore_short.c:"), std::string::npos) << r.err;
    it::TempDir here;
    const auto again = replay(r.err, here.path());
    EXPECT_EQ(again.exit_status, 1) << describe(again);
    EXPECT_NE(again.err.find("--after exited 1"), std::string::npos) << describe(again);
    EXPECT_EQ(fs::file_size(here / "record.dat"), 1u);
    remove_kept(r.err);
}

TEST(Explore, FindsAHangOnEintrInAFixtureAndItsReplayHangsAgain) {
    it::TempDir fixture;
    it::write_file(fixture / "input.txt", "some input for the reader\n");
    const auto r = explore({"--fixture", fixture.path().string(), "--timeout", "2s"},
                           {it::program("explore_eintr")});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    const auto groups = lines_with(r.err, "explore: FAIL ");
    ASSERT_EQ(groups.size(), 1u) << r.err;
    EXPECT_NE(groups[0].find("FAIL hung: read:error=EINTR:when=1:path=**/input.txt"),
              std::string::npos)
        << r.err;
    EXPECT_NE(groups[0].find("(explore_eintr.c:"), std::string::npos) << r.err;
    it::TempDir elsewhere;  // the replay brings its own copy of the fixture
    const auto again = replay(r.err, elsewhere.path());
    EXPECT_EQ(again.exit_status, 124) << describe(again);
    remove_kept(r.err);
    for (const std::string& line : lines_with(again.err, "running in ")) {
        std::error_code ignored;
        const std::string copy = line.substr(line.find("running in ") + 11);
        fs::remove_all(fs::path(copy.substr(0, copy.find(' '))).parent_path(), ignored);
    }
}

TEST(Explore, TheExamplesSurviveTheDefaultProfile) {
    it::TempDir fixture;
    it::write_file(fixture / "in", std::string(3 * 4096 + 17, 'x'));
    const auto copy =
        explore({"--fixture", fixture.path().string()}, {it::example("copy_file"), "in", "out"});
    EXPECT_EQ(copy.exit_status, 0) << describe(copy);
    EXPECT_NE(copy.err.find("explore: PASS"), std::string::npos) << copy.err;
    const auto config = explore({}, {it::example("config_writer"), "app.conf", "name=demo"});
    EXPECT_EQ(config.exit_status, 0) << describe(config);
    EXPECT_NE(config.err.find("explore: PASS"), std::string::npos) << config.err;
}

// save_rename's check: DIR/config is the old value or the new one whole, and the new one
// once the program said "saved".
std::string save_rename_check() {
    return it::program("save_rename") + " check . old new $(grep -c saved \"$INJECT_STDOUT\")";
}

// A rename over the old file with nothing synced: only a cut after the rename loses the save
// the program reported, which the power cut at the exit is.
TEST(ExplorePowerCut, WithAfterTheDefaultProfileFindsASaveThatWasNeverSynced) {
    it::TempDir fixture;
    it::write_file(fixture / "config", "old");
    const auto r = explore({"--fixture", fixture.path().string(), "--after", save_rename_check()},
                           {it::program("save_rename"), ".", "new"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    const auto groups = lines_with(r.err, "explore: FAIL ");
    ASSERT_EQ(groups.size(), 1u) << r.err;
    EXPECT_NE(groups[0].find("FAIL after failed: exit_group:signal=SIGKILL:lose_unsynced=true"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("  power cut: 3 unsynced changes undone\n"), std::string::npos) << r.err;
    EXPECT_EQ(lines_with(r.err, "    undone: rename ").size(), 1u) << r.err;
    it::TempDir elsewhere;
    const auto again = replay(r.err, elsewhere.path());
    EXPECT_EQ(again.exit_status, 1) << describe(again);
    EXPECT_NE(again.err.find("inject: power cut: 3 unsynced changes undone"), std::string::npos)
        << describe(again);
    EXPECT_NE(again.err.find("--after exited 1"), std::string::npos) << describe(again);
    remove_kept(r.err);
    remove_kept(again.err);
}

TEST(ExplorePowerCut, ASaveSyncedFileAndDirectorySurvivesEveryCut) {
    it::TempDir fixture;
    it::write_file(fixture / "config", "old");
    const std::vector<std::string> save{it::program("save_rename"), ".", "new", "--fsync-file",
                                        "--fsync-dir"};
    const auto r =
        explore({"--fixture", fixture.path().string(), "--after", save_rename_check()}, save);
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    const auto cuts = lines_with(r.err, ":signal=SIGKILL:lose_unsynced=true");
    ASSERT_EQ(cuts.size(), 1u) << r.err;
    EXPECT_NE(cuts[0].find("explore: survived 6 of 6 runs: "), std::string::npos) << r.err;
    // Without --after nothing would look at the files: no power cuts.
    const auto unchecked = explore({"--fixture", fixture.path().string()}, save);
    EXPECT_EQ(unchecked.exit_status, 0) << describe(unchecked);
    EXPECT_EQ(unchecked.err.find("lose_unsynced"), std::string::npos) << unchecked.err;
}

// Records appended without checksums, synced once: the strict model loses them whole, which
// the recovery takes well; a disk that wrote some of them out and tore the next is found by
// keeping a prefix.
TEST(ExplorePowerCut, ATornJournalRecordIsFoundByKeepingAPrefix) {
    const std::string cut = "write,fsync,exit_group:signal=SIGKILL:lose_unsynced=true";
    const std::string check = it::program("journal") + " check .";
    const std::vector<std::string> journal{it::program("journal"), ".", "20"};
    const auto strict = explore({"-e", cut, "--after", check}, journal);
    EXPECT_EQ(strict.exit_status, 0) << describe(strict);
    const auto prefix = explore({"-e", cut + ":mode=prefix", "--after", check}, journal);
    EXPECT_EQ(prefix.exit_status, 1) << describe(prefix);
    const auto groups = lines_with(prefix.err, "explore: FAIL ");
    ASSERT_EQ(groups.size(), 1u) << prefix.err;
    EXPECT_NE(groups[0].find("FAIL after failed: fsync:"), std::string::npos) << prefix.err;
    EXPECT_NE(groups[0].find("(journal.c:"), std::string::npos) << prefix.err;
    it::TempDir here;
    const auto again = replay(prefix.err, here.path());
    EXPECT_EQ(again.exit_status, 1) << describe(again);
    EXPECT_NE(again.out.find("is torn"), std::string::npos) << again.out;
    remove_kept(prefix.err);
}

TEST(Explore, ByCallMakesARunPerCallAndBySiteFewer) {
    it::TempDir dir;
    const std::string report = dir / "report.json";
    const auto by_site =
        explore({"-e", "write:error=EIO", "--report", report}, {it::program("explore_crash"), "5"});
    const auto site = nlohmann::json::parse(it::read_file(report));
    const auto by_call =
        explore({"-e", "write:error=EIO", "--explore-by", "call", "--report", report},
                {it::program("explore_crash"), "5"});
    const auto call = nlohmann::json::parse(it::read_file(report));
    EXPECT_EQ(call["runs"].size(), call["survey"]["calls"].get<std::size_t>()) << by_call.err;
    EXPECT_LT(site["runs"].size(), call["runs"].size()) << by_site.err;
    EXPECT_EQ(site["runs"].size(), site["survey"]["failure_points"].get<std::size_t>());
    EXPECT_EQ(call["runs"].size(), 5u);
    EXPECT_EQ(call["runs"][4]["point"]["occurrence"], 5);
    // Every run of one site crashes the same way: one group.
    EXPECT_EQ(call["groups"].size(), 1u) << by_call.err;
    EXPECT_EQ(call["groups"][0]["runs"].size(), 5u);
    for (const auto& run : call["runs"]) {
        std::error_code ignored;
        fs::remove_all(fs::path(run["directory"].get<std::string>()).parent_path(), ignored);
    }
    for (const auto& run : site["runs"]) {
        std::error_code ignored;
        fs::remove_all(fs::path(run["directory"].get<std::string>()).parent_path(), ignored);
    }
}

TEST(Explore, TheReportAndJunitHoldEveryRunFieldByField) {
    it::TempDir dir;
    const std::string report = dir / "report.json";
    const std::string junit = dir / "junit.xml";
    const auto r = explore({"-e", "write:error=EIO", "--report", report, "--junit", junit,
                            "--save-scenarios", dir / "saved"},
                           {it::program("explore_crash")});
    ASSERT_EQ(r.exit_status, 1) << describe(r);
    const auto json = nlohmann::json::parse(it::read_file(report));
    EXPECT_EQ(json["templates"], nlohmann::json::array({"write:error=EIO"}));
    EXPECT_EQ(json["command"], nlohmann::json::array({it::program("explore_crash")}));
    EXPECT_EQ(json["survey"]["calls"], 1);
    EXPECT_EQ(json["survey"]["failure_points"], 1);
    EXPECT_TRUE(json["survey"]["failure"].is_null());
    ASSERT_EQ(json["survey"]["sites"].size(), 1u);
    EXPECT_EQ(json["survey"]["sites"][0]["calls"], 1);
    EXPECT_EQ(json["survey"]["sites"][0]["fault"], "write:error=EIO");
    ASSERT_EQ(json["runs"].size(), 1u);
    const auto& run = json["runs"][0];
    EXPECT_EQ(run["verdict"], "crashed");
    EXPECT_EQ(run["signal"], "SIGSEGV");
    EXPECT_TRUE(run["exit_code"].is_null());
    EXPECT_EQ(run["detail"], "killed by SIGSEGV");
    EXPECT_EQ(run["point"]["syscall"], "write");
    EXPECT_EQ(run["point"]["file"], "journal.txt");
    EXPECT_EQ(run["point"]["path"], "**/journal.txt");
    EXPECT_EQ(run["point"]["occurrence"], 1);
    EXPECT_NE(run["point"]["site"].get<std::string>().find("append_entry"), std::string::npos);
    const std::string fault = run["fault"];
    EXPECT_EQ(
        fault.rfind("write:error=EIO:when=1:path=**/journal.txt:caller=explore_crash.c\\:", 0), 0u)
        << fault;
    EXPECT_TRUE(run["directory"].is_string());
    ASSERT_EQ(json["groups"].size(), 1u);
    EXPECT_EQ(json["groups"][0]["verdict"], "crashed");
    EXPECT_EQ(json["groups"][0]["runs"], nlohmann::json::array({0}));
    EXPECT_NE(json["groups"][0]["replay"].get<std::string>().find(fault), std::string::npos);
    EXPECT_EQ(json["passed"], false);

    const std::string xml = it::read_file(junit);
    EXPECT_NE(xml.find("<testcase name=\"" + fault), std::string::npos) << xml;
    EXPECT_NE(xml.find("classname=\"inject.explore\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("crashed: killed by SIGSEGV; replay: inject -e"), std::string::npos) << xml;

    // The saved scenario reproduces the crash as a failing test.
    const auto saved = it::run_command({it::inject_binary(), "-s", dir / "saved/explore-1.toml",
                                        "--", it::program("explore_crash")});
    EXPECT_EQ(saved.exit_status, 1) << describe(saved);
    EXPECT_NE(saved.err.find("inject: FAIL"), std::string::npos) << describe(saved);
    fs::remove_all(fs::path(run["directory"].get<std::string>()).parent_path());
}

TEST(Explore, AProgramThatFailsWithoutFaultsIsNotExplored) {
    const auto r = explore({"-e", "write:error=EIO"}, {it::program("exit_status"), "3"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("the program exited 3 without faults"), std::string::npos) << r.err;
}

// The faults exploration relies on are the kernel's own, in plain runs too.
TEST(KernelFaults, AFailedCloseStillReleasesTheFd) {
    const auto r = it::run_command({it::inject_binary(), "-q", "-e", "close:error=EIO:caller=main",
                                    "--", it::program("kernel_faults")});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.out.find("close: EIO\nfd: released\n"), std::string::npos) << r.out;
}

TEST(KernelFaults, ACloseThatDoesNotRunFirstLeavesTheFdOpen) {
    const auto r =
        it::run_command({it::inject_binary(), "-q", "-e", "close:error=EIO:run=false:caller=main",
                         "--", it::program("kernel_faults")});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.out.find("close: EIO\nfd: open\n"), std::string::npos) << r.out;
}

TEST(KernelFaults, RunTrueRunsTheCallBeforeItsResultIsReplaced) {
    it::TempDir dir;
    it::write_file(dir / "kept", "x");
    const auto kept = it::run_command({it::inject_binary(), "-q", "-e", "unlinkat:error=EIO", "--",
                                       "/bin/rm", "-f", dir / "kept"});
    EXPECT_NE(kept.exit_status, 0) << describe(kept);
    EXPECT_TRUE(fs::exists(dir / "kept")) << "without run=true the call does not run";
    it::write_file(dir / "removed", "x");
    const auto removed =
        it::run_command({it::inject_binary(), "-q", "-e", "unlinkat:error=EIO:run=true", "--",
                         "/bin/rm", "-f", dir / "removed"});
    EXPECT_NE(removed.exit_status, 0) << describe(removed);  // rm saw the error
    EXPECT_FALSE(fs::exists(dir / "removed")) << "with run=true the call ran";
}

TEST(KernelFaults, AFailedBrkReturnsTheUnchangedBreak) {
    const auto r = it::run_command({it::inject_binary(), "-q", "-e", "brk:error=ENOMEM:caller=main",
                                    "--", it::program("kernel_faults")});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.out.find("sbrk: ENOMEM\nbreak: unchanged\n"), std::string::npos) << r.out;
}

// Each mistake: one line, 125, and the program never started.
void expect_refused(const std::vector<std::string>& arguments, const std::string& words) {
    it::TempDir dir;
    std::vector<std::string> argv{it::inject_binary()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    argv.insert(argv.end(), {"--", it::program("writes"), dir / "marker", "1"});
    const auto r = it::run_command(argv);
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "marker")) << "the program was started";
}

TEST(Explore, BadInputIsRefusedWithOneLineAndNothingRuns) {
    expect_refused({"--explore", "-e", "write:error=EIO:when=2"},
                   "--inject write:error=EIO:when=2: a template for --explore has no when");
    expect_refused({"--explore", "-e", "write:error=EIO:probability=0.5"},
                   "a template for --explore has no probability");
    expect_refused({"--explore", "-j", "0"}, "inject: -j 0: expected a positive integer");
    expect_refused({"--explore", "--max-runs", "x"}, "--max-runs x: expected a positive");
    expect_refused({"--explore", "--explore-by", "line"},
                   "--explore-by line: expected site or call");
    expect_refused({"--explore", "--fixture", "/dev/null"}, "--fixture /dev/null: not a directory");
    expect_refused({"--fixture", "/nonexistent/dir"},
                   "--fixture /nonexistent/dir: no such directory");
    expect_refused({"-j", "2"}, "need --explore");
    expect_refused({"--explore", "-o", "/dev/null"}, "-o and --explore exclude each other");
}

TEST(Explore, AttachingIsRefused) {
    for (const auto& arguments : {std::vector<std::string>{"--explore", "-p", "1"},
                                  std::vector<std::string>{"--after", "true", "-p", "1"}}) {
        std::vector<std::string> argv{it::inject_binary()};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        const auto r = it::run_command(argv);
        EXPECT_EQ(r.exit_status, 125) << describe(r);
        EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find("-p"), std::string::npos) << r.err;
    }
}

}  // namespace
