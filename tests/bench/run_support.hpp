// What the benchmark driver needs to run a program and read what it reported: a child that is
// never left behind, its output in memory, its wall and CPU time, medians and the text of
// ratios.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

class UniqueFd {
  public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&&) = delete;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const { return fd_; }

  private:
    int fd_;
};

[[noreturn]] void fail_errno(const std::string& what);

struct RunOutput {
    double seconds = 0;      // wall
    double cpu_seconds = 0;  // user + system of the process and every child it waited for
    int status = 0;
    std::string out;
    std::string err;
};

// Runs `command` (argv[0] a path) with stdin from /dev/null and its output kept in memory.
RunOutput run(const std::vector<std::string>& command);

// Spinning processes that keep `count` CPUs busy while they live: a loaded machine.
class Load {
  public:
    explicit Load(int count);
    ~Load();
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;

  private:
    std::vector<pid_t> spinners_;
};

// The number after "KEY " on a line of its own in a program's report, if there is one.
std::optional<long> field(const std::string& text, std::string_view key);

double median(std::vector<double> values);
// How far apart the fastest and slowest runs were, relative to the median.
std::string spread_text(const std::vector<double>& values);
std::string seconds_text(double seconds);
std::string ratio_text(double ratio);
std::string describe_status(int status);
std::string command_line(const std::vector<std::string>& command);
// execv takes a path, not a name: a bare name looked up in PATH as the shell would.
std::optional<std::string> resolve(const std::string& program);

}  // namespace bench
