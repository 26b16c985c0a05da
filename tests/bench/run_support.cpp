#include "run_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace bench {

namespace {

// A child process that is killed and reaped if it is abandoned (an exception while it runs),
// so the benchmark never leaves a traced workload behind.
class Child {
  public:
    explicit Child(pid_t pid) : pid_(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }
    // Its status and the CPU it and its waited-for children used.
    int wait(rusage& usage) {
        int status = 0;
        while (::wait4(pid_, &status, 0, &usage) < 0) {
            if (errno != EINTR) {
                fail_errno("wait4");
            }
        }
        pid_ = -1;
        return status;
    }

  private:
    pid_t pid_;
};

// Output goes to an anonymous memory file rather than a pipe: the child never blocks on a
// full pipe, and the benchmark does no reading while the clock runs.
UniqueFd memory_file(const char* name) {
    int fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        fail_errno("memfd_create");
    }
    return UniqueFd(fd);
}

std::string read_all(const UniqueFd& fd) {
    std::string text;
    char buffer[4096];
    off_t offset = 0;
    for (;;) {
        ssize_t got = ::pread(fd.get(), buffer, sizeof buffer, offset);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail_errno("pread");
        }
        if (got == 0) {
            return text;
        }
        text.append(buffer, static_cast<std::size_t>(got));
        offset += got;
    }
}

double now_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_of(const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) * 1e-6;
}

}  // namespace

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void fail_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

RunOutput run(const std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (const std::string& word : command) {
        argv.push_back(const_cast<char*>(word.c_str()));
    }
    argv.push_back(nullptr);
    UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (devnull.get() < 0) {
        fail_errno("/dev/null");
    }
    UniqueFd out = memory_file("bench-stdout");
    UniqueFd err = memory_file("bench-stderr");

    RunOutput result;
    const double start = now_seconds();
    const pid_t pid = ::fork();
    if (pid < 0) {
        fail_errno("fork");
    }
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        if (::dup2(devnull.get(), STDIN_FILENO) < 0 || ::dup2(out.get(), STDOUT_FILENO) < 0 ||
            ::dup2(err.get(), STDERR_FILENO) < 0) {
            ::_exit(127);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    Child child(pid);
    rusage usage{};
    result.status = child.wait(usage);
    result.seconds = now_seconds() - start;
    result.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
    result.out = read_all(out);
    result.err = read_all(err);
    return result;
}

Load::Load(int count) {
    for (int i = 0; i < count; ++i) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            fail_errno("fork");
        }
        if (pid == 0) {
            for (;;) {
                __asm__ volatile("" ::: "memory");  // a loop the compiler must keep
            }
        }
        spinners_.push_back(pid);
    }
}

Load::~Load() {
    for (const pid_t pid : spinners_) {
        ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

std::optional<long> field(const std::string& text, std::string_view key) {
    std::size_t at = 0;
    while ((at = text.find(key, at)) != std::string::npos) {
        bool line_start = at == 0 || text[at - 1] == '\n';
        std::size_t value = at + key.size();
        if (line_start && value < text.size() && text[value] == ' ') {
            long number = 0;
            const char* first = text.data() + value + 1;
            auto [end, ec] = std::from_chars(first, text.data() + text.size(), number);
            if (ec == std::errc() && end != first) {
                return number;
            }
        }
        at = value;
    }
    return std::nullopt;
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::string spread_text(const std::vector<double>& values) {
    if (values.size() < 2 || median(values) <= 0) {
        return "";
    }
    auto [low, high] = std::minmax_element(values.begin(), values.end());
    char text[32];
    std::snprintf(text, sizeof text, "%.0f%%", (*high - *low) / median(values) * 100);
    return text;
}

std::string seconds_text(double seconds) {
    char text[32];
    if (seconds < 1) {
        std::snprintf(text, sizeof text, "%.1f ms", seconds * 1000);
    } else {
        std::snprintf(text, sizeof text, "%.3f s", seconds);
    }
    return text;
}

std::string ratio_text(double ratio) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3fx", ratio);
    return text;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return std::string("killed by ") + strsignal(WTERMSIG(status));
    }
    return "status " + std::to_string(status);
}

std::string command_line(const std::vector<std::string>& command) {
    std::string text;
    for (const std::string& word : command) {
        text += (text.empty() ? "" : " ") + word;
    }
    return text;
}

std::optional<std::string> resolve(const std::string& program) {
    if (program.empty() || program == "none") {
        return std::nullopt;
    }
    if (program.find('/') != std::string::npos) {
        return ::access(program.c_str(), X_OK) == 0 ? std::optional(program) : std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
    while (!dirs.empty()) {
        std::size_t colon = dirs.find(':');
        std::string candidate(dirs.substr(0, colon));
        candidate += '/' + program;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    }
    return std::nullopt;
}

}  // namespace bench
