#include "trace/attacher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "inject/exit_status.hpp"
#include "inject/launch_error.hpp"
#include "syscalls/text.hpp"
#include "trace/ptrace_tracer.hpp"

namespace inject::trace {

namespace {

std::optional<long> parse_number(std::string_view text) {
    long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data()) {
        return std::nullopt;
    }
    return value;
}

// A "Key:\tvalue" line of /proc/PID/status, as a number.
std::optional<long> status_field(pid_t pid, std::string_view key) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
            line[key.size()] == ':') {
            std::string_view value = std::string_view(line).substr(key.size() + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
                value.remove_prefix(1);
            }
            return parse_number(value);
        }
    }
    return std::nullopt;
}

// The process's name, escaped: a tracer may call itself anything, control characters
// included (prctl(PR_SET_NAME)), and its name goes into inject's message on a terminal.
std::string command_name(pid_t pid) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name((std::istreambuf_iterator<char>(comm)), std::istreambuf_iterator<char>());
    if (name.ends_with('\n')) {
        name.pop_back();  // the file's own newline; one inside the name is escaped
    }
    return text::escaped(name);
}

// The threads of a process now; empty once it is gone.
std::vector<pid_t> list_threads(pid_t tgid) {
    std::vector<pid_t> tids;
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(tgid) + "/task", error)) {
        if (const auto tid = parse_number(entry.path().filename().string())) {
            tids.push_back(static_cast<pid_t>(*tid));
        }
    }
    return tids;
}

std::string cannot_attach(pid_t tgid, const std::string& reason) {
    return "cannot attach to " + std::to_string(tgid) + ": " + reason;
}

// Why PTRACE_SEIZE of `tid` failed with `error`, in words a user can act on.
std::string seize_failure(pid_t tid, int error) {
    if (error != EPERM) {
        return std::string("ptrace: ") + std::strerror(error);
    }
    if (const auto tracer = status_field(tid, "TracerPid"); tracer && *tracer != 0) {
        const auto tracer_pid = static_cast<pid_t>(*tracer);
        return "it is already traced by process " + std::to_string(tracer_pid) + " (" +
               command_name(tracer_pid) + ")";
    }
    // Yama restricts ptrace beyond the usual same-user rule; root (CAP_SYS_PTRACE) passes
    // scopes 1 and 2.
    std::ifstream yama("/proc/sys/kernel/yama/ptrace_scope");
    int scope = 0;
    if (yama >> scope) {
        const std::string setting = "kernel.yama.ptrace_scope is " + std::to_string(scope);
        if (scope >= 3) {
            return setting + ", which forbids attaching to any process";
        }
        if (scope == 2 && ::geteuid() != 0) {
            return setting + ", which lets only root (CAP_SYS_PTRACE) attach";
        }
        if (scope == 1 && ::geteuid() != 0) {
            return setting +
                   ", which lets only its ancestors trace a process (run inject as "
                   "root, or set it to 0)";
        }
    }
    return std::string(std::strerror(error)) +
           " (another user's process, or one that may not be traced, such as a setuid "
           "program: run inject as root)";
}

}  // namespace

pid_t process_to_attach(pid_t pid) {
    // /proc/TID/status exists for the threads of a process too, and names their process.
    const auto tgid = status_field(pid, "Tgid");
    if (!tgid || *tgid <= 0) {
        throw LaunchError(cannot_attach(pid, "no such process"), kExitInjectFailed);
    }
    if (*tgid == ::getpid()) {
        throw LaunchError(cannot_attach(pid, "it is inject itself"), kExitInjectFailed);
    }
    return static_cast<pid_t>(*tgid);
}

void seize_process(pid_t tgid, const std::function<void(pid_t tid)>& seized) {
    PtraceTracer tracer;
    std::set<pid_t> seen;
    bool any_seized = false;
    for (bool found_new = true; found_new;) {
        found_new = false;
        for (const pid_t tid : list_threads(tgid)) {
            if (!seen.insert(tid).second) {
                continue;
            }
            found_new = true;
            if (::ptrace(PTRACE_SEIZE, tid, nullptr, attach_options()) == 0) {
                // Running freely, it would never be resumed with PTRACE_SYSCALL: make it stop
                // so that the engine sees it and decides how it goes on. ESRCH: it just ended,
                // and its end is reported instead.
                ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
                any_seized = true;
                seized(tid);
                continue;
            }
            const int error = errno;
            if (error == ESRCH) {
                continue;  // ended between the listing and now
            }
            if (error == EPERM) {
                // Started by a thread seized before it: the kernel traces it for us already.
                if (status_field(tid, "TracerPid") == static_cast<long>(::gettid())) {
                    continue;
                }
                // A leader that exited before its threads: there is nothing left to trace.
                if (tracer.has_exited(tid)) {
                    continue;
                }
            }
            throw LaunchError(cannot_attach(tgid, seize_failure(tid, error)), kExitInjectFailed);
        }
    }
    if (!any_seized) {
        throw LaunchError(cannot_attach(tgid, seen.empty() ? "no such process"
                                                           : "it has ended (its parent has not "
                                                             "reaped it yet)"),
                          kExitInjectFailed);
    }
}

WaitWaker::WaitWaker(int fd) {
    Pipe quit = make_pipe();
    quit_ = std::move(quit.write_end);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid == 0) {
        // Only async-signal-safe calls: the tracer may have other threads. With every signal
        // blocked, nothing but the two fds ends this child (SIGKILL aside): a Ctrl-C reaching
        // the whole process group must not wake the tracer for nothing.
        sigset_t all;
        sigfillset(&all);
        ::sigprocmask(SIG_SETMASK, &all, nullptr);
        ::close(quit_.get());
        pollfd fds[2] = {{fd, POLLIN, 0}, {quit.read_end.get(), POLLIN, 0}};
        while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
        }
        ::_exit(0);
    }
    pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd_) {
        const int error = errno;
        quit_.reset();
        ::waitpid(pid, nullptr, 0);
        throw std::system_error(error, std::generic_category(), "pidfd_open");
    }
}

WaitWaker::~WaitWaker() {
    quit_.reset();
    // ECHILD when the tracer's waitpid(-1) reaped it already, as it does once woken.
    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED) != 0 &&
           errno == EINTR) {
    }
}

}  // namespace inject::trace
