#include "engine/call_facts.hpp"

#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>

#include <cstdint>

#include "engine/paths.hpp"
#include "syscalls/catalogue.hpp"

namespace inject::engine {

namespace {

using catalogue::ArgKind;

// The kernel reads an int from the register, whatever lies above it (and an i386 register is
// 32 bits): -1 and AT_FDCWD arrive as 0xffffffff... and must read as negative.
int as_fd(std::uint64_t argument) {
    return static_cast<int>(static_cast<std::uint32_t>(argument));
}

std::string_view basename_of(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

const std::vector<std::string>& fd_closing_syscalls() {
    static const std::vector<std::string> names{"close", "dup2", "dup3", "close_range", "unshare"};
    return names;
}

std::span<const StackFrame> TraceeFacts::stack() {
    if (!stack_taken_) {
        stack_taken_ = true;
        frames_.clear();
        if (stacks_ == nullptr || stacks_->stack_of(tgid_, tid_, frames_)) {
            frames_.clear();  // not known: a thread gone, memory it cannot read either
        }
    }
    return frames_;
}

void forget_fd_files(ProcessFacts& process, std::string_view syscall,
                     const trace::SyscallInfo& info) {
    process.fd_files.clear();
    const bool unshares = (syscall == "unshare" && (info.args[0] & CLONE_FILES) != 0) ||
                          (syscall == "close_range" && (info.args[2] & CLOSE_RANGE_UNSHARE) != 0);
    if (unshares) {
        // The calling thread leaves the table its process's other threads (or processes) go
        // on using: from now on they may differ. (Should the call fail, nothing is lost but
        // the cache.)
        process.fd_table_shared = true;
    }
}

const std::vector<int>& TraceeFacts::fds() {
    if (!fds_) {
        fds_.emplace();
        if (const catalogue::Signature* signature = catalogue::signature(abi_, info_.number)) {
            for (std::size_t index = 0; index < signature->arg_count; ++index) {
                if (signature->args[index].kind != ArgKind::fd) {
                    continue;
                }
                const int fd = as_fd(info_.args[index]);
                if (fd >= 0) {  // mmap's -1 for anonymous memory is no file
                    fds_->push_back(fd);
                }
            }
        }
    }
    return *fds_;
}

const std::vector<std::string>& TraceeFacts::paths() {
    if (paths_) {
        return *paths_;
    }
    paths_.emplace();
    const catalogue::Signature* signature = catalogue::signature(abi_, info_.number);
    if (signature == nullptr) {
        return *paths_;
    }
    bool has_path_argument = false;
    for (std::size_t index = 0; index < signature->arg_count; ++index) {
        if (signature->args[index].kind != ArgKind::path) {
            continue;
        }
        has_path_argument = true;
        std::string path;
        if (tracer_.read_string(tid_, info_.args[index], PATH_MAX, path)) {
            continue;  // unreadable memory: the kernel will fail it with EFAULT; no path
        }
        // An *at call's path is taken from the dirfd just before it.
        std::optional<int> dirfd;
        if (index > 0 && signature->args[index - 1].kind == ArgKind::dirfd) {
            dirfd = as_fd(info_.args[index - 1]);
        }
        if (path.starts_with('/')) {
            paths_->push_back(absolute_path("/", path));
        } else if (const auto base = base_directory(dirfd)) {
            paths_->push_back(absolute_path(*base, path));
        }
    }
    if (has_path_argument) {
        return *paths_;  // a call that names files by path touches those, not its fds' files
    }
    for (const int fd : fds()) {
        if (auto file = fd_file(fd)) {
            paths_->push_back(std::move(*file));
        }
    }
    return *paths_;
}

const std::vector<std::string>& TraceeFacts::process_names() {
    ProcessFacts& process = processes_[tgid_];
    if (!process.names) {
        process.names.emplace();
        std::string name;
        if (!tracer_.read_comm(tgid_, name)) {
            process.names->push_back(name);
        }
        if (!tracer_.read_proc_link(tgid_, "exe", name)) {
            process.names->emplace_back(basename_of(name));
        }
    }
    return *process.names;
}

std::optional<std::string> TraceeFacts::fd_file(int fd) {
    const bool cached = cache_fd_files_ && !processes_[tgid_].fd_table_shared;
    if (cached) {
        const ProcessFacts& process = processes_[tgid_];
        if (const auto known = process.fd_files.find(fd); known != process.fd_files.end()) {
            return known->second;
        }
    }
    std::string file;
    if (tracer_.read_proc_link(tid_, "fd/" + std::to_string(fd), file)) {
        // Not open now; it may be opened by a call the engine does not see, so nothing is
        // remembered.
        return std::nullopt;
    }
    if (cached) {
        processes_[tgid_].fd_files.emplace(fd, file);
    }
    return file;
}

std::optional<std::string> TraceeFacts::base_directory(std::optional<int> dirfd) {
    std::string base;
    if (!dirfd || *dirfd == AT_FDCWD) {
        if (tracer_.read_proc_link(tid_, "cwd", base)) {
            return std::nullopt;
        }
    } else if (auto file = fd_file(*dirfd)) {
        base = std::move(*file);
    } else {
        return std::nullopt;  // a bad dirfd: the kernel fails the call with EBADF
    }
    // A dirfd on a pipe or socket has no place in the file tree to start from.
    if (!base.starts_with('/')) {
        return std::nullopt;
    }
    return base;
}

}  // namespace inject::engine
