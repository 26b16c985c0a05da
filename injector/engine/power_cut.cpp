#include "engine/power_cut.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <climits>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

#include "arch/registers.hpp"
#include "engine/call_facts.hpp"
#include "engine/disk_file_system.hpp"
#include "engine/undo_log.hpp"
#include "inject/names.hpp"

namespace inject::engine {

namespace {

// The arguments of a stopped call in order; on i386 a 64-bit value takes two registers.
class Arguments {
  public:
    Arguments(Abi abi, const trace::SyscallInfo& info) : abi_(abi), info_(info) {}
    std::uint64_t at(unsigned index) const {
        return arch::decode_argument(abi_, info_.args.at(index));
    }
    int fd(unsigned index) const { return static_cast<int>(static_cast<std::uint32_t>(at(index))); }
    // The 64-bit value starting at `index`, and the index after it.
    std::pair<std::uint64_t, unsigned> wide(unsigned index) const {
        if (abi_ != Abi::i386) {
            return {at(index), index + 1};
        }
        return {at(index) | (at(index + 1) << 32), index + 2};
    }

  private:
    Abi abi_;
    const trace::SyscallInfo& info_;
};

// pos and flags from /proc/TID/fdinfo/FD.
struct FdInfo {
    std::uint64_t position = 0;
    unsigned flags = 0;
};

std::optional<FdInfo> fd_info(pid_t tid, int fd) {
    std::ifstream in("/proc/" + std::to_string(tid) + "/fdinfo/" + std::to_string(fd));
    if (!in) {
        return std::nullopt;
    }
    FdInfo info;
    std::string key;
    while (in >> key) {
        if (key == "pos:") {
            in >> info.position;
        } else if (key == "flags:") {
            in >> std::oct >> info.flags >> std::dec;
        } else {
            std::string rest;
            std::getline(in, rest);
        }
    }
    return info;
}

// The file mapped at `address` in the thread's process, from /proc/TID/maps.
std::optional<std::string> mapped_file(pid_t tid, std::uint64_t address) {
    std::ifstream in("/proc/" + std::to_string(tid) + "/maps");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::uint64_t start = 0;
        std::uint64_t end = 0;
        char dash = 0;
        fields >> std::hex >> start >> dash >> end;
        if (address < start || address >= end) {
            continue;
        }
        const std::size_t slash = line.find('/');
        if (slash == std::string::npos) {
            return std::nullopt;
        }
        return line.substr(slash);
    }
    return std::nullopt;
}

bool is_one_of(const std::string& name, std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

struct PowerCutWatch::Disk {
    explicit Disk(std::uint64_t undo_limit) : log(fs, undo_limit) {
        // inject's own stdin, stdout and stderr, which the program inherits: a terminal, a CI
        // log, a file the user's shell redirected. They are where the user reads the run, not
        // the program's data, and are never cut.
        for (const int fd : {0, 1, 2}) {
            if (const auto node = fs.stat("/proc/self/fd/" + std::to_string(fd))) {
                inherited.push_back(node->id);
            }
        }
    }
    bool is_inherited(const undo::FileRef& file) {
        const auto node = fs.stat(file.reach);
        return node && std::find(inherited.begin(), inherited.end(), node->id) != inherited.end();
    }

    undo::DiskFileSystem fs;
    undo::UndoLog log;
    std::vector<undo::FileId> inherited;
};

PowerCutWatch::PowerCutWatch(trace::Tracer& tracer, std::uint64_t undo_limit, std::uint64_t seed)
    : tracer_(tracer), seed_(seed), disk_(std::make_unique<Disk>(undo_limit)) {}

PowerCutWatch::~PowerCutWatch() = default;

void PowerCutWatch::exit(std::uint64_t change, std::int64_t result) {
    disk_->log.confirm(change, result);
}

namespace {

// What the watch does at each call it stops: the one list of them.
enum class Family : std::uint8_t { data, names, durable, mapping };

struct Watched {
    std::string_view name;
    Family family;
};

constexpr std::array kWatched{
    // what changes a file's bytes or size
    Watched{"write", Family::data},
    Watched{"writev", Family::data},
    Watched{"pwrite64", Family::data},
    Watched{"pwritev", Family::data},
    Watched{"pwritev2", Family::data},
    Watched{"copy_file_range", Family::data},
    Watched{"sendfile", Family::data},
    Watched{"sendfile64", Family::data},
    Watched{"splice", Family::data},
    Watched{"truncate", Family::data},
    Watched{"truncate64", Family::data},
    Watched{"ftruncate", Family::data},
    Watched{"ftruncate64", Family::data},
    Watched{"fallocate", Family::data},
    // what changes names (open: with O_CREAT or O_TRUNC)
    Watched{"open", Family::names},
    Watched{"openat", Family::names},
    Watched{"openat2", Family::names},
    Watched{"creat", Family::names},
    Watched{"rename", Family::names},
    Watched{"renameat", Family::names},
    Watched{"renameat2", Family::names},
    Watched{"link", Family::names},
    Watched{"linkat", Family::names},
    Watched{"unlink", Family::names},
    Watched{"unlinkat", Family::names},
    Watched{"mkdir", Family::names},
    Watched{"mkdirat", Family::names},
    Watched{"rmdir", Family::names},
    Watched{"symlink", Family::names},
    Watched{"symlinkat", Family::names},
    // what makes them durable
    Watched{"fsync", Family::durable},
    Watched{"fdatasync", Family::durable},
    Watched{"sync", Family::durable},
    Watched{"syncfs", Family::durable},
    Watched{"sync_file_range", Family::durable},
    Watched{"msync", Family::durable},
    // what escapes the watch: writes through a shared mapping
    Watched{"mmap", Family::mapping},
    Watched{"mmap2", Family::mapping},
};

std::optional<Family> family_of(std::string_view name) {
    const auto* found = std::find_if(kWatched.begin(), kWatched.end(),
                                     [&](const Watched& watched) { return watched.name == name; });
    return found == kWatched.end() ? std::nullopt : std::optional(found->family);
}

}  // namespace

const std::vector<std::string>& PowerCutWatch::watched_syscalls() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        for (const Watched& watched : kWatched) {
            all.emplace_back(watched.name);
        }
        return all;
    }();
    return names;
}

