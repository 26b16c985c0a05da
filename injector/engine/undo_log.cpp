#include "engine/undo_log.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

#include "engine/draw.hpp"

namespace inject::engine::undo {

namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// The bytes of [offset, offset + length) that exist in a file of `size` bytes.
std::uint64_t existing_length(std::uint64_t size, std::uint64_t offset, std::uint64_t length) {
    return offset >= size ? 0 : std::min(length, size - offset);
}

std::uint64_t draw_below(std::uint64_t bound, std::uint64_t seed, std::uint64_t salt) {
    return bound == 0 ? 0 : draw_bits(seed, 0, salt) % bound;
}

}  // namespace

// ---- Spill ----

Spill::~Spill() {
    file_.reset();
    if (!directory_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(directory_, ignored);
    }
}

void Spill::open() {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/inject-undo-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw_errno("making the undo directory");
    }
    directory_ = pattern;
    file_.reset(
        ::open((directory_ + "/old-bytes").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!file_) {
        throw_errno("making the undo file");
    }
}

void write_at(int fd, std::uint64_t offset, std::string_view bytes, const char* what) {
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t written = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                                         static_cast<off_t>(offset + done));
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno(what);
        }
        done += static_cast<std::size_t>(written);
    }
}

std::string read_at(int fd, std::uint64_t offset, std::uint64_t length, const char* what) {
    std::string bytes(length, '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t got = ::pread(fd, bytes.data() + done, bytes.size() - done,
                                    static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw_errno(what);
        }
        if (got == 0) {
            break;
        }
        done += static_cast<std::size_t>(got);
    }
    bytes.resize(done);
    return bytes;
}

std::optional<Spill::Extent> Spill::keep(std::string_view bytes) {
    if (bytes.size() > limit_ - std::min(limit_, live_)) {
        return std::nullopt;
    }
    if (bytes.empty()) {
        return Extent{end_, 0};
    }
    if (!file_) {
        open();
    }
    write_at(file_.get(), end_, bytes, "keeping old bytes");
    const Extent extent{end_, bytes.size()};
    end_ += bytes.size();
    live_ += bytes.size();
    peak_ = std::max(peak_, live_);
    return extent;
}

std::string Spill::read(Extent extent) const {
    std::string bytes =
        read_at(file_.get(), extent.offset, extent.length, "reading old bytes back");
    if (bytes.size() != extent.length) {
        errno = EIO;
        throw_errno("reading old bytes back");
    }
    return bytes;
}

void Spill::forget(Extent extent) {
    if (extent.length == 0) {
        return;
    }
    live_ -= std::min(live_, extent.length);
    if (live_ == 0) {
        // Nothing left to keep: start again from the beginning of an empty file.
        end_ = 0;
        [[maybe_unused]] const int ignored = ::ftruncate(file_.get(), 0);
        return;
    }
    // The disk it used goes back now: a long run that syncs keeps using little.
    [[maybe_unused]] const int ignored =
        ::fallocate(file_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    static_cast<off_t>(extent.offset), static_cast<off_t>(extent.length));
}

// ---- Recording ----

bool UndoLog::mark_full() {
    full_ = true;
    return false;
}

std::optional<UndoLog::Sequence> UndoLog::add(std::variant<DataChange, NameChange> what) {
    const Sequence number = next_++;
    changes_.push_back(Change{number, std::move(what)});
    return number;
}

std::optional<UndoLog::Sequence> UndoLog::data_change(const FileRef& file, std::string kind,
                                                      std::uint64_t offset, std::uint64_t length) {
    if (full_) {
        return std::nullopt;
    }
    const std::optional<Node> node = fs_.hold(file.reach);
    if (!node) {
        return std::nullopt;  // a pipe, a socket, a device: nothing a power cut loses
    }
    const std::uint64_t existing = existing_length(node->size, offset, length);
    const std::optional<Spill::Extent> old_bytes =
        spill_.keep(existing == 0 ? std::string() : fs_.read(node->id, offset, existing));
    if (!old_bytes) {
        mark_full();
        return std::nullopt;
    }
    return add(
        DataChange{node->id, file.name, std::move(kind), offset, length, node->size, *old_bytes});
}

std::optional<UndoLog::Sequence> UndoLog::before_write(const FileRef& file, std::uint64_t offset,
                                                       std::uint64_t length) {
    return data_change(file, "write", offset, length);
}

std::optional<UndoLog::Sequence> UndoLog::before_resize(const FileRef& file,
                                                        std::uint64_t new_size) {
    const std::optional<Node> node = fs_.stat(file.reach);
    // What a shrink cuts off is kept; a growth only needs the old size.
    const std::uint64_t size = node ? node->size : 0;
    return data_change(file, "truncate", std::min(size, new_size),
                       size > new_size ? size - new_size : new_size - size);
}

std::optional<UndoLog::Sequence> UndoLog::before_allocate(const FileRef& file, std::uint64_t offset,
                                                          std::uint64_t length) {
    return data_change(file, "fallocate", offset, length);
}

