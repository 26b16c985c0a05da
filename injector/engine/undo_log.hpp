// The power cut of `lose_unsynced = true`: what a program changed in files and directories since
// their last sync, kept so that it can be undone once the program is dead, leaving the disk as a
// machine that lost power would show it under the strict model (only synced data survives).
// Pure of any tracee: the log works on a FileSystem interface (the real disk in a run, a model
// in the unit tests), and the old bytes it keeps go to a spill file on disk, not to memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "inject/run.hpp"
#include "trace/unique_fd.hpp"

namespace inject::engine::undo {

struct FileId {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    bool operator==(const FileId&) const = default;
};

struct FileIdHash {
    std::size_t operator()(const FileId& id) const noexcept {
        return std::hash<std::uint64_t>{}(id.inode * 31 + id.device);
    }
};

enum class NodeKind : std::uint8_t { file, directory, symlink, other };

struct Node {
    NodeKind kind = NodeKind::other;
    FileId id;
    std::uint64_t size = 0;
};

// What the log needs of the files it watches. Paths are absolute. Every call but look_up and
// hold throws std::system_error when the file system refuses.
class FileSystem {
  public:
    virtual ~FileSystem() = default;
    // What `path` names now, its last component not followed; nullopt when nothing does.
    virtual std::optional<Node> look_up(const std::string& path) = 0;
    // The same with every symlink followed (/proc/PID/fd/N is the file an fd refers to).
    virtual std::optional<Node> stat(const std::string& path) = 0;
    // Opens the regular file `path` leads to (followed: /proc/PID/fd/N reaches an fd's file)
    // and keeps it open until release(), so that undo reaches it by id whatever happens to its
    // names; nullopt when it is no regular file or cannot be opened.
    virtual std::optional<Node> hold(const std::string& path) = 0;
    virtual void release(FileId file) = 0;
    // Up to `length` bytes from `offset` of a held file (fewer at its end).
    virtual std::string read(FileId file, std::uint64_t offset, std::uint64_t length) = 0;
    virtual void write(FileId file, std::uint64_t offset, std::string_view bytes) = 0;
    virtual void resize(FileId file, std::uint64_t size) = 0;
    virtual std::string read_link(const std::string& path) = 0;
    virtual void rename(const std::string& from, const std::string& to) = 0;
    // renameat2's RENAME_EXCHANGE: the two names swap their files.
    virtual void exchange(const std::string& first, const std::string& second) = 0;
    // Removes what `path` names, a directory with everything in it.
    virtual void remove(const std::string& path) = 0;
    virtual void make_directory(const std::string& path) = 0;
    virtual void make_symlink(const std::string& target, const std::string& path) = 0;
    // A new regular file at `path` holding `contents`, held (see hold).
    virtual FileId make_file(const std::string& path, std::string_view contents) = 0;
};

// pwrite all of `bytes` at `offset`, and pread up to `length` bytes (fewer at the end of the
// file), going on after EINTR and short counts; throw std::system_error naming `what`.
void write_at(int fd, std::uint64_t offset, std::string_view bytes, const char* what);
std::string read_at(int fd, std::uint64_t offset, std::uint64_t length, const char* what);

// The old bytes, in one file of a private temporary directory, appended, and punched out
// again (a hole) once forgotten: the disk used is bounded by what is still unsynced. Past
// `limit` live bytes nothing more is taken.
class Spill {
  public:
    explicit Spill(std::uint64_t limit) : limit_(limit) {}
    ~Spill();
    Spill(const Spill&) = delete;
    Spill& operator=(const Spill&) = delete;

    struct Extent {
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
    };
    // Where the bytes went; nullopt when they would pass the limit.
    std::optional<Extent> keep(std::string_view bytes);
    std::string read(Extent extent) const;
    void forget(Extent extent);

    std::uint64_t live_bytes() const noexcept { return live_; }
    std::uint64_t peak_bytes() const noexcept { return peak_; }
    std::uint64_t limit() const noexcept { return limit_; }

  private:
    void open();

    std::uint64_t limit_;
    std::uint64_t live_ = 0;
    std::uint64_t peak_ = 0;
    std::uint64_t end_ = 0;  // where the next bytes go
    std::string directory_;
    trace::UniqueFd file_;
};

// A file the program changed, as the caller knows it: `reach` opens it (an absolute path, or
// /proc/PID/fd/N for a file known by its fd), `name` is what the report calls it.
struct FileRef {
    std::string reach;
    std::string name;
};

// How much of the unsynced history a power cut keeps: none (the strict model), or a prefix
// drawn from `seed` (whole changes in order, and maybe the first bytes of the next write).
struct CutOptions {
    bool keep_prefix = false;
    std::uint64_t seed = 0;
};

class UndoLog {
  public:
    using Sequence = std::uint64_t;

    UndoLog(FileSystem& fs, std::uint64_t limit) : fs_(fs), spill_(limit) {}