bool PowerCutWatch::wanted_by(const std::vector<Rule>& rules) {
    return std::any_of(rules.begin(), rules.end(),
                       [](const Rule& rule) { return rule.effect.lose_unsynced.has_value(); });
}

PowerCutWatch::Entry PowerCutWatch::entry(pid_t tid, pid_t tgid, Abi abi,
                                          const trace::SyscallInfo& info,
                                          std::optional<std::uint64_t>& change) {
    if (over_limit_ || loss_) {
        return Entry::nothing;  // past the limit, or the cut is coming: nothing more counts
    }
    const std::optional<std::string> name = syscall_name(abi, info.number);
    const std::optional<Family> family = name ? family_of(*name) : std::nullopt;
    if (!family) {
        return Entry::nothing;  // a call a rule names, or any call without the filter
    }
    switch (*family) {
        case Family::data:
            on_write(tid, abi, info, *name, change);
            break;
        case Family::names:
            on_names(tid, tgid, abi, info, *name, change);
            break;
        case Family::durable:
            on_sync(tid, abi, info, *name);
            break;
        case Family::mapping:
            on_map(tid, abi, info);
            break;
    }
    if (disk_->log.full()) {
        over_limit_ = true;
        return Entry::over_limit;
    }
    return change ? Entry::recorded : Entry::nothing;
}

namespace {

// The file behind an fd, as the tracer can open it and as the report names it.
std::optional<undo::FileRef> fd_file(trace::Tracer& tracer, pid_t tid, std::uint64_t fd_argument) {
    const int fd = static_cast<int>(static_cast<std::uint32_t>(fd_argument));
    std::string name;
    if (fd < 0 || tracer.fd_path(tid, fd, name) || !name.starts_with('/')) {
        return std::nullopt;  // not open, or a pipe or socket: nothing a power cut loses
    }
    return undo::FileRef{"/proc/" + std::to_string(tid) + "/fd/" + std::to_string(fd), name};
}

// Where a write into `fd` lands: the fd's position, its file's end with O_APPEND; nullopt for
// a write that is durable at once (O_SYNC, O_DSYNC).
std::optional<std::uint64_t> write_position(pid_t tid, int fd, const undo::FileRef& file,
                                            std::optional<std::uint64_t> explicit_offset,
                                            undo::FileSystem& fs) {
    const std::optional<FdInfo> info = fd_info(tid, fd);
    if (!info || (info->flags & O_DSYNC) != 0) {
        return std::nullopt;
    }
    if ((info->flags & O_APPEND) != 0) {
        const std::optional<undo::Node> node = fs.stat(file.reach);
        return node ? std::optional(node->size) : std::nullopt;
    }
    return explicit_offset.value_or(info->position);
}

// The bytes of an iovec array, at most what the kernel takes.
std::uint64_t iovec_bytes(trace::Tracer& tracer, pid_t tid, Abi abi, std::uint64_t address,
                          std::uint64_t entries) {
    if (entries == 0 || entries > IOV_MAX) {
        return 0;
    }
    const std::size_t entry_size = arch::iovec_size(abi);
    std::vector<std::byte> array(entries * entry_size);
    if (tracer.read_memory(tid, address, array)) {
        return 0;
    }
    std::uint64_t total = 0;
    for (std::size_t index = 0; index < entries; ++index) {
        total += arch::iovec_length(
            abi, std::span<const std::byte>(array.data() + index * entry_size, entry_size));
    }
    return total;
}

}  // namespace

