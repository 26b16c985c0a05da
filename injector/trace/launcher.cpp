#include "trace/launcher.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arch/registers.hpp"
#include "inject/exit_status.hpp"
#include "inject/launch_error.hpp"
#include "trace/ptrace_tracer.hpp"
#include "trace/seccomp_listener.hpp"
#include "trace/unique_fd.hpp"

namespace inject::trace {

namespace {

// What the child tells the parent through a close-on-exec pipe before it execs; the pipe
// reaching end-of-file means the exec succeeded.
struct ChildReport {
    enum class What : int { filter_failed, no_new_privs_set, exec_failed };
    What what;
    int error;
};

void report(int fd, ChildReport::What what, int error) {
    const ChildReport message{what, error};
    // Nothing to do if the parent is gone; the write is atomic (< PIPE_BUF).
    [[maybe_unused]] const ssize_t written = ::write(fd, &message, sizeof message);
}

// What the forked child becomes once it is traced.
struct ChildTarget {
    const char* path = nullptr;  // exec this (argv[0] already resolved), or
    char* const* argv = nullptr;
    const std::function<int()>* body = nullptr;  // call this and exit with its result
};

// Runs in the forked child: only async-signal-safe calls until the exec or the body.
// Where the child puts the listener's fd number for the parent to read at its breakpoint: a
// fork has its parent's addresses. A whole aligned word, as PTRACE_PEEKDATA reads it.
alignas(8) volatile std::int64_t g_child_listener = -1;

// seccomp(2) with SPEC_ALLOW: the filter is there for speed, not security, and SPEC_ALLOW keeps
// the kernel from turning on its speculative-store-bypass mitigation for the program, which a
// plain run would not have (kernels before 4.17 know no such flag and refuse it with EINVAL).
// Unprivileged, the kernel wants no_new_privs first, which also means setuid programs will not
// gain privileges: only then is it set. Returns the listener's fd for `flags` that ask for one,
// 0 for the others, -1 with errno on failure.
long load_filter(const SeccompProgram& filter, unsigned long flags, int report_fd,
                 bool& no_new_privs) {
    const sock_fprog program = filter.fprog();
    const auto load = [&] {
        long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                            flags | SECCOMP_FILTER_FLAG_SPEC_ALLOW, &program);
        if (rc < 0 && errno == EINVAL) {
            rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
        }
        return rc;
    };
    long rc = load();
    if (rc < 0 && errno == EACCES && !no_new_privs) {
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        no_new_privs = true;
        report(report_fd, ChildReport::What::no_new_privs_set, 0);
        rc = load();
    }
    return rc;
}

[[noreturn]] void become_program(const ChildTarget& target, const ChildFilters& filters,
                                 const ChildIo& io, int gate_fd, int report_fd) {
    // The parent writes one byte once it has seized us: from then on we are traced. End of
    // file instead means it failed or died, and the program must not run untraced.
    char byte = 0;
    ssize_t got = 0;
    while ((got = ::read(gate_fd, &byte, 1)) == -1 && errno == EINTR) {
    }
    if (got != 1) {
        ::_exit(kExitInjectFailed);
    }
    ::close(gate_fd);
    if (io.stdout_fd >= 0) {
        ::dup2(io.stdout_fd, STDOUT_FILENO);
    }
    if (io.stderr_fd >= 0) {
        ::dup2(io.stderr_fd, STDERR_FILENO);
    }

    bool no_new_privs = false;
    bool notifying = false;
    if (filters.notifying != nullptr) {
        const long listener =
            load_filter(*filters.notifying, notifying_filter_flags(), report_fd, no_new_privs);
        if (listener >= 0) {
            // From here any syscall may wait for the parent's answer, and the parent cannot
            // answer before it holds the listener: a breakpoint, which is no syscall, lets it
            // take it now.
            g_child_listener = listener;
            arch::breakpoint();
            notifying = true;
        }
        // A kernel that refuses it (an older one, or a listener already in the tree: inject
        // under inject) gets the tracing filter, which does the same by ptrace.
    }
    if (!notifying && filters.tracing != nullptr &&
        load_filter(*filters.tracing, 0, report_fd, no_new_privs) != 0) {
        report(report_fd, ChildReport::What::filter_failed, errno);
    }
    if (target.body != nullptr) {
        // No exec marks the start here: stopping ourselves does. The report pipe closes first
        // so the parent sees the set-up as complete, and the listener the parent now holds
        // (these calls may be notified: the parent lets them run).
        if (notifying) {
            ::close(static_cast<int>(g_child_listener));
        }
        ::close(report_fd);
        ::raise(SIGSTOP);
        int status = kExitInjectFailed;
        try {
            status = (*target.body)();
        } catch (const std::exception& error) {
            std::fprintf(stderr, "inject: the traced function threw: %s\n", error.what());
        } catch (...) {
            std::fprintf(stderr, "inject: the traced function threw\n");
        }
        // A fork of the caller: its atexit handlers and static destructors are not ours to
        // run, but what the body printed must not be lost.
        std::fflush(nullptr);
        ::_exit(status);
    }
    // execve, not execvp: execvp would hand a file the kernel cannot run to /bin/sh, and
    // inject would trace the shell's complaint instead of reporting the program's error.
    ::execve(target.path, target.argv, environ);
    const int error = errno;
    report(report_fd, ChildReport::What::exec_failed, error);
    ::_exit(error == ENOENT || error == ENOTDIR ? kExitNotFound : kExitNotExecutable);
}

// Owns the forked child until it is handed over: kills and reaps it if launching fails.
class ChildGuard {
  public:
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    ~ChildGuard() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, __WALL) == -1 && errno == EINTR) {
            }
        }
    }
    void reaped() { pid_ = 0; }
    pid_t release() { return std::exchange(pid_, 0); }

  private:
    pid_t pid_;
};