    // Called before each change runs, with what it is about to do; each returns the change's
    // number for confirm(), or nullopt when there is nothing to undo (not a regular file, a
    // name that already exists) or the log is full. `length` is the most the call may write.
    std::optional<Sequence> before_write(const FileRef& file, std::uint64_t offset,
                                         std::uint64_t length);
    std::optional<Sequence> before_resize(const FileRef& file, std::uint64_t new_size);
    // fallocate: the range may be zeroed or punched, and the size grow.
    std::optional<Sequence> before_allocate(const FileRef& file, std::uint64_t offset,
                                            std::uint64_t length);
    // open with O_CREAT, mkdir, symlink, link: the name `path` comes into being.
    std::optional<Sequence> before_create(const std::string& path);
    // unlink, rmdir: the name goes, and what it named is kept to be put back.
    std::optional<Sequence> before_remove(const std::string& path);
    std::optional<Sequence> before_rename(const std::string& from, const std::string& to,
                                          bool exchange);
    // Once the call returned: a failed one changed nothing and is forgotten; `result` of a
    // write is how many bytes it wrote.
    void confirm(Sequence change, std::int64_t result);

    // fsync/fdatasync of a file forgets its data changes; of a directory, the names changed in
    // it. sync_file_range forgets the file's changes that lie inside the range (length 0: to
    // the end). sync and syncfs forget everything.
    void synced(const FileRef& file);
    void synced_range(const FileRef& file, std::uint64_t offset, std::uint64_t length);
    void synced_everything();

    // Past the limit: the log no longer holds everything, so it cannot cut.
    bool full() const noexcept { return full_; }
    const Spill& spill() const noexcept { return spill_; }
    std::size_t pending() const noexcept { return changes_.size(); }
    // The unsynced changes the last cut kept (a prefix), undone none of.
    std::size_t kept_changes() const noexcept { return kept_; }

    // The power cut: every unsynced change undone, newest first (but the kept prefix). What
    // was undone, oldest first; a change that could not be undone says why.
    std::vector<UndoneChange> cut(const CutOptions& options = {});

  private:
    struct DataChange {
        FileId file;
        std::string name;
        std::string kind;  // "write", "truncate", "fallocate"
        std::uint64_t offset = 0;
        std::uint64_t length = 0;    // the range that changes
        std::uint64_t old_size = 0;  // the file's size before
        Spill::Extent old_bytes;     // of [offset, min(offset + length, old_size))
    };
    // What a name named before it went: kept to be made again.
    struct Lost {
        NodeKind kind = NodeKind::other;
        FileId id;
        Spill::Extent contents;  // a file's
        std::string target;      // a symlink's
    };
    struct NameChange {
        std::string kind;  // "create", "remove", "rename", "exchange"
        std::string path;
        std::string from;          // a rename's
        std::vector<FileId> dirs;  // whose fsync makes it durable; removed as they sync
        std::optional<Lost> lost;  // a removed or replaced node
        FileId moved;              // a rename's: what `from` named
    };
    struct Change {
        Sequence number = 0;
        std::variant<DataChange, NameChange> what;
    };

    std::optional<Sequence> add(std::variant<DataChange, NameChange> what);
    std::optional<Sequence> data_change(const FileRef& file, std::string kind, std::uint64_t offset,
                                        std::uint64_t length);
    // What `path` names, kept to be made again; nullopt when the log is full.
    std::optional<std::optional<Lost>> keep_node(const std::string& path);
    void forget_if(const std::function<bool(Change&)>& durable);
    void forget(Change& change);
    void release_unused(FileId file);
    // Nothing when the change turns out not to have happened (its thread was killed before it
    // ran: no exit stop confirmed it).
    std::optional<UndoneChange> undo(const Change& change, std::optional<std::uint64_t> kept_bytes);
    UndoneChange undo_data(const DataChange& change, std::optional<std::uint64_t> kept_bytes);
    std::optional<UndoneChange> undo_name(const NameChange& change);
    void make_again(const std::string& path, const Lost& lost);
    // Where a change was cut between kept and undone, drawn from the seed.
    std::pair<std::size_t, std::optional<std::uint64_t>> draw_prefix(std::uint64_t seed) const;
    bool mark_full();
    // The directories whose fsync makes a name change in them durable.
    std::vector<FileId> directories_of(const std::string& path, const std::string& other = {});

    FileSystem& fs_;
    Spill spill_;
    bool full_ = false;
    std::size_t kept_ = 0;
    Sequence next_ = 1;
    std::vector<Change> changes_;  // oldest first
    // A write's bytes written, once confirmed (prefix mode tears within them).
    std::unordered_map<Sequence, std::uint64_t> written_;
    // Files made again while undoing: where later (older) changes of the old id now apply.
    std::unordered_map<FileId, FileId, FileIdHash> moved_;
};

}  // namespace inject::engine::undo