void PowerCutWatch::on_write(pid_t tid, Abi abi, const trace::SyscallInfo& info,
                             const std::string& name, std::optional<std::uint64_t>& change) {
    const Arguments args(abi, info);
    // Which argument is the file written, and where its offset is when the call gives one.
    unsigned fd_index = 0;
    if (is_one_of(name, {"copy_file_range", "splice"})) {
        fd_index = 2;
    }
    if (is_one_of(name, {"truncate", "truncate64"})) {
        ProcessFactsMap none;
        std::vector<StackFrame> frames;
        TraceeFacts facts(tracer_, none, tid, tid, abi, info, false, nullptr, frames);
        if (!facts.paths().empty()) {
            const std::string& path = facts.paths().front();
            change = disk_->log.before_resize(undo::FileRef{path, path}, args.wide(1).first);
        }
        return;
    }
    const std::optional<undo::FileRef> file = fd_file(tracer_, tid, args.at(fd_index));
    if (!file || disk_->is_inherited(*file)) {
        return;
    }
    if (is_one_of(name, {"ftruncate", "ftruncate64"})) {
        change = disk_->log.before_resize(*file, args.wide(1).first);
        return;
    }
    if (name == "fallocate") {
        const auto [offset, next] = args.wide(2);
        change = disk_->log.before_allocate(*file, offset, args.wide(next).first);
        return;
    }
    std::optional<std::uint64_t> offset;
    std::uint64_t length = 0;
    if (name == "write" || name == "sendfile" || name == "sendfile64") {
        length = args.at(name == "write" ? 2 : 3);
    } else if (name == "pwrite64") {
        length = args.at(2);
        offset = args.wide(3).first;
    } else if (name == "writev" || name == "pwritev" || name == "pwritev2") {
        length = iovec_bytes(tracer_, tid, abi, args.at(1), args.at(2));
        if (name != "writev") {
            const auto [position, next] = args.wide(3);
            constexpr unsigned kDurableWrite = RWF_DSYNC | RWF_SYNC;
            if (name == "pwritev2" && (args.at(next) & kDurableWrite) != 0) {
                return;  // durable at once
            }
            if (position != UINT64_MAX && static_cast<std::uint32_t>(position) != UINT32_MAX) {
                offset = position;
            }
        }
    } else {  // copy_file_range, splice: a pointer to the output offset, or none
        length = args.at(4);
        std::array<std::byte, 8> bytes{};
        if (args.at(3) != 0 && !tracer_.read_memory(tid, args.at(3), bytes)) {
            std::uint64_t value = 0;
            std::memcpy(&value, bytes.data(), sizeof value);
            offset = value;
        }
    }
    if (const auto position = write_position(tid, args.fd(fd_index), *file, offset, disk_->fs)) {
        change = disk_->log.before_write(*file, *position, length);
    }
}

