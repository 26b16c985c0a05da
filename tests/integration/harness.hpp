// Helpers for integration tests: run a command with its output captured, find the built
// binaries, make temporary directories.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
