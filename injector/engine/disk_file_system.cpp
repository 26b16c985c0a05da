#include "engine/disk_file_system.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <filesystem>
#include <system_error>

namespace inject::engine::undo {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

Node node_of(const struct stat& status) {
    NodeKind kind = NodeKind::other;
    if (S_ISREG(status.st_mode)) {
        kind = NodeKind::file;
    } else if (S_ISDIR(status.st_mode)) {
        kind = NodeKind::directory;
    } else if (S_ISLNK(status.st_mode)) {
        kind = NodeKind::symlink;
    }
    return Node{kind, FileId{status.st_dev, status.st_ino},
                static_cast<std::uint64_t>(status.st_size)};
}

}  // namespace

std::optional<Node> DiskFileSystem::look_up(const std::string& path) {
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) {
        return std::nullopt;
    }
    return node_of(status);
}

std::optional<Node> DiskFileSystem::stat(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        return std::nullopt;
    }
    return node_of(status);
}

std::optional<Node> DiskFileSystem::hold(const std::string& path) {
    // Looked at before it is opened: opening a fifo or a device could block or act on it.
    const std::optional<Node> node = stat(path);
    if (!node || node->kind != NodeKind::file) {
        return std::nullopt;
    }
    if (!held_.contains(node->id)) {
        trace::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
        if (!fd) {
            return std::nullopt;
        }
        struct stat status {};
        if (::fstat(fd.get(), &status) != 0 || node_of(status).id != node->id) {
            return std::nullopt;  // replaced between the two looks
        }
        held_.emplace(node->id, std::move(fd));
    }
    return node;
}

int DiskFileSystem::held_fd(FileId file) const {
    const auto it = held_.find(file);
    if (it == held_.end()) {
        errno = EBADF;
        throw_errno("a file no longer held");
    }
    return it->second.get();
}

std::string DiskFileSystem::read(FileId file, std::uint64_t offset, std::uint64_t length) {
    return read_at(held_fd(file), offset, length, "pread");
}

void DiskFileSystem::write(FileId file, std::uint64_t offset, std::string_view bytes) {
    write_at(held_fd(file), offset, bytes, "pwrite");
}

void DiskFileSystem::resize(FileId file, std::uint64_t size) {
    if (::ftruncate(held_fd(file), static_cast<off_t>(size)) != 0) {
        throw_errno("ftruncate");
    }
}

std::string DiskFileSystem::read_link(const std::string& path) {
    std::string target(PATH_MAX, '\0');
    const ssize_t length = ::readlink(path.c_str(), target.data(), target.size());
    if (length < 0) {
        throw_errno("readlink");
    }
    target.resize(static_cast<std::size_t>(length));
    return target;
}

void DiskFileSystem::rename(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        throw_errno("rename");
    }
}

void DiskFileSystem::exchange(const std::string& first, const std::string& second) {
    if (::syscall(SYS_renameat2, AT_FDCWD, first.c_str(), AT_FDCWD, second.c_str(),
                  RENAME_EXCHANGE) != 0) {
        throw_errno("renameat2");
    }
}

void DiskFileSystem::remove(const std::string& path) {
    std::error_code error;
    std::filesystem::remove_all(path, error);
    if (error) {
        throw std::system_error(error, "remove");
    }
}

void DiskFileSystem::make_directory(const std::string& path) {
    if (::mkdir(path.c_str(), 0777) != 0) {
        throw_errno("mkdir");
    }
}

void DiskFileSystem::make_symlink(const std::string& target, const std::string& path) {
    if (::symlink(target.c_str(), path.c_str()) != 0) {
        throw_errno("symlink");
    }
}

FileId DiskFileSystem::make_file(const std::string& path, std::string_view contents) {
    trace::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (!fd) {
        throw_errno("creating " + path);
    }
    write_at(fd.get(), 0, contents, "pwrite");
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
        throw_errno("fstat");
    }
    const FileId id = node_of(status).id;
    held_.insert_or_assign(id, std::move(fd));
    return id;
}

}  // namespace inject::engine::undo