void PowerCutWatch::on_names(pid_t tid, pid_t tgid, Abi abi, const trace::SyscallInfo& info,
                             const std::string& name, std::optional<std::uint64_t>& change) {
    ProcessFactsMap none;
    std::vector<StackFrame> frames;
    TraceeFacts facts(tracer_, none, tid, tgid, abi, info, false, nullptr, frames);
    const std::vector<std::string>& paths = facts.paths();
    if (paths.empty()) {
        return;  // unreadable: the kernel fails the call with EFAULT
    }
    const Arguments args(abi, info);
    if (is_one_of(name, {"open", "openat", "openat2", "creat"})) {
        std::uint64_t flags = O_CREAT | O_TRUNC;  // creat's
        if (name == "open" || name == "openat") {
            flags = args.at(name == "open" ? 1 : 2);
        } else if (name == "openat2") {
            std::array<std::byte, 8> how{};  // struct open_how begins with its flags
            if (tracer_.read_memory(tid, args.at(2), how)) {
                return;
            }
            std::memcpy(&flags, how.data(), sizeof flags);
        }
        if ((flags & O_TMPFILE) == O_TMPFILE) {
            return;  // no name
        }
        if ((flags & O_CREAT) != 0 && !disk_->fs.look_up(paths.front())) {
            change = disk_->log.before_create(paths.front());
        } else if ((flags & O_TRUNC) != 0 && (flags & O_ACCMODE) != O_RDONLY) {
            change = disk_->log.before_resize(undo::FileRef{paths.front(), paths.front()}, 0);
        }
    } else if (is_one_of(name, {"rename", "renameat", "renameat2"})) {
        if (paths.size() == 2) {
            const bool exchange = name == "renameat2" && (args.at(4) & RENAME_EXCHANGE) != 0;
            change = disk_->log.before_rename(paths[0], paths[1], exchange);
        }
    } else if (is_one_of(name, {"unlink", "unlinkat", "rmdir"})) {
        change = disk_->log.before_remove(paths.front());
    } else {  // mkdir, mkdirat, link, linkat, symlink, symlinkat: the last path is the new name
        change = disk_->log.before_create(paths.back());
    }
}

void PowerCutWatch::on_sync(pid_t tid, Abi abi, const trace::SyscallInfo& info,
                            const std::string& name) {
    const Arguments args(abi, info);
    if (name == "sync" || name == "syncfs") {
        disk_->log.synced_everything();  // syncfs: every file system, a little more than it does
    } else if (name == "msync") {
        if ((args.at(2) & MS_SYNC) != 0) {
            if (const auto file = mapped_file(tid, args.at(0))) {
                disk_->log.synced(undo::FileRef{*file, *file});
            }
        }
    } else if (const auto file = fd_file(tracer_, tid, args.at(0))) {
        if (name != "sync_file_range") {
            disk_->log.synced(*file);
            return;
        }
        const auto [offset, next] = args.wide(1);
        const auto [length, after] = args.wide(next);
        if ((args.at(after) & SYNC_FILE_RANGE_WAIT_AFTER) != 0) {
            disk_->log.synced_range(*file, offset, length);
        }
    }
}

void PowerCutWatch::on_map(pid_t tid, Abi abi, const trace::SyscallInfo& info) {
    const Arguments args(abi, info);
    const bool shared = (args.at(3) & MAP_SHARED) != 0;  // MAP_SHARED_VALIDATE has the bit too
    if (mapping_noted_ || !shared || (args.at(2) & PROT_WRITE) == 0) {
        return;
    }
    if (const auto file = fd_file(tracer_, tid, args.at(4))) {
        if (const auto node = disk_->fs.stat(file->reach);
            node && node->kind == undo::NodeKind::file) {
            mapping_noted_ = true;
            notes_.push_back("lose_unsynced: " + file->name +
                             " is mapped shared and writable: writes through the mapping are "
                             "not seen by ptrace, and a power cut leaves them as they are");
        }
    }
}

void PowerCutWatch::finish(RunResult& result) {
    result.notes.insert(result.notes.end(), notes_.begin(), notes_.end());
    if (over_limit_) {
        result.notes.push_back(
            "lose_unsynced: the old bytes kept to undo unsynced changes passed --undo-limit (" +
            std::to_string(disk_->log.spill().limit()) +
            " bytes): the program was stopped there and nothing was undone (raise --undo-limit)");
        return;
    }
    if (!loss_) {
        return;
    }
    PowerCut cut;
    cut.undo_bytes_peak = disk_->log.spill().peak_bytes();
    cut.undo_bytes_at_cut = disk_->log.spill().live_bytes();
    cut.undone = disk_->log.cut(undo::CutOptions{*loss_ == UnsyncedLoss::prefix, seed_});
    cut.kept_changes = disk_->log.kept_changes();
    result.power_cut = std::move(cut);
}

}  // namespace inject::engine
