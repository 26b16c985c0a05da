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
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "inject/exit_status.hpp"
#include "inject/launch_error.hpp"
#include "trace/ptrace_tracer.hpp"
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
[[noreturn]] void become_program(const ChildTarget& target, const SeccompProgram* filter,
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

    if (filter != nullptr) {
        const sock_fprog program = filter->fprog();
        // The filter is there for speed, not security: SPEC_ALLOW keeps the kernel from
        // turning on its speculative-store-bypass mitigation for the program, which a plain
        // run would not have, where the kernel's policy does that for seccomp (kernels
        // before 4.17 know no such flag and refuse it with EINVAL).
        unsigned int flags = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        const auto load = [&] {
            long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
            if (rc != 0 && errno == EINVAL && flags != 0) {
                flags = 0;
                rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
            }
            return rc;
        };
        long rc = load();
        if (rc != 0 && errno == EACCES) {
            // Unprivileged: the kernel wants no_new_privs first, which also means setuid
            // programs will not gain privileges. Only then is it set.
            ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            report(report_fd, ChildReport::What::no_new_privs_set, 0);
            rc = load();
        }
        if (rc != 0) {
            report(report_fd, ChildReport::What::filter_failed, errno);
        }
    }
    if (target.body != nullptr) {
        // No exec marks the start here: stopping ourselves does. The report pipe closes first
        // so the parent sees the set-up as complete.
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

LaunchedProgram launch(const ChildTarget& target, const std::string& name,
                       const SeccompProgram* filter, const ChildIo& io) {
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
        become_program(target, filter, io, gate.read_end.get(), reports.write_end.get());
    }
    ChildGuard child(pid);
    gate.read_end.reset();
    reports.write_end.reset();

    if (::ptrace(PTRACE_SEIZE, pid, nullptr, tracing_options(filter != nullptr)) != 0) {
        throw LaunchError("cannot trace " + name + ": ptrace: " + error_text(errno),
                          kExitInjectFailed);
    }
    const char go = 1;
    if (::write(gate.write_end.get(), &go, 1) != 1) {
        throw LaunchError("pipe: " + error_text(errno), kExitInjectFailed);
    }
    gate.write_end.reset();

    bool ended_before_exec = false;
    // Until its exec the child is ours, not the program: nothing it does is counted. Its
    // stops (the execve itself when a rule names execve, signals) are passed through.
    for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, __WALL) == -1) {
            if (errno == EINTR) {
                continue;
            }
            throw LaunchError("waitpid: " + error_text(errno), kExitInjectFailed);
        }
        const Stop stop = decode_wait_status(pid, status);
        if (stop.kind == Stop::Kind::exited || stop.kind == Stop::Kind::killed) {
            child.reaped();
            ended_before_exec = true;
            break;
        }
        if (stop.kind == Stop::Kind::event && stop.event == PTRACE_EVENT_EXEC) {
            break;
        }
        if (target.body != nullptr && stop.kind == Stop::Kind::signal && stop.signal == SIGSTOP) {
            break;  // the function's child stopped itself: its body comes next
        }
        const int deliver = stop.kind == Stop::Kind::signal ? stop.signal : 0;
        if (::ptrace(PTRACE_CONT, pid, nullptr, deliver) != 0 && errno != ESRCH) {
            throw LaunchError("ptrace: " + error_text(errno), kExitInjectFailed);
        }
    }

    // The pipe is at end-of-file now: closed by the exec, or by the child's exit.
    LaunchedProgram launched;
    launched.filter_installed = filter != nullptr;
    ChildReport message{};
    while (::read(reports.read_end.get(), &message, sizeof message) == sizeof message) {
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
    if (ended_before_exec) {
        throw LaunchError(name + ": ended before it could be started", kExitInjectFailed);
    }
    launched.pid = child.release();
    launched.stopped_at_exec = target.body == nullptr;
    return launched;
}

}  // namespace

LaunchedProgram launch_traced(const std::vector<std::string>& argv, const SeccompProgram* filter,
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
    return launch(target, argv[0], filter, io);
}

LaunchedProgram launch_traced_function(const std::function<int()>& body,
                                       const SeccompProgram* filter, const ChildIo& io) {
    ChildTarget target;
    target.body = &body;
    return launch(target, "the traced function", filter, io);
}

}  // namespace inject::trace
