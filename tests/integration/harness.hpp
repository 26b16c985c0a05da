// Helpers for integration tests: run a command with its output captured, find the built
// binaries, make temporary directories.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trace/unique_fd.hpp"

namespace inject::testing {

struct CommandResult {
    int exit_status = -1;  // as a shell reports it: the exit code, or 128+signal
    std::string out;       // everything the command wrote to stdout
    std::string err;       // and to stderr
};

// Runs argv (argv[0] searched in PATH) with stdin from /dev/null, captures both outputs,
// and kills it (exit_status 128+SIGKILL) when it outlives the timeout.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::seconds timeout = std::chrono::seconds(60));

// A command running in the background with pipes to its stdin, stdout and stderr, which a
// test talks to line by line: for programs that wait for commands, and for inject running
// while the test acts. In a process group of its own (as run_command's), killed with it and
// reaped on destruction if it is still running.
class BackgroundProcess {
  public:
    explicit BackgroundProcess(const std::vector<std::string>& argv);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    pid_t pid() const { return pid_; }
    void send(std::string_view text) const;  // to its stdin
    void close_stdin();
    void signal(int number) const;

    // The next whole line it writes to stdout (stderr), without its newline; nullopt at the
    // end of the output, or after 20 s without one (a test fails on that, not hangs).
    std::optional<std::string> next_line();
    std::optional<std::string> next_err_line();
    // Whether stdout holds a line not read yet, without waiting for one.
    bool has_line();
    // Everything not read yet, up to the end of its stderr.
    std::string rest_of_err();
    // Waits for its end; the exit code, or 128+signal as a shell reports it.
    int wait();

  private:
    struct Stream {
        trace::UniqueFd fd;
        std::string buffer;  // read, not yet returned
    };
    static std::optional<std::string> take_line(Stream& stream, bool wait);

    pid_t pid_ = -1;
    trace::UniqueFd stdin_;
    Stream out_;
    Stream err_;
};

std::string inject_binary();                  // the inject executable under test
std::string program(std::string_view name);   // tests/programs/<name>, as built
std::string example(std::string_view name);   // examples/<name>, as built
std::string scenario(std::string_view name);  // scenarios/<name> in the source tree
std::optional<std::string> strace_binary();   // nullopt when strace is not installed

// A fresh directory, removed with its contents on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string operator/(std::string_view name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, std::string_view contents);

}  // namespace inject::testing
