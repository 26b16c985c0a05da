// lose_unsynced on real programs: a crash point that is a power cut. After the cut the disk
// must look as the strict model says (only what was synced survives), compared here with the
// model's answer for scripts of file-system calls; the classic save by rename is found unsafe
// without its fsyncs and survives every cut with them; a journal without checksums is found
// torn with mode = "prefix".
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.hpp"
#include "inject/inject.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

// A SIGKILL crash point at the nth call of `syscall`, made a power cut.
Rule power_cut_at(const std::string& syscall, std::uint64_t nth,
                  UnsyncedLoss loss = UnsyncedLoss::all) {
    Rule rule;
    rule.syscalls = {syscall};
    rule.effect.action = FailWithErrno{EINTR};
    rule.effect.signal = SIGKILL;
    rule.effect.lose_unsynced = loss;
    rule.signal_alone = true;
    rule.when = When{nth, nth, 1};
    rule.origin = "power_cut_test";
    return rule;
}

RunResult run_quietly(const std::vector<Rule>& rules, const std::vector<std::string>& argv,
                      std::uint64_t seed = 0) {
    RunOptions options;
    options.capture_output = true;
    options.pass_through = false;
    options.seed = seed;
    return run(rules, argv, options);
}

// Every file, directory and symlink under `root` with what it holds ("dir", "-> target").
std::map<std::string, std::string> tree(const fs::path& root) {
    std::map<std::string, std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const std::string name = fs::relative(entry.path(), root).string();
        if (entry.is_symlink()) {
            found[name] = "-> " + fs::read_symlink(entry.path()).string();
        } else if (entry.is_directory()) {
            found[name] = "dir";
        } else {
            found[name] = read_file(entry.path());
        }
    }
    return found;
}

class PowerCutTest : public ::testing::Test {
  protected:
    // Runs fs_script in the fixture's directory with a power cut at `cut`, and returns the
    // tree left.
    std::map<std::string, std::string> cut_script(const Rule& cut,
                                                  const std::vector<std::string>& script) {
        std::vector<std::string> argv{program("fs_script"), "-C", dir_.path().string()};
        argv.insert(argv.end(), script.begin(), script.end());
        last_ = run_quietly({cut}, argv);
        EXPECT_EQ(last_.signal, SIGKILL) << last_.captured_stdout;
        EXPECT_TRUE(last_.power_cut.has_value());
        return tree(dir_.path());
    }

    TempDir dir_;
    RunResult last_;
};

// The model: what the strict model says each script leaves, cut at its exit (everything done,
// nothing after it synced). The disk before the run (old, synced) survives.
TEST_F(PowerCutTest, TheDiskAfterTheCutIsWhatTheModelSays) {
    struct Case {
        std::vector<std::string> script;
        std::map<std::string, std::string> left;
    };
    const std::vector<Case> cases{
        {{"w:old:0:NEW"}, {{"old", "old contents"}}},
        {{"a:old: more", "f:old"}, {{"old", "old contents more"}}},
        {{"a:old: more", "f:old", "a:old: lost"}, {{"old", "old contents more"}}},
        {{"t:old:3"}, {{"old", "old contents"}}},
        {{"u:old"}, {{"old", "old contents"}}},
        {{"a:new:data", "f:new"}, {{"old", "old contents"}}},
        {{"a:new:data", "f:new", "f:."}, {{"old", "old contents"}, {"new", "data"}}},
        {{"a:new:data", "f:."}, {{"old", "old contents"}, {"new", ""}}},
        {{"a:tmp:fresh", "r:tmp:old"}, {{"old", "old contents"}}},
        {{"a:tmp:fresh", "r:tmp:old", "f:."}, {{"old", ""}}},
        {{"a:tmp:fresh", "f:tmp", "r:tmp:old", "f:."}, {{"old", "fresh"}}},
        {{"m:sub", "a:sub/file:x", "f:sub/file", "f:sub"}, {{"old", "old contents"}}},
        {{"m:sub", "f:."}, {{"old", "old contents"}, {"sub", "dir"}}},
        {{"s:old:alias", "l:old:hard"}, {{"old", "old contents"}}},
        {{"a:old:!", "S"}, {{"old", "old contents!"}}},
    };
    for (const Case& test : cases) {
        fs::remove_all(dir_.path());
        fs::create_directory(dir_.path());
        write_file(dir_.path() / "old", "old contents");
        std::string script;
        for (const std::string& op : test.script) {
            script += op + " ";
        }
        EXPECT_EQ(cut_script(power_cut_at("exit_group", 1), test.script), test.left)
            << "script: " << script << "\n"
            << last_.captured_stdout;
    }
}

