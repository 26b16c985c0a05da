// The integration tests' side of the process boundary: running a command with its output
// captured, and finding what the build made. Paths come in as compile definitions from
// tests/integration/CMakeLists.txt.

#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "trace/unique_fd.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// The project's own owner of a file descriptor.
using Fd = inject::trace::UniqueFd;

struct Pipe {
    Fd read;
    Fd write;
};

Pipe make_pipe() {
    std::array<int, 2> fds{};
    // O_CLOEXEC: the child's copies are dup2()ed to 1 and 2 and the originals must not leak
    // into the command, or the pipe would never see end-of-file while it runs.
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw_errno("pipe2");
    }
    return {Fd(fds[0]), Fd(fds[1])};
}

// The started command, in a process group of its own so that a timeout kills whatever it
// started too (inject's tracees). Reaped on destruction if the run was cut short by an
// exception, so no test leaves a zombie or a stray process behind.
class Child {
  public:
    explicit Child(pid_t pid) : pid_(pid) {}
    ~Child() {
        if (pid_ > 0) {
            ::kill(-pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    void kill_group() const { ::kill(-pid_, SIGKILL); }

    // Blocks until the child has ended; returns its status as a shell reports it.
    int wait() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0) {
            if (errno != EINTR) {
                throw_errno("waitpid");
            }
        }
        pid_ = -1;
        if (WIFEXITED(status)) {
            return WEXITSTATUS(status);
        }
        if (WIFSIGNALED(status)) {
            return 128 + WTERMSIG(status);
        }
        return -1;
    }

  private:
    pid_t pid_;
};

// The files argv[0] may name, in the order execvp would try them. Built before fork(): after
// it, only async-signal-safe calls are allowed (the test binary may have threads).
std::vector<std::string> exec_candidates(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return {name};
    }
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    std::vector<std::string> candidates;
    while (true) {
        const std::size_t end = dirs.find(':');
        const std::string_view dir = dirs.substr(0, end);
        candidates.push_back((dir.empty() ? std::string(".") : std::string(dir)) + "/" + name);
        if (end == std::string_view::npos) {
            break;
        }
        dirs.remove_prefix(end + 1);
    }
    return candidates;
}

// Unlike execvp, never falls back to running the file with /bin/sh when the kernel refuses its
// format (ENOEXEC): a test must see that a binary cannot run, not a shell's syntax error.
[[noreturn]] void exec_child(const std::vector<std::string>& candidates,
                             const std::vector<char*>& argv, int stdin_fd, int out_fd, int err_fd) {
    ::setpgid(0, 0);
    if (::dup2(stdin_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0) {
        ::_exit(125);
    }
    // gtest's and the shell's signal dispositions must not change what the command sees.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signal_number : {SIGPIPE, SIGALRM, SIGINT, SIGTERM, SIGCHLD}) {
        ::sigaction(signal_number, &default_action, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int error = ENOENT;
    for (const std::string& candidate : candidates) {
        ::execv(candidate.c_str(), argv.data());
        if (errno != ENOENT && errno != ENOTDIR) {
            error = errno;  // found but refused: reported if no later candidate runs
        }
    }
    const char message[] = "run_command: cannot execute the command\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(error == ENOENT ? 127 : 126);
}

std::string path_from_definition(const char* value, std::string_view name) {
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error("the build did not define " + std::string(name));
    }
    return value;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
    if (argv.empty()) {
        throw std::invalid_argument("run_command: empty argv");
    }
    const std::vector<std::string> candidates = exec_candidates(argv[0]);
    std::vector<std::string> args = argv;  // execv wants mutable strings
    std::vector<char*> c_argv;
    c_argv.reserve(args.size() + 1);
    for (std::string& arg : args) {
        c_argv.push_back(arg.data());
    }
    c_argv.push_back(nullptr);

    const Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null_in) {
        throw_errno("open /dev/null");
    }
    Pipe out = make_pipe();
    Pipe err = make_pipe();

    const pid_t pid = ::fork();
    if (pid < 0) {
        throw_errno("fork");
    }
    if (pid == 0) {
        exec_child(candidates, c_argv, null_in.get(), out.write.get(), err.write.get());
    }
    Child child(pid);
    // Also from the parent: the group must exist before a timeout can kill it.
    ::setpgid(pid, pid);
    out.write.reset();
    err.write.reset();

    // Both pipes are drained together, so a command that fills one while we wait on the
    // other cannot deadlock; end-of-file on both means the command and everything it started
    // that kept the pipes open are done.
    CommandResult result;
    std::array<Fd*, 2> sources{&out.read, &err.read};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    while (out.read || err.read) {
        std::array<pollfd, 2> polls{};
        for (std::size_t i = 0; i < polls.size(); ++i) {
            polls[i] = {sources[i]->get(), POLLIN, 0};  // a negative fd is ignored by poll
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        const int ready = ::poll(polls.data(), polls.size(), static_cast<int>(left.count()));
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("poll");
        }
        for (std::size_t i = 0; i < polls.size(); ++i) {
            if (polls[i].revents == 0) {
                continue;
            }
            std::array<char, 65536> buffer{};
            const ssize_t n = ::read(sources[i]->get(), buffer.data(), buffer.size());
            if (n > 0) {
                sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                sources[i]->reset();
            }
        }
    }
    if (timed_out) {
        child.kill_group();
    }
    result.exit_status = child.wait();
    if (timed_out) {
        result.err += "\n[run_command: killed after " + std::to_string(timeout.count()) + " s]\n";
    }
    return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        throw std::invalid_argument("BackgroundProcess: empty argv");
    }
    const std::vector<std::string> candidates = exec_candidates(argv[0]);
    std::vector<std::string> args = argv;
    std::vector<char*> c_argv;
    for (std::string& arg : args) {
        c_argv.push_back(arg.data());
    }
    c_argv.push_back(nullptr);
    Pipe in = make_pipe();
    Pipe out = make_pipe();
    Pipe err = make_pipe();
    pid_ = ::fork();
    if (pid_ < 0) {
        throw_errno("fork");
    }
    if (pid_ == 0) {
        exec_child(candidates, c_argv, in.read.get(), out.write.get(), err.write.get());
    }
    ::setpgid(pid_, pid_);
    stdin_ = std::move(in.write);
    out_.fd = std::move(out.read);
    err_.fd = std::move(err.read);
    // The test writes commands to a program that may have died: that must fail the test, not
    // kill it with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
}

