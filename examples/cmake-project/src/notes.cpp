#include "notes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace notes {
namespace {

std::error_code last_error() {
    return {errno, std::system_category()};
}

// Runs a call again when a signal interrupted it before it did anything (a handler installed
// without SA_RESTART); any other result is the caller's to judge.
template <typename Call>
auto retry_on_eintr(Call call) {
    for (;;) {
        const auto result = call();
        if (result >= 0 || errno != EINTR) {
            return result;
        }
    }
}

std::error_code write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = retry_on_eintr([&] { return ::write(fd, data.data(), data.size()); });
        if (n < 0) {
            return last_error();
        }
        if (n == 0) {
            // No progress and no error: retrying could spin forever. Like gnulib's full_write,
            // take it to mean the device is full.
            return std::make_error_code(std::errc::no_space_on_device);
        }
        // A short write is legal (a signal, a nearly full disk): write the rest.
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

// Everything up to the rename: on any error the caller removes the temporary file.
std::error_code write_temporary(const std::string& tmp, std::string_view text) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        return last_error();
    }
    std::error_code error = write_all(fd, text);
    // Without this, a crash soon after the rename can leave PATH empty: the rename may reach
    // the disk before the data does.
    if (!error && retry_on_eintr([&] { return ::fsync(fd); }) != 0) {
        error = last_error();
    }
    // Some file systems (NFS, FUSE) report a failed write-back only here. Never retried:
    // Linux releases the descriptor even on EINTR.
    if (::close(fd) != 0 && !error) {
        error = last_error();
    }
    return error;
}

}  // namespace

std::error_code save(const std::filesystem::path& path, std::string_view text) {
    const std::string tmp = path.string() + ".tmp";
    std::error_code error = write_temporary(tmp, text);
    if (!error && ::rename(tmp.c_str(), path.c_str()) != 0) {
        error = last_error();
    }
    if (error) {
        ::unlink(tmp.c_str());  // may not exist (open failed): nothing to report then
        return error;
    }

    // The rename lives in the directory: until the directory is synced too, a crash can bring
    // the old file back.
    std::filesystem::path dir = path.parent_path();
    if (dir.empty()) {
        dir = ".";
    }
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        return last_error();
    }
    if (retry_on_eintr([&] { return ::fsync(dir_fd); }) != 0) {
        error = last_error();
    }
    ::close(dir_fd);  // read-only: nothing of ours can be lost here
    return error;
}

}  // namespace notes
