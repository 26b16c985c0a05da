// config_writer PATH KEY=VALUE...: replaces a config file so that a crash or an I/O error
// never leaves a half-written one behind.
//
// An example for inject. The file is written the careful way: the new contents go to
// PATH.tmp, fsync makes them durable, rename(2) swaps them in atomically, and an fsync of the
// directory makes the rename itself durable. Every step is checked; on a failure the program
// says which step failed and why, e.g.
//   config_writer: syncing app.conf.tmp: Input/output error
// removes PATH.tmp, and exits 1, with the old PATH untouched. (Only a failure of the final
// directory sync comes after the swap: PATH then already holds the new contents, but they may
// not survive a crash, and the exit status is still 1 so that the caller knows.)

#include "careful_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace {

using examples::fail;
using examples::IoError;
using examples::RemoveUnlessCommitted;
using examples::UniqueFd;

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

void write_all(int fd, std::string_view data, const std::string& name) {
    while (!data.empty()) {
        const ssize_t n = retry_on_eintr([&] { return ::write(fd, data.data(), data.size()); });
        if (n < 0) {
            fail("writing ", name);
        }
        if (n == 0) {
            // No progress and no error: retrying could spin forever. Like gnulib's
            // full_write (used by cp), take it to mean the device is full.
            throw IoError{"writing " + name, ENOSPC};
        }
        // A short write is legal (a signal, a nearly full disk): write the rest.
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// A command line this program cannot act on (exit status 2, as for the usage message).
struct UsageError {
    std::string message;
};

// "KEY=VALUE" lines, one per argument; a malformed argument is refused before any file is
// touched.
std::string render(int count, char** pairs) {
    std::string text;
    for (int i = 0; i < count; ++i) {
        const std::string_view pair = pairs[i];
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0 || pair.find('\n') != std::string_view::npos) {
            throw UsageError{"bad setting \"" + std::string(pair) + "\" (expected KEY=VALUE)"};
        }
        text.append(pair);
        text.push_back('\n');
    }
    return text;
}

void write_config(const std::string& path, const std::string& contents) {
    const std::string tmp = path + ".tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (fd.get() < 0) {
        fail("creating ", tmp);
    }
    RemoveUnlessCommitted temp_file(tmp);

    // A config may hold secrets: the new file keeps the permissions of the one it replaces.
    struct stat old {};
    if (::stat(path.c_str(), &old) == 0) {
        if (::fchmod(fd.get(), old.st_mode & 07777) != 0) {
            fail("setting the permissions of ", tmp);
        }
    } else if (errno != ENOENT) {
        fail("inspecting ", path);
    }

    write_all(fd.get(), contents, tmp);
    // Without this, a crash soon after the rename can leave PATH empty: the rename may reach
    // the disk before the data does.
    if (retry_on_eintr([&] { return ::fsync(fd.get()); }) != 0) {
        fail("syncing ", tmp);
    }
    if (fd.close() != 0) {
        fail("closing ", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        throw IoError{"renaming " + tmp + " to " + path, error};
    }
    temp_file.commit();

    // The rename lives in the directory: until the directory is synced too, a crash can bring
    // the old file back.
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) {
        dir = ".";
    }
    const UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0) {
        fail("opening directory ", dir);
    }
    if (retry_on_eintr([&] { return ::fsync(dir_fd.get()); }) != 0) {
        fail("syncing directory ", dir);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: config_writer PATH KEY=VALUE...\n");
        return 2;
    }
    try {
        write_config(argv[1], render(argc - 2, argv + 2));
    } catch (const UsageError& e) {
        std::fprintf(stderr, "config_writer: %s\n", e.message.c_str());
        return 2;
    } catch (const IoError& e) {
        std::fprintf(stderr, "config_writer: %s: %s\n", e.action.c_str(), std::strerror(e.error));
        return 1;
    }
    return 0;
}
