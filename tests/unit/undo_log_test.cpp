// The power cut's undo log against a model file system: a sequence of writes, truncates,
// renames, creates, unlinks and syncs, then the cut, then the state a machine that lost power
// would show under the strict model (only synced data survives).
#include "engine/undo_log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <system_error>

namespace inject::engine::undo {
namespace {

// Names -> inodes -> contents, as a POSIX file system keeps them; an inode lives while a
// name or a hold refers to it.
class ModelFs final : public FileSystem {
  public:
    struct Inode {
        NodeKind kind = NodeKind::file;
        std::string bytes;  // a file's contents, a symlink's target
    };

    ModelFs() { names_["/"] = add(NodeKind::directory); }

    // The program's side: what its calls do (after the log saw them coming).
    void mkdir(const std::string& path) { names_[path] = add(NodeKind::directory); }
    void create(const std::string& path, std::string bytes = {}) {
        names_[path] = add(NodeKind::file, std::move(bytes));
    }
    void write_at(const std::string& path, std::uint64_t offset, std::string_view bytes) {
        std::string& contents = inodes_.at(names_.at(path)).bytes;
        if (contents.size() < offset + bytes.size()) {
            contents.resize(offset + bytes.size(), '\0');
        }
        contents.replace(offset, bytes.size(), bytes);
    }
    void truncate(const std::string& path, std::uint64_t size) {
        inodes_.at(names_.at(path)).bytes.resize(size, '\0');
    }
    void unlink(const std::string& path) { names_.erase(path); }
    void move(const std::string& from, const std::string& to) {
        const std::uint64_t inode = names_.at(from);
        names_.erase(from);
        names_[to] = inode;
    }

    std::optional<std::string> contents(const std::string& path) const {
        const auto it = names_.find(path);
        if (it == names_.end()) {
            return std::nullopt;
        }
        return inodes_.at(it->second).bytes;
    }
    bool exists(const std::string& path) const { return names_.contains(path); }
    std::size_t held_count() const { return held_.size(); }

    // FileSystem
    std::optional<Node> look_up(const std::string& path) override {
        const auto it = names_.find(path);
        if (it == names_.end()) {
            return std::nullopt;
        }
        const Inode& inode = inodes_.at(it->second);
        return Node{inode.kind, FileId{1, it->second}, inode.bytes.size()};
    }
    std::optional<Node> stat(const std::string& path) override { return look_up(path); }
    std::optional<Node> hold(const std::string& path) override {
        const std::optional<Node> node = look_up(path);
        if (!node || node->kind != NodeKind::file) {
            return std::nullopt;
        }
        held_.insert(node->id.inode);
        return node;
    }
    void release(FileId file) override { held_.erase(file.inode); }
    std::string read(FileId file, std::uint64_t offset, std::uint64_t length) override {
        const std::string& bytes = held(file).bytes;
        return offset >= bytes.size() ? std::string() : bytes.substr(offset, length);
    }
    void write(FileId file, std::uint64_t offset, std::string_view bytes) override {
        std::string& contents = held(file).bytes;
        if (contents.size() < offset + bytes.size()) {
            contents.resize(offset + bytes.size(), '\0');
        }
        contents.replace(offset, bytes.size(), bytes);
    }
    void resize(FileId file, std::uint64_t size) override { held(file).bytes.resize(size, '\0'); }
    std::string read_link(const std::string& path) override {
        return inodes_.at(names_.at(path)).bytes;
    }
    void rename(const std::string& from, const std::string& to) override {
        if (!names_.contains(from)) {
            throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory));
        }
        move(from, to);
    }
    void exchange(const std::string& first, const std::string& second) override {
        std::swap(names_.at(first), names_.at(second));
    }
    void remove(const std::string& path) override {
        std::erase_if(names_, [&](const auto& name) {
            return name.first == path || name.first.starts_with(path + "/");
        });
    }
    void make_directory(const std::string& path) override { mkdir(path); }
    void make_symlink(const std::string& target, const std::string& path) override {
        names_[path] = add(NodeKind::symlink, target);
    }
    FileId make_file(const std::string& path, std::string_view contents) override {
        create(path, std::string(contents));
        held_.insert(names_.at(path));
        return FileId{1, names_.at(path)};
    }

  private:
    std::uint64_t add(NodeKind kind, std::string bytes = {}) {
        inodes_[next_] = Inode{kind, std::move(bytes)};
        return next_++;
    }
    Inode& held(FileId file) {
        if (!held_.contains(file.inode)) {
            throw std::system_error(std::make_error_code(std::errc::bad_file_descriptor));
        }
        return inodes_.at(file.inode);
    }

    std::uint64_t next_ = 1;
    std::map<std::string, std::uint64_t> names_;
    std::map<std::uint64_t, Inode> inodes_;
    std::set<std::uint64_t> held_;
};

FileRef ref(const std::string& path) {
    return FileRef{path, path};
}

constexpr std::uint64_t kNoLimit = std::uint64_t{1} << 30;

// The program's calls, each seen by the log before it runs and confirmed after, as the engine
// does.
struct Program {
    ModelFs& fs;
    UndoLog& log;

