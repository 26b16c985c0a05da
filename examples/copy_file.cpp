// copy_file SRC DST: copies a file, and fails cleanly.
//
// An example for inject: its error handling is what the shipped scenarios exercise. It copies
// with plain read(2) and write(2) in 4 KiB chunks (no copy_file_range or sendfile), so a rule
// on `write` meets every chunk it copies: under scenarios/enospc.toml the third chunk hits a
// full disk. Short writes and EINTR are retried; any other error is reported as
//   copy_file: writing DST: No space left on device
// the partial DST is removed (a truncated copy that looks complete is worse than none), and
// the exit status is 1. Success is silent, exit status 0.

#include "careful_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

namespace {

using examples::fail;
using examples::IoError;
using examples::RemoveUnlessCommitted;
using examples::UniqueFd;

constexpr std::size_t kChunk = 4096;

// Reads up to size bytes; 0 means end of file. A signal arriving before any data is read
// (a handler installed without SA_RESTART) is not an error: the read is simply retried.
std::size_t read_some(int fd, char* buf, std::size_t size, const std::string& name) {
    for (;;) {
        const ssize_t n = ::read(fd, buf, size);
        if (n >= 0) {
            return static_cast<std::size_t>(n);
        }
        if (errno != EINTR) {
            fail("reading ", name);
        }
    }
}

// Writes all of buf. write() may legally write less than asked (a signal, a nearly full
// disk), so the rest is written again until done or a real error.
void write_all(int fd, const char* buf, std::size_t size, const std::string& name) {
    while (size > 0) {
        const ssize_t n = ::write(fd, buf, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("writing ", name);
        }
        if (n == 0) {
            // No progress and no error: retrying could spin forever. Like gnulib's
            // full_write (used by cp), take it to mean the device is full.
            throw IoError{"writing " + name, ENOSPC};
        }
        buf += n;
        size -= static_cast<std::size_t>(n);
    }
}

void copy(const std::string& src_name, const std::string& dst_name) {
    const UniqueFd src(::open(src_name.c_str(), O_RDONLY | O_CLOEXEC));
    if (src.get() < 0) {
        fail("opening ", src_name);
    }
    // Not O_TRUNC yet: if DST is SRC under another name, truncating it would destroy the
    // data before the check below could see that.
    UniqueFd dst(::open(dst_name.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666));
    if (dst.get() < 0) {
        fail("creating ", dst_name);
    }
    struct stat src_st {};
    struct stat dst_st {};
    if (::fstat(src.get(), &src_st) != 0) {
        fail("inspecting ", src_name);
    }
    if (::fstat(dst.get(), &dst_st) != 0) {
        fail("inspecting ", dst_name);
    }
    if (src_st.st_dev == dst_st.st_dev && src_st.st_ino == dst_st.st_ino) {
        throw IoError{src_name + " and " + dst_name + " are the same file", 0};
    }

    // From here on DST holds (part of) our copy, so a failure must not leave it behind.
    RemoveUnlessCommitted partial(dst_name);
    if (::ftruncate(dst.get(), 0) != 0) {
        fail("truncating ", dst_name);
    }
    std::array<char, kChunk> buf{};
    for (;;) {
        const std::size_t n = read_some(src.get(), buf.data(), buf.size(), src_name);
        if (n == 0) {
            break;
        }
        write_all(dst.get(), buf.data(), n, dst_name);
    }
    if (dst.close() != 0) {
        fail("closing ", dst_name);
    }
    partial.commit();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: copy_file SRC DST\n");
        return 2;
    }
    try {
        copy(argv[1], argv[2]);
    } catch (const IoError& e) {
        if (e.error == 0) {
            std::fprintf(stderr, "copy_file: %s\n", e.action.c_str());
        } else {
            std::fprintf(stderr, "copy_file: %s: %s\n", e.action.c_str(), std::strerror(e.error));
        }
        return 1;
    }
    return 0;
}