std::string error_text(int error) {
    return std::strerror(error);
}

// The file execvp would run for `name`: itself when it has a slash, else the first
// executable regular file in PATH. Throws LaunchError with 127 (not found) or 126 (found,
// not executable), the conventions of env(1).
std::string resolve_program(const std::string& name) {
    if (name.empty()) {
        throw LaunchError("empty program name", kExitNotFound);
    }
    if (name.find('/') != std::string::npos) {
        return name;
    }
    const char* path_variable = std::getenv("PATH");
    const std::string search_path = path_variable != nullptr ? path_variable : "/usr/bin:/bin";
    bool found_unexecutable = false;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = search_path.find(':', start);
        std::string directory = search_path.substr(start, end - start);
        if (directory.empty()) {
            directory = ".";  // an empty PATH entry means the current directory
        }
        const std::string candidate = directory + '/' + name;
        struct stat info {};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
            if (::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
            found_unexecutable = true;
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    if (found_unexecutable) {
        throw LaunchError(name + ": " + error_text(EACCES), kExitNotExecutable);
    }
    throw LaunchError(name + ": command not found", kExitNotFound);
}

}  // namespace

namespace {

// The listener the child loaded, taken at the breakpoint that follows the load; nullptr when the
// stop is another SIGTRAP (the child had not loaded one).
std::unique_ptr<SeccompListener> take_listener(pid_t pid) {
    errno = 0;
    const long listener =
        ::ptrace(PTRACE_PEEKDATA, pid, const_cast<std::int64_t*>(&g_child_listener), nullptr);
    if (errno != 0 || listener < 0) {
        return nullptr;
    }
    const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    UniqueFd taken(pidfd ? static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(),
                                                      static_cast<int>(listener), 0))
                         : -1);
    if (!taken) {
        // The child would wait for answers no one can give.
        throw LaunchError("cannot take the seccomp listener: " + error_text(errno),
                          kExitInjectFailed);
    }
    return std::make_unique<SeccompListener>(std::move(taken));
}

// The child's next wait status. Once it has a listener, its calls may wait for an answer before
// it stops again: until its exec they are the set-up's (the exec itself, a failed exec's report,
// the function's start), never counted, and run as they are.
int next_child_status(pid_t pid, SeccompListener* listener) {
    for (;;) {
        int status = 0;
        const pid_t got = ::waitpid(pid, &status, __WALL | (listener != nullptr ? WNOHANG : 0));
        if (got == pid) {
            return status;
        }
        if (got == -1 && errno != EINTR) {
            throw LaunchError("waitpid: " + error_text(errno), kExitInjectFailed);
        }
        if (got == 0 && listener->wait(std::nullopt).notification) {
            Notification call;
            if (!listener->receive(call)) {
                [[maybe_unused]] const std::error_code gone = listener->let_run(call.id);
            }
        }
    }
}