    void write(const std::string& path, std::uint64_t offset, const std::string& bytes) {
        const auto change = log.before_write(ref(path), offset, bytes.size());
        fs.write_at(path, offset, bytes);
        if (change) {
            log.confirm(*change, static_cast<std::int64_t>(bytes.size()));
        }
    }
    void append(const std::string& path, const std::string& bytes) {
        write(path, fs.contents(path)->size(), bytes);
    }
    void create(const std::string& path) {
        const auto change = log.before_create(path);
        fs.create(path);
        if (change) {
            log.confirm(*change, 3);
        }
    }
    void mkdir(const std::string& path) {
        const auto change = log.before_create(path);
        fs.mkdir(path);
        if (change) {
            log.confirm(*change, 0);
        }
    }
    void truncate(const std::string& path, std::uint64_t size) {
        const auto change = log.before_resize(ref(path), size);
        fs.truncate(path, size);
        if (change) {
            log.confirm(*change, 0);
        }
    }
    void rename(const std::string& from, const std::string& to) {
        const auto change = log.before_rename(from, to, false);
        fs.move(from, to);
        if (change) {
            log.confirm(*change, 0);
        }
    }
    void unlink(const std::string& path) {
        const auto change = log.before_remove(path);
        fs.unlink(path);
        if (change) {
            log.confirm(*change, 0);
        }
    }
    void fsync(const std::string& path) { log.synced(ref(path)); }
};

class UndoLogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fs.mkdir("/d");
        fs.create("/d/old", "old contents");  // there, and synced, before the program runs
    }

    ModelFs fs;
    UndoLog log{fs, kNoLimit};
    Program program{fs, log};
};

TEST_F(UndoLogTest, AnUnsyncedOverwriteIsUndone) {
    program.write("/d/old", 0, "NEW");
    EXPECT_EQ(fs.contents("/d/old"), "NEW contents");
    const std::vector<UndoneChange> undone = log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "old contents");
    ASSERT_EQ(undone.size(), 1U);
    EXPECT_EQ(undone[0].kind, "write");
    EXPECT_EQ(undone[0].path, "/d/old");
    EXPECT_EQ(undone[0].offset, 0U);
    EXPECT_EQ(undone[0].length, 3U);
    EXPECT_EQ(undone[0].error, "");
}

TEST_F(UndoLogTest, AnAppendIsCutOffAndTheSizeRestored) {
    program.append("/d/old", " and more");
    program.append("/d/old", " and more");
    log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "old contents");
}

TEST_F(UndoLogTest, WhatAnFsyncMadeDurableStays) {
    program.append("/d/old", " synced");
    program.fsync("/d/old");
    program.append("/d/old", " lost");
    const std::vector<UndoneChange> undone = log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "old contents synced");
    EXPECT_EQ(undone.size(), 1U);
}

TEST_F(UndoLogTest, AShrinkingTruncateGetsItsBytesBack) {
    program.truncate("/d/old", 3);
    program.append("/d/old", "!");
    log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "old contents");
}

TEST_F(UndoLogTest, AFileCreatedInADirectoryNeverSyncedIsGone) {
    program.create("/d/new");
    program.append("/d/new", "data");
    program.fsync("/d/new");  // its data is durable, its name is not
    log.cut();
    EXPECT_FALSE(fs.exists("/d/new"));
}

TEST_F(UndoLogTest, AFileCreatedAndItsDirectorySyncedStays) {
    program.create("/d/new");
    program.append("/d/new", "data");
    program.fsync("/d/new");
    program.fsync("/d");
    EXPECT_EQ(log.cut().size(), 0U);
    EXPECT_EQ(fs.contents("/d/new"), "data");
}

// The bug of issue 13: write a new version, rename it over the old one, no fsync at all. The
// power cut leaves the old name with the old contents (the rename undone) and no temp file.
TEST_F(UndoLogTest, RenameOverTheOldFileWithoutAnyFsyncIsUndoneWhole) {
    program.create("/d/old.tmp");
    program.append("/d/old.tmp", "new contents");
    program.rename("/d/old.tmp", "/d/old");
    EXPECT_EQ(fs.contents("/d/old"), "new contents");
    const std::vector<UndoneChange> undone = log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "old contents");
    EXPECT_FALSE(fs.exists("/d/old.tmp"));
    ASSERT_EQ(undone.size(), 3U);
    EXPECT_EQ(undone[2].kind, "rename");
    EXPECT_EQ(undone[2].from, "/d/old.tmp");
    EXPECT_EQ(undone[2].path, "/d/old");
}

// The rename synced by the directory's fsync, the data not: the new name holds an empty file,
// which is what ext4 users saw before auto_da_alloc.
TEST_F(UndoLogTest, ARenameSyncedBeforeItsFileLeavesAnEmptyFile) {
    program.create("/d/old.tmp");
    program.append("/d/old.tmp", "new contents");
    program.rename("/d/old.tmp", "/d/old");
    program.fsync("/d");
    log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "");
    EXPECT_FALSE(fs.exists("/d/old.tmp"));
}