TEST_F(PowerCutTest, ACutBeforeAWriteUndoesTheWritesBeforeItOnly) {
    write_file(dir_.path() / "old", "old contents");
    // The second pwrite never runs; the first is undone; the fsync'd one stays.
    const auto left = cut_script(power_cut_at("pwrite64", 3),
                                 {"w:old:0:AAA", "f:old", "w:old:4:BBB", "w:old:8:CCC"});
    EXPECT_EQ(left.at("old"), "AAA contents");
    ASSERT_TRUE(last_.power_cut);
    ASSERT_EQ(last_.power_cut->undone.size(), 1U);
    EXPECT_EQ(last_.power_cut->undone[0].kind, "write");
    EXPECT_EQ(last_.power_cut->undone[0].offset, 4U);
    EXPECT_EQ(last_.power_cut->undone[0].length, 3U);
    EXPECT_EQ(last_.power_cut->undone[0].path, (dir_.path() / "old").string());
}

TEST_F(PowerCutTest, WithoutACutNothingIsUndone) {
    write_file(dir_.path() / "old", "old contents");
    // A rule with lose_unsynced that never fires: the run is a plain one.
    const std::vector<std::string> argv{program("fs_script"), "-C", dir_.path().string(),
                                        "w:old:0:NEW"};
    const RunResult result = run_quietly({power_cut_at("fsync", 1)}, argv);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_FALSE(result.power_cut.has_value());
    EXPECT_EQ(read_file(dir_.path() / "old"), "NEW contents");
}

// Saves by rename under a power cut at each of its calls, then checks what recovery finds.
// Returns the cuts after which the check failed.
std::vector<std::string> failing_cuts(const TempDir& dir, const std::vector<std::string>& flags) {
    const std::vector<std::pair<std::string, std::uint64_t>> cuts{
        {"openat", 1}, {"write", 1}, {"fsync", 1}, {"rename", 1},
        {"fsync", 2},  {"writev", 1}, {"exit_group", 1}};
    std::vector<std::string> failing;
    for (const auto& [syscall, nth] : cuts) {
        write_file(dir.path() / "config", "old");
        fs::remove(dir.path() / "config.tmp");
        std::vector<std::string> argv{program("save_rename"), dir.path().string(), "new"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        const RunResult result = run_quietly({power_cut_at(syscall, nth)}, argv);
        const bool acknowledged = result.captured_stdout.find("saved") != std::string::npos;
        const CommandResult check = run_command({program("save_rename"), "check",
                                                 dir.path().string(), "old", "new",
                                                 acknowledged ? "1" : "0"});
        if (check.exit_status != 0) {
            failing.push_back(syscall + ":" + std::to_string(nth) + " " + check.out);
        }
    }
    return failing;
}

TEST(PowerCutRename, RenameOverWithoutFsyncIsFound) {
    TempDir dir;
    EXPECT_FALSE(failing_cuts(dir, {}).empty());
}

TEST(PowerCutRename, RenameOverWithTheDirectoryButNotTheFileSyncedIsFound) {
    TempDir dir;
    EXPECT_FALSE(failing_cuts(dir, {"--fsync-dir"}).empty());
}

TEST(PowerCutRename, RenameOverWithTheFileAndTheDirectorySyncedSurvivesEveryCut) {
    TempDir dir;
    EXPECT_EQ(failing_cuts(dir, {"--fsync-file", "--fsync-dir"}), std::vector<std::string>{});
}

// A torn record needs a cut that keeps part of a write: the strict model loses every unsynced
// write whole, and the journal then always recovers; a kept prefix finds the tear.
TEST(PowerCutJournal, AJournalWithoutChecksumsIsFoundTornWithAPrefixOnly) {
    TempDir dir;
    const auto torn_after_cut = [&](UnsyncedLoss loss, std::uint64_t seed) {
        fs::remove_all(dir.path() / "journal");
        const RunResult result = run_quietly({power_cut_at("fsync", 1, loss)},
                                             {program("journal"), dir.path().string(), "5"}, seed);
        EXPECT_TRUE(result.power_cut.has_value());
        return run_command({program("journal"), "check", dir.path().string()}).exit_status != 0;
    };
    int torn_strict = 0;
    int torn_prefix = 0;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        torn_strict += torn_after_cut(UnsyncedLoss::all, seed) ? 1 : 0;
        torn_prefix += torn_after_cut(UnsyncedLoss::prefix, seed) ? 1 : 0;
    }
    EXPECT_EQ(torn_strict, 0);
    EXPECT_GT(torn_prefix, 0);
}

}  // namespace
}  // namespace inject::testing