BackgroundProcess::~BackgroundProcess() {
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

void BackgroundProcess::send(std::string_view text) const {
    while (!text.empty()) {
        const ssize_t written = ::write(stdin_.get(), text.data(), text.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("writing to the stdin of a background process");
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

void BackgroundProcess::close_stdin() {
    stdin_.reset();
}

void BackgroundProcess::signal(int number) const {
    ::kill(pid_, number);
}

std::optional<std::string> BackgroundProcess::take_line(Stream& stream, bool wait) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
        if (const auto end = stream.buffer.find('\n'); end != std::string::npos) {
            std::string line = stream.buffer.substr(0, end);
            stream.buffer.erase(0, end + 1);
            return line;
        }
        if (!stream.fd) {
            return std::nullopt;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd ready{stream.fd.get(), POLLIN, 0};
        const int polled =
            ::poll(&ready, 1, wait ? static_cast<int>(std::max<long>(left.count(), 0)) : 0);
        if (polled < 0 && errno == EINTR) {
            continue;
        }
        if (polled <= 0) {
            return std::nullopt;
        }
        std::array<char, 4096> buffer{};
        const ssize_t got = ::read(stream.fd.get(), buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            stream.fd.reset();
            continue;
        }
        stream.buffer.append(buffer.data(), static_cast<std::size_t>(got));
    }
}

std::optional<std::string> BackgroundProcess::next_line() {
    return take_line(out_, true);
}

std::optional<std::string> BackgroundProcess::next_err_line() {
    return take_line(err_, true);
}

bool BackgroundProcess::has_line() {
    if (const auto line = take_line(out_, false)) {
        out_.buffer.insert(0, *line + '\n');
        return true;
    }
    return false;
}

std::string BackgroundProcess::rest_of_err() {
    std::string rest;
    while (const auto line = take_line(err_, true)) {
        rest += *line + '\n';
    }
    return rest + std::exchange(err_.buffer, {});
}

int BackgroundProcess::wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) {
            throw_errno("waitpid");
        }
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string inject_binary() {
    return path_from_definition(INJECT_BINARY, "INJECT_BINARY");
}

std::string program(std::string_view name) {
    return (fs::path(path_from_definition(INJECT_TEST_PROGRAMS_DIR, "INJECT_TEST_PROGRAMS_DIR")) /
            name)
        .string();
}

std::string example(std::string_view name) {
    return (fs::path(path_from_definition(INJECT_EXAMPLES_DIR, "INJECT_EXAMPLES_DIR")) / name)
        .string();
}

std::string scenario(std::string_view name) {
    return (fs::path(path_from_definition(INJECT_SCENARIOS_DIR, "INJECT_SCENARIOS_DIR")) / name)
        .string();
}

std::optional<std::string> strace_binary() {
    const std::string path = INJECT_STRACE_BINARY;
    if (path.empty() || path.ends_with("-NOTFOUND") || ::access(path.c_str(), X_OK) != 0) {
        return std::nullopt;
    }
    return path;
}

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "inject-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw_errno("mkdtemp " + pattern);
    }
    // Canonical: the paths inject reads back from /proc (an fd's file) have no symlinks.
    path_ = fs::canonical(pattern);
}

TempDir::~TempDir() {
    std::error_code ignored;  // a destructor must not throw; a leftover temp dir is harmless
    fs::remove_all(path_, ignored);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, std::string_view contents) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out.flush()) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

}  // namespace inject::testing
