// lose_unsynced on real programs: a crash point that is a power cut. After the cut the disk
// must look as the strict model says (only what was synced survives), compared here with the
// model's answer for scripts of file-system calls; the classic save by rename is found unsafe
// without its fsyncs and survives every cut with them; a journal without checksums is found
// torn with mode = "prefix".
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
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
    rule.syscalls = SyscallNames{{syscall}};
    rule.effect.action = RunCall{};  // SIGKILL kills the thread before it runs
    rule.effect.signal = SIGKILL;
    rule.effect.lose_unsynced = loss;
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
        {"openat", 1}, {"write", 1},  {"fsync", 1},     {"rename", 1},
        {"fsync", 2},  {"writev", 1}, {"exit_group", 1}};
    std::vector<std::string> failing;
    for (const auto& [syscall, nth] : cuts) {
        write_file(dir.path() / "config", "old");
        fs::remove(dir.path() / "config.tmp");
        std::vector<std::string> argv{program("save_rename"), dir.path().string(), "new"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        const RunResult result = run_quietly({power_cut_at(syscall, nth)}, argv);
        const bool acknowledged = result.captured_stdout.find("saved") != std::string::npos;
        const CommandResult check =
            run_command({program("save_rename"), "check", dir.path().string(), "old", "new",
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

// ---- The keys, from the command line ----

TEST(PowerCutCli, ASpecWithLoseUnsyncedCutsAndSaysWhatItUndid) {
    TempDir dir;
    write_file(dir.path() / "old", "old contents");
    const CommandResult result =
        run_command({inject_binary(), "-e", "exit_group:signal=SIGKILL:lose_unsynced=true",
                     "--report", dir / "report.json", "--", program("fs_script"), "-C",
                     dir.path().string(), "w:old:0:NEW", "r:old:renamed"});
    EXPECT_EQ(result.exit_status, 128 + SIGKILL) << result.err;
    EXPECT_EQ(read_file(dir.path() / "old"), "old contents");
    EXPECT_FALSE(fs::exists(dir.path() / "renamed"));
    EXPECT_NE(result.err.find("inject: power cut: 2 unsynced changes undone"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("undone: rename \"" + (dir / "old") + "\" -> \"" + (dir / "renamed") +
                              "\""),
              std::string::npos)
        << result.err;
    const nlohmann::json report = nlohmann::json::parse(read_file(dir.path() / "report.json"));
    ASSERT_TRUE(report["power_cut"].is_object());
    EXPECT_EQ(report["power_cut"]["undone"][0]["kind"], "write");
    EXPECT_EQ(report["power_cut"]["undone"][0]["offset"], 0);
    EXPECT_EQ(report["power_cut"]["undone"][0]["length"], 3);
    EXPECT_EQ(report["rules"][0]["lose_unsynced"], "strict");
}

TEST(PowerCutCli, AScenarioWithPrefixModeKeepsSomething) {
    TempDir dir;
    write_file(dir.path() / "cut.toml",
               "[[fault]]\nsyscall = \"exit_group\"\nsignal = \"SIGKILL\"\n"
               "lose_unsynced = true\nmode = \"prefix\"\n");
    std::set<std::string> left;
    for (int seed = 1; seed <= 6; ++seed) {
        fs::remove(dir.path() / "log");
        const CommandResult result = run_command(
            {inject_binary(), "-q", "--seed", std::to_string(seed), "-s", dir / "cut.toml", "--",
             program("fs_script"), "-C", dir.path().string(), "a:log:one;", "a:log:two;"});
        EXPECT_EQ(result.exit_status, 128 + SIGKILL) << result.err;
        left.insert(fs::exists(dir.path() / "log") ? read_file(dir.path() / "log") : "(none)");
    }
    EXPECT_GT(left.size(), 1U);  // the seed draws the prefix
}

TEST(PowerCutCli, PastTheUndoLimitTheRunIsStoppedAndNothingUndone) {
    TempDir dir;
    write_file(dir.path() / "big", std::string(4096, 'a'));
    write_file(dir.path() / "small", "small");
    const CommandResult result = run_command(
        {inject_binary(), "--undo-limit", "1K", "-e",
         "exit_group:signal=SIGKILL:lose_unsynced=true", "--", program("fs_script"), "-C",
         dir.path().string(), "w:small:0:SMALL", "w:big:0:" + std::string(2000, 'b')});
    EXPECT_EQ(result.exit_status, 128 + SIGKILL) << result.err;
    EXPECT_NE(result.err.find("passed --undo-limit (1024 bytes): the program was stopped there "
                              "and nothing was undone"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("power cut:"), std::string::npos) << result.err;
    EXPECT_EQ(read_file(dir.path() / "small"), "SMALL");  // as the killed program left it
    EXPECT_EQ(read_file(dir.path() / "big"), std::string(4096, 'a'));  // never written
}

// Every mistake: one line, exit 125, the program never started.
TEST(PowerCutCli, BadInputIsRefusedAndTheProgramNeverStarts) {
    TempDir dir;
    const std::string marker = dir / "started";
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"-e", "write:error=EIO:lose_unsynced=true"},
         "lose_unsynced makes a crash point a power cut: give signal = SIGKILL"},
        {{"-e", "write:signal=SIGTERM:lose_unsynced=true"},
         "lose_unsynced makes a crash point a power cut"},
        {{"-e", "write:signal=SIGKILL:lose_unsynced=yes"},
         "\"lose_unsynced\" is true or false, not \"yes\""},
        {{"-e", "write:signal=SIGKILL:lose_unsynced=true:mode=prefx"},
         "unknown mode \"prefx\" (did you mean \"prefix\"?)"},
        {{"-e", "write:signal=SIGKILL:mode=prefix"}, "it needs lose_unsynced = true"},
        {{"--undo-limit", "12X", "-e", "write:signal=SIGKILL:lose_unsynced=true"},
         "--undo-limit \"12X\": give a size greater than 0 such as 512M or 1G"},
        {{"--undo-limit", "0", "-e", "write:signal=SIGKILL:lose_unsynced=true"},
         "--undo-limit \"0\""},
    };
    for (const auto& [options, message] : cases) {
        std::vector<std::string> argv{inject_binary()};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.insert(argv.end(), {"--", "touch", marker});
        const CommandResult result = run_command(argv);
        EXPECT_EQ(result.exit_status, 125) << message;
        EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_FALSE(fs::exists(marker)) << message;
    }
    write_file(dir.path() / "bad.toml",
               "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\nlose_unsynced = 1\n");
    const CommandResult typed =
        run_command({inject_binary(), "-s", dir / "bad.toml", "--", "true"});
    EXPECT_EQ(typed.exit_status, 125);
    EXPECT_NE(typed.err.find("bad.toml:4:"), std::string::npos) << typed.err;
    EXPECT_NE(typed.err.find("true or false"), std::string::npos) << typed.err;
}

// ---- sqlite3: expected to survive every cut ----

struct SqliteCut {
    bool integrity_ok = false;
    int rows = -1;              // what recovery finds
    bool acknowledged = false;  // the shell printed every commit's ack before it died
    std::uint64_t undo_bytes_peak = 0;
    std::string err;  // inject's notes (printed even with -q)
};

constexpr int kTransactions = 4;

SqliteCut cut_sqlite(const TempDir& dir, const std::string& journal_mode,
                     const std::string& synchronous, const std::string& cut) {
    const std::string db = dir / "test.db";
    fs::remove(db);
    fs::remove(db + "-journal");
    fs::remove(db + "-wal");
    fs::remove(db + "-shm");
    const CommandResult setup =
        run_command({"sqlite3", db,
                     "PRAGMA journal_mode=" + journal_mode + ";" +
                         "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(0);"});
    EXPECT_EQ(setup.exit_status, 0) << setup.err;
    ::sync();  // what the setup wrote is on disk before the program under test starts
    std::string script = "PRAGMA synchronous=" + synchronous + ";";
    for (int row = 1; row <= kTransactions; ++row) {
        script += "INSERT INTO t VALUES(" + std::to_string(row) + "); SELECT 'ack " +
                  std::to_string(row) + "';";
    }
    const CommandResult run = run_command({inject_binary(), "-q", "--report", dir / "report.json",
                                           "-e", cut, "--", "sqlite3", db, script});
    SqliteCut result;
    result.err = run.err;
    result.acknowledged = run.out.find("ack " + std::to_string(kTransactions)) != std::string::npos;
    const nlohmann::json report = nlohmann::json::parse(read_file(dir.path() / "report.json"));
    if (report["power_cut"].is_object()) {
        result.undo_bytes_peak = report["power_cut"]["undo_bytes_peak"];
    }
    const CommandResult check =
        run_command({"sqlite3", db, "PRAGMA integrity_check; SELECT count(*) FROM t;"});
    result.integrity_ok = check.out.starts_with("ok\n");
    if (result.integrity_ok) {
        result.rows = std::stoi(check.out.substr(3));
    }
    return result;
}

// The cuts: before each of the first fsyncs and fdatasyncs, and at the exit.
std::vector<std::string> sqlite_cuts() {
    std::vector<std::string> cuts;
    for (int nth = 1; nth <= 10; ++nth) {
        cuts.push_back("fsync,fdatasync:signal=SIGKILL:lose_unsynced=true:when=" +
                       std::to_string(nth));
    }
    cuts.emplace_back("exit_group:signal=SIGKILL:lose_unsynced=true");
    return cuts;
}

void expect_sqlite_survives(const std::string& journal_mode, const std::string& synchronous) {
    TempDir dir;
    std::uint64_t peak = 0;
    for (const std::string& cut : sqlite_cuts()) {
        const SqliteCut result = cut_sqlite(dir, journal_mode, synchronous, cut);
        EXPECT_TRUE(result.integrity_ok) << journal_mode << " " << cut;
        EXPECT_GE(result.rows, 1) << journal_mode << " " << cut;  // the setup's row survives
        if (result.acknowledged) {
            EXPECT_EQ(result.rows, kTransactions + 1) << journal_mode << " " << cut;
        }
        peak = std::max(peak, result.undo_bytes_peak);
    }
    ::testing::Test::RecordProperty("undo_bytes_peak", std::to_string(peak));
    std::printf("sqlite3 %s, synchronous=%s: undo data at most %llu bytes\n", journal_mode.c_str(),
                synchronous.c_str(), static_cast<unsigned long long>(peak));
}

TEST(PowerCutSqlite, RollbackJournalSurvivesEveryCut) {
    // EXTRA: the journal's directory is synced after the journal is deleted (the commit), so
    // that a commit is durable once acknowledged; FULL leaves that last step to luck.
    expect_sqlite_survives("DELETE", "EXTRA");
}

// What SQLite documents of synchronous=FULL in rollback-journal mode: the commit (deleting the
// journal) is not synced, so a power cut right after an acknowledged commit rolls it back.
TEST(PowerCutSqlite, RollbackJournalWithFullLosesTheLastAcknowledgedCommitAtACut) {
    TempDir dir;
    const SqliteCut result =
        cut_sqlite(dir, "DELETE", "FULL", "exit_group:signal=SIGKILL:lose_unsynced=true");
    EXPECT_TRUE(result.integrity_ok);
    EXPECT_TRUE(result.acknowledged);
    EXPECT_EQ(result.rows, kTransactions);  // the setup's row and all but the last commit
}

TEST(PowerCutSqlite, WalSurvivesEveryCut) {
    expect_sqlite_survives("WAL", "FULL");
}

TEST(PowerCutSqlite, TheWalIndexMappedSharedIsNoted) {
    TempDir dir;
    const SqliteCut result =
        cut_sqlite(dir, "WAL", "FULL", "exit_group:signal=SIGKILL:lose_unsynced=true");
    EXPECT_NE(result.err.find("test.db-shm is mapped shared and writable: writes through the "
                              "mapping are not seen by ptrace"),
              std::string::npos)
        << result.err;
}

}  // namespace
}  // namespace inject::testing