TEST_F(UndoLogTest, RenameWithTheFileAndTheDirectorySyncedSurvives) {
    program.create("/d/old.tmp");
    program.append("/d/old.tmp", "new contents");
    program.fsync("/d/old.tmp");
    program.rename("/d/old.tmp", "/d/old");
    program.fsync("/d");
    EXPECT_TRUE(log.cut().empty());
    EXPECT_EQ(fs.contents("/d/old"), "new contents");
}

TEST_F(UndoLogTest, AnUnlinkedFileComesBackAsItWasLastSynced) {
    program.append("/d/old", " changed");
    program.unlink("/d/old");
    log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "old contents");
}

TEST_F(UndoLogTest, ADirectoryMadeAndNeverSyncedGoesWithWhatIsInIt) {
    program.mkdir("/d/sub");
    program.create("/d/sub/file");
    program.fsync("/d/sub");  // the file's name is durable in a directory that is not
    log.cut();
    EXPECT_FALSE(fs.exists("/d/sub"));
    EXPECT_FALSE(fs.exists("/d/sub/file"));
}

TEST_F(UndoLogTest, AFailedCallIsForgotten) {
    const auto change = log.before_rename("/d/old", "/d/elsewhere", false);
    ASSERT_TRUE(change);
    log.confirm(*change, -static_cast<std::int64_t>(EXDEV));  // it did not happen
    EXPECT_EQ(log.pending(), 0U);
    EXPECT_TRUE(log.cut().empty());
    EXPECT_EQ(fs.contents("/d/old"), "old contents");
}

TEST_F(UndoLogTest, SyncForgetsEverythingAndReleasesTheFiles) {
    program.append("/d/old", "x");
    program.create("/d/new");
    EXPECT_EQ(fs.held_count(), 1U);
    log.synced_everything();
    EXPECT_EQ(log.pending(), 0U);
    EXPECT_EQ(fs.held_count(), 0U);
    EXPECT_EQ(log.spill().live_bytes(), 0U);
}

TEST_F(UndoLogTest, SyncFileRangeForgetsOnlyTheWritesInsideIt) {
    program.write("/d/old", 0, "AB");
    program.write("/d/old", 8, "CD");
    log.synced_range(ref("/d/old"), 0, 4);
    log.cut();
    EXPECT_EQ(fs.contents("/d/old"), "ABd contents");
}

TEST_F(UndoLogTest, TheOldBytesLiveOnDiskOnlyUntilTheirSync) {
    program.write("/d/old", 0, "NEW");
    EXPECT_EQ(log.spill().live_bytes(), 3U);
    program.fsync("/d/old");
    EXPECT_EQ(log.spill().live_bytes(), 0U);
    EXPECT_EQ(log.spill().peak_bytes(), 3U);
}

TEST(UndoLogLimit, PastTheLimitTheLogIsFullAndRecordsNothingMore) {
    ModelFs fs;
    fs.create("/big", std::string(100, 'a'));
    UndoLog log(fs, 64);
    EXPECT_TRUE(log.before_write(ref("/big"), 0, 50));
    EXPECT_FALSE(log.full());
    EXPECT_FALSE(log.before_write(ref("/big"), 0, 50));
    EXPECT_TRUE(log.full());
    EXPECT_FALSE(log.before_create("/other"));
}

TEST(UndoLogPrefix, APrefixKeepsTheFirstChangesAndTearsTheNext) {
    // Whatever the seed, what survives is the old contents followed by a prefix of the
    // records appended, in order, the last maybe torn; over many seeds every length shows.
    const std::string records = "record-1;record-2;record-3;";
    std::set<std::size_t> lengths;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        ModelFs fs;
        fs.create("/journal", "head;");
        UndoLog log(fs, kNoLimit);
        Program program{fs, log};
        for (int record = 1; record <= 3; ++record) {
            program.append("/journal", "record-" + std::to_string(record) + ";");
        }
        log.cut(CutOptions{true, seed});
        const std::string left = *fs.contents("/journal");
        ASSERT_TRUE(left.starts_with("head;")) << left;
        const std::string kept = left.substr(5);
        ASSERT_EQ(kept, records.substr(0, kept.size())) << "seed " << seed;
        lengths.insert(kept.size());
    }
    EXPECT_TRUE(lengths.contains(0));
    EXPECT_TRUE(lengths.contains(records.size()));
    EXPECT_TRUE(lengths.contains(12));  // torn inside record-2
}

TEST(UndoLogPrefix, TheSameSeedCutsTheSamePrefix) {
    std::set<std::string> results;
    for (int run = 0; run < 2; ++run) {
        ModelFs fs;
        fs.create("/journal");
        UndoLog log(fs, kNoLimit);
        Program program{fs, log};
        program.append("/journal", "one;");
        program.append("/journal", "two;");
        log.cut(CutOptions{true, 7});
        results.insert(*fs.contents("/journal"));
    }
    EXPECT_EQ(results.size(), 1U);
}

}  // namespace
}  // namespace inject::engine::undo