// Until its exec the child is ours, not the program: nothing it does is counted. Its stops
// (the execve itself when a rule names execve, signals) are passed through, but for the
// breakpoint at which it hands over its listener. False when it ended before.
bool wait_for_start(pid_t pid, const ChildTarget& target, bool notifying,
                    std::unique_ptr<SeccompListener>& listener) {
    for (;;) {
        const Stop stop = decode_wait_status(pid, next_child_status(pid, listener.get()));
        if (stop.kind == Stop::Kind::exited || stop.kind == Stop::Kind::killed) {
            return false;
        }
        if (stop.kind == Stop::Kind::event && stop.event == PTRACE_EVENT_EXEC) {
            return true;
        }
        if (target.body != nullptr && stop.kind == Stop::Kind::signal && stop.signal == SIGSTOP) {
            return true;  // the function's child stopped itself: its body comes next
        }
        int deliver = stop.kind == Stop::Kind::signal ? stop.signal : 0;
        if (notifying && !listener && deliver == SIGTRAP) {
            listener = take_listener(pid);
            if (listener) {
                deliver = 0;  // the breakpoint's, not the program's
            }
        }
        if (::ptrace(PTRACE_CONT, pid, nullptr, deliver) != 0 && errno != ESRCH) {
            throw LaunchError("ptrace: " + error_text(errno), kExitInjectFailed);
        }
    }
}

// What the child reported through its pipe, now at end-of-file (closed by the exec, or by the
// child's exit). Throws for a failed exec.
void read_reports(int fd, const std::string& name, LaunchedProgram& launched) {
    ChildReport message{};
    while (::read(fd, &message, sizeof message) == sizeof message) {
        switch (message.what) {
            case ChildReport::What::no_new_privs_set:
                launched.no_new_privs = true;
                break;
            case ChildReport::What::filter_failed:
                launched.filter_installed = false;
                launched.notes.push_back("the kernel refused the seccomp filter (" +
                                         error_text(message.error) +
                                         "): every syscall stops, which is slower");
                break;
            case ChildReport::What::exec_failed:
                throw LaunchError(name + ": " + error_text(message.error),
                                  message.error == ENOENT || message.error == ENOTDIR
                                      ? kExitNotFound
                                      : kExitNotExecutable);
        }
    }
}

LaunchedProgram launch(const ChildTarget& target, const std::string& name,
                       const ChildFilters& filters, const ChildIo& io) {
    Pipe gate = make_pipe();     // the child waits on it until it is seized
    Pipe reports = make_pipe();  // the child's failures before exec, as LaunchMessages

    // What the caller buffered must not be written twice, by it and by its fork.
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == -1) {
        throw LaunchError("fork: " + error_text(errno), kExitInjectFailed);
    }
    if (pid == 0) {
        ::close(gate.write_end.get());
        ::close(reports.read_end.get());
        become_program(target, filters, io, gate.read_end.get(), reports.write_end.get());
    }
    ChildGuard child(pid);
    gate.read_end.reset();
    reports.write_end.reset();

    const bool filtered = filters.tracing != nullptr || filters.notifying != nullptr;
    if (::ptrace(PTRACE_SEIZE, pid, nullptr, tracing_options(filtered)) != 0) {
        throw LaunchError("cannot trace " + name + ": ptrace: " + error_text(errno),
                          kExitInjectFailed);
    }
    const char go = 1;
    if (::write(gate.write_end.get(), &go, 1) != 1) {
        throw LaunchError("pipe: " + error_text(errno), kExitInjectFailed);
    }
    gate.write_end.reset();

    LaunchedProgram launched;
    const bool started =
        wait_for_start(pid, target, filters.notifying != nullptr, launched.listener);
    if (!started) {
        child.reaped();
    }
    launched.filter_installed = filtered;
    read_reports(reports.read_end.get(), name, launched);
    if (!started) {
        throw LaunchError(name + ": ended before it could be started", kExitInjectFailed);
    }
    launched.pid = child.release();
    launched.stopped_at_exec = target.body == nullptr;
    return launched;
}

}  // namespace

LaunchedProgram launch_traced(const std::vector<std::string>& argv, const ChildFilters& filters,
                              const ChildIo& io) {
    if (argv.empty()) {
        throw LaunchError("no program to run", kExitInjectFailed);
    }
    // Everything the child needs is prepared before fork.
    const std::string path = resolve_program(argv[0]);
    std::vector<std::string> storage(argv);
    std::vector<char*> child_argv;
    child_argv.reserve(storage.size() + 1);
    for (std::string& arg : storage) {
        child_argv.push_back(arg.data());
    }
    child_argv.push_back(nullptr);
    ChildTarget target;
    target.path = path.c_str();
    target.argv = child_argv.data();
    return launch(target, argv[0], filters, io);
}

LaunchedProgram launch_traced_function(const std::function<int()>& body,
                                       const ChildFilters& filters, const ChildIo& io) {
    ChildTarget target;
    target.body = &body;
    return launch(target, "the traced function", filters, io);
}

}  // namespace inject::trace