std::optional<std::optional<UndoLog::Lost>> UndoLog::keep_node(const std::string& path) {
    const std::optional<Node> node = fs_.look_up(path);
    if (!node) {
        return std::optional<Lost>{};
    }
    Lost lost{node->kind, node->id, {}, {}};
    if (node->kind == NodeKind::symlink) {
        lost.target = fs_.read_link(path);
    } else if (node->kind == NodeKind::file) {
        const std::optional<Node> held = fs_.hold(path);
        const std::optional<Spill::Extent> contents =
            spill_.keep(held ? fs_.read(held->id, 0, held->size) : std::string());
        if (!contents) {
            mark_full();
            return std::nullopt;
        }
        lost.contents = *contents;
    }
    return std::optional<Lost>{std::move(lost)};
}

std::optional<UndoLog::Sequence> UndoLog::before_create(const std::string& path) {
    if (full_ || fs_.look_up(path)) {
        return std::nullopt;  // it exists: O_CREAT opens it, mkdir fails
    }
    return add(NameChange{"create", path, {}, directories_of(path), {}, {}});
}

std::optional<UndoLog::Sequence> UndoLog::before_remove(const std::string& path) {
    if (full_ || !fs_.look_up(path)) {
        return std::nullopt;
    }
    std::optional<std::optional<Lost>> lost = keep_node(path);
    if (!lost) {
        return std::nullopt;
    }
    return add(NameChange{"remove", path, {}, directories_of(path), std::move(*lost), {}});
}

std::optional<UndoLog::Sequence> UndoLog::before_rename(const std::string& from,
                                                        const std::string& to, bool exchange) {
    if (full_ || !fs_.look_up(from)) {
        return std::nullopt;  // the call fails with ENOENT
    }
    const FileId moved = fs_.look_up(from)->id;
    std::optional<Lost> replaced;
    if (!exchange) {
        std::optional<std::optional<Lost>> lost = keep_node(to);
        if (!lost) {
            return std::nullopt;
        }
        replaced = std::move(*lost);
    }
    return add(NameChange{exchange ? "exchange" : "rename", to, from, directories_of(from, to),
                          std::move(replaced), moved});
}

std::vector<FileId> UndoLog::directories_of(const std::string& path, const std::string& other) {
    std::vector<FileId> dirs;
    for (const std::string& name : {path, other}) {
        if (name.empty()) {
            continue;
        }
        if (const std::optional<Node> dir = fs_.stat(parent_of(name));
            dir && std::find(dirs.begin(), dirs.end(), dir->id) == dirs.end()) {
            dirs.push_back(dir->id);
        }
    }
    return dirs;
}

void UndoLog::confirm(Sequence change, std::int64_t result) {
    const auto it = std::find_if(changes_.begin(), changes_.end(),
                                 [&](const Change& known) { return known.number == change; });
    if (it == changes_.end()) {
        return;  // synced meanwhile
    }
    if (result < 0) {
        forget(*it);
        changes_.erase(it);
        return;
    }
    if (const auto* data = std::get_if<DataChange>(&it->what); data && data->kind == "write") {
        written_[change] = static_cast<std::uint64_t>(result);
    }
}

// ---- Syncing ----

void UndoLog::forget(Change& change) {
    written_.erase(change.number);
    if (auto* data = std::get_if<DataChange>(&change.what)) {
        spill_.forget(data->old_bytes);
    } else if (auto& name = std::get<NameChange>(change.what); name.lost) {
        spill_.forget(name.lost->contents);
    }
}

void UndoLog::forget_if(const std::function<bool(Change&)>& durable) {
    std::vector<FileId> touched;
    std::erase_if(changes_, [&](Change& change) {
        if (!durable(change)) {
            return false;
        }
        if (const auto* data = std::get_if<DataChange>(&change.what)) {
            touched.push_back(data->file);
        }
        forget(change);
        return true;
    });
    for (const FileId& file : touched) {
        release_unused(file);
    }
}

void UndoLog::release_unused(FileId file) {
    const bool used = std::any_of(changes_.begin(), changes_.end(), [&](const Change& change) {
        const auto* data = std::get_if<DataChange>(&change.what);
        return data != nullptr && data->file == file;
    });
    if (!used) {
        fs_.release(file);
    }
}

void UndoLog::synced(const FileRef& file) {
    const std::optional<Node> node = fs_.stat(file.reach);
    if (!node) {
        return;
    }
    if (node->kind == NodeKind::directory) {
        // A directory's fsync makes the names changed in it durable (the rename into it, the
        // file created there), not what its files hold.
        forget_if([&](Change& change) {
            auto* name = std::get_if<NameChange>(&change.what);
            if (name == nullptr) {
                return false;
            }
            std::erase(name->dirs, node->id);
            return name->dirs.empty();
        });
        return;
    }
    forget_if([&](Change& change) {
        const auto* data = std::get_if<DataChange>(&change.what);
        return data != nullptr && data->file == node->id;
    });
}

void UndoLog::synced_range(const FileRef& file, std::uint64_t offset, std::uint64_t length) {
    const std::optional<Node> held = fs_.stat(file.reach);
    if (!held) {
        return;
    }
    const std::uint64_t end = length == 0 ? UINT64_MAX : offset + length;
    forget_if([&](Change& change) {
        const auto* data = std::get_if<DataChange>(&change.what);
        // Only writes inside the range are written out; a size change is metadata, which
        // sync_file_range does not write.
        return data != nullptr && data->file == held->id && data->kind == "write" &&
               data->offset >= offset && data->offset + data->length <= end;
    });
}

void UndoLog::synced_everything() {
    forget_if([](Change&) { return true; });
}

// ---- The cut ----

std::pair<std::size_t, std::optional<std::uint64_t>> UndoLog::draw_prefix(
    std::uint64_t seed) const {
    const std::size_t kept = draw_below(changes_.size() + 1, seed, 1);
    if (kept == changes_.size()) {
        return {kept, std::nullopt};
    }
    // The first change lost may be a write torn after some of its bytes.
    const auto written = written_.find(changes_[kept].number);
    if (written == written_.end() || written->second == 0) {
        return {kept, std::nullopt};
    }
    return {kept, draw_below(written->second, seed, 2)};
}

std::vector<UndoneChange> UndoLog::cut(const CutOptions& options) {
    std::size_t kept = 0;
    std::optional<std::uint64_t> torn_after;
    if (options.keep_prefix) {
        std::tie(kept, torn_after) = draw_prefix(options.seed);
    }
    kept_ = kept;
    std::vector<UndoneChange> undone;
    for (std::size_t index = changes_.size(); index > kept; --index) {
        const Change& change = changes_[index - 1];
        if (auto done = undo(change, index - 1 == kept ? torn_after : std::nullopt)) {
            undone.push_back(std::move(*done));
        }
    }
    std::reverse(undone.begin(), undone.end());
    for (Change& change : changes_) {
        forget(change);
    }
    changes_.clear();
    return undone;
}

std::optional<UndoneChange> UndoLog::undo(const Change& change,
                                          std::optional<std::uint64_t> kept_bytes) {
    try {
        if (const auto* data = std::get_if<DataChange>(&change.what)) {
            return undo_data(*data, kept_bytes);
        }
        return undo_name(std::get<NameChange>(change.what));
    } catch (const std::system_error& error) {
        UndoneChange failed;
        if (const auto* data = std::get_if<DataChange>(&change.what)) {
            failed = UndoneChange{data->kind, data->name, {}, data->offset, data->length};
        } else {
            const auto& name = std::get<NameChange>(change.what);
            failed = UndoneChange{name.kind, name.path, name.from};
        }
        failed.error = error.code().message();
        return failed;
    }
}

UndoneChange UndoLog::undo_data(const DataChange& change, std::optional<std::uint64_t> kept_bytes) {
    FileId file = change.file;
    for (auto moved = moved_.find(file); moved != moved_.end(); moved = moved_.find(file)) {
        file = moved->second;
    }
    const std::uint64_t kept = kept_bytes.value_or(0);
    const std::string old_bytes = spill_.read(change.old_bytes);
    if (kept < old_bytes.size()) {
        fs_.write(file, change.offset + kept, std::string_view(old_bytes).substr(kept));
    }
    // A torn write that grew the file keeps it as long as its kept bytes reach.
    fs_.resize(file, std::max(change.old_size, kept == 0 ? 0 : change.offset + kept));
    return UndoneChange{change.kind,
                        change.name,
                        {},
                        change.offset + kept,
                        change.length - std::min(change.length, kept)};
}

std::optional<UndoneChange> UndoLog::undo_name(const NameChange& change) {
    const std::optional<Node> now = fs_.look_up(change.path);
    if (change.kind == "create") {
        if (!now) {
            return std::nullopt;
        }
        fs_.remove(change.path);
    } else if (change.kind == "remove") {
        if (now && now->id == change.lost->id) {
            return std::nullopt;
        }
        make_again(change.path, *change.lost);
    } else if (change.kind == "exchange") {
        fs_.exchange(change.from, change.path);
    } else {
        if (!now || now->id != change.moved) {
            return std::nullopt;
        }
        fs_.rename(change.path, change.from);
        if (change.lost) {
            make_again(change.path, *change.lost);
        }
    }
    return UndoneChange{change.kind, change.path, change.from};
}

void UndoLog::make_again(const std::string& path, const Lost& lost) {
    switch (lost.kind) {
        case NodeKind::file: {
            // A new file with the contents the name had when it went: older changes to the old
            // file are undone on this one.
            const FileId made = fs_.make_file(path, spill_.read(lost.contents));
            moved_[lost.id] = made;
            break;
        }
        case NodeKind::directory:
            fs_.make_directory(path);
            break;
        case NodeKind::symlink:
            fs_.make_symlink(lost.target, path);
            break;
        case NodeKind::other:
            break;  // a device or a fifo: not made again (and said so by no error)
    }
}

}  // namespace inject::engine::undo
