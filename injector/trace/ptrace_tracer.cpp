#include "trace/ptrace_tracer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>

#include "arch/registers.hpp"
#include "trace/unique_fd.hpp"

namespace inject::trace {

namespace {

std::error_code last_error() {
    return {errno, std::generic_category()};
}

std::error_code check(long rc) {
    return rc == -1 ? last_error() : std::error_code{};
}

}  // namespace

unsigned long tracing_options(bool seccomp_filter) {
    unsigned long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                            PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
    if (seccomp_filter) {
        options |= PTRACE_O_TRACESECCOMP;
    }
    return options;
}

unsigned long attach_options() {
    return tracing_options(false) & ~static_cast<unsigned long>(PTRACE_O_EXITKILL);
}

Stop decode_wait_status(pid_t tid, int status) {
    Stop stop;
    stop.tid = tid;
    if (WIFEXITED(status)) {
        stop.kind = Stop::Kind::exited;
        stop.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        stop.kind = Stop::Kind::killed;
        stop.signal = WTERMSIG(status);
    } else if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
        stop.kind = Stop::Kind::syscall;
        stop.signal = SIGTRAP;
    } else if ((status >> 16) != 0) {
        stop.kind = Stop::Kind::event;
        stop.event = status >> 16;
        stop.signal = WSTOPSIG(status);
    } else {
        stop.kind = Stop::Kind::signal;
        stop.signal = WSTOPSIG(status);
    }
    return stop;
}

std::optional<Stop> PtraceTracer::wait_for_stop() {
    for (;;) {
        int status = 0;
        const pid_t tid = ::waitpid(-1, &status, __WALL);
        if (tid > 0) {
            return decode_wait_status(tid, status);
        }
        if (errno == EINTR) {
            continue;  // a signal inject forwards; keep waiting
        }
        if (errno == ECHILD) {
            return std::nullopt;
        }
        throw std::system_error(last_error(), "waitpid");
    }
}

std::error_code PtraceTracer::resume(pid_t tid, Resume how, int signal) {
    switch (how) {
        case Resume::cont:
            return check(::ptrace(PTRACE_CONT, tid, nullptr, signal));
        case Resume::syscall:
            return check(::ptrace(PTRACE_SYSCALL, tid, nullptr, signal));
        case Resume::listen:
            return check(::ptrace(PTRACE_LISTEN, tid, nullptr, nullptr));
        case Resume::detach:
            return check(::ptrace(PTRACE_DETACH, tid, nullptr, signal));
    }
    return std::make_error_code(std::errc::invalid_argument);
}

std::error_code PtraceTracer::syscall_info(pid_t tid, SyscallInfo& info) {
    __ptrace_syscall_info raw{};
    const long size = ::ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof raw, &raw);
    if (size == -1) {
        return last_error();
    }
    info = SyscallInfo{};
    switch (raw.op) {
        case PTRACE_SYSCALL_INFO_ENTRY:
            info.op = SyscallInfo::Op::entry;
            info.number = static_cast<long>(raw.entry.nr);
            std::copy(std::begin(raw.entry.args), std::end(raw.entry.args), info.args.begin());
            info.abi = arch::abi_from_audit_arch(raw.arch, raw.entry.nr);
            break;
        case PTRACE_SYSCALL_INFO_EXIT:
            info.op = SyscallInfo::Op::exit;
            info.return_value = raw.exit.rval;
            info.abi = arch::abi_from_audit_arch(raw.arch, 0);
            break;
        case PTRACE_SYSCALL_INFO_SECCOMP:
            info.op = SyscallInfo::Op::seccomp;
            info.number = static_cast<long>(raw.seccomp.nr);
            std::copy(std::begin(raw.seccomp.args), std::end(raw.seccomp.args), info.args.begin());
            info.abi = arch::abi_from_audit_arch(raw.arch, raw.seccomp.nr);
            break;
        default:
            info.op = SyscallInfo::Op::none;
            break;
    }
    return {};
}

std::error_code PtraceTracer::event_message(pid_t tid, unsigned long& message) {
    return check(::ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &message));
}

std::error_code PtraceTracer::send_signal(pid_t tgid, pid_t tid, int signal) {
    return check(::tgkill(tgid, tid, signal));
}

std::error_code PtraceTracer::set_syscall_number(pid_t tid, Abi abi, long number) {
    return check(::ptrace(PTRACE_POKEUSER, tid, arch::syscall_number_offset(abi), number));
}

std::error_code PtraceTracer::set_return_value(pid_t tid, Abi abi, std::int64_t value) {
    return check(::ptrace(PTRACE_POKEUSER, tid, arch::return_value_offset(abi),
                          arch::encode_return_value(abi, value)));
}

std::error_code PtraceTracer::thread_group_of(pid_t tid, pid_t& tgid) {
    // /proc/TID/status names the thread group; a fixed buffer keeps this allocation-free.
    std::array<char, 64> path{};
    std::snprintf(path.data(), path.size(), "/proc/%d/status", static_cast<int>(tid));
    const UniqueFd fd(::open(path.data(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return last_error();
    }
    std::array<char, 1024> buffer{};
    const ssize_t length = ::read(fd.get(), buffer.data(), buffer.size() - 1);
    if (length <= 0) {
        return length == 0 ? std::make_error_code(std::errc::no_such_process) : last_error();
    }
    const std::string_view text(buffer.data(), static_cast<std::size_t>(length));
    constexpr std::string_view kKey = "\nTgid:";
    const auto at = text.find(kKey);
    if (at == std::string_view::npos) {
        return std::make_error_code(std::errc::no_such_process);
    }
    std::string_view rest = text.substr(at + kKey.size());
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
        rest.remove_prefix(1);
    }
    int value = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc{}) {
        return std::make_error_code(ec);
    }
    tgid = value;
    return {};
}

void PtraceTracer::kill_process(pid_t pid) {
    ::kill(pid, SIGKILL);
}

std::error_code PtraceTracer::interrupt(pid_t tid) {
    return check(::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr));
}

bool PtraceTracer::has_exited(pid_t tid) {
    std::array<char, 64> path{};
    std::snprintf(path.data(), path.size(), "/proc/%d/stat", static_cast<int>(tid));
    const UniqueFd fd(::open(path.data(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return true;  // no such thread any more
    }
    std::array<char, 512> buffer{};
    const ssize_t length = ::read(fd.get(), buffer.data(), buffer.size() - 1);
    if (length <= 0) {
        return true;
    }
    // "TID (COMM) STATE ...": COMM may hold spaces and parentheses, so the state follows the
    // last ')'. Z is a zombie, X (dead) is seen only in passing.
    const std::string_view text(buffer.data(), static_cast<std::size_t>(length));
    const auto close = text.rfind(')');
    if (close == std::string_view::npos || close + 2 >= text.size()) {
        return false;
    }
    const char state = text[close + 2];
    return state == 'Z' || state == 'X';
}

bool PtraceTracer::runs_setid_program(pid_t pid) {
    std::array<char, 64> path{};
    std::snprintf(path.data(), path.size(), "/proc/%d/exe", static_cast<int>(pid));
    struct stat info {};
    if (::stat(path.data(), &info) != 0) {
        return false;
    }
    // Set-group-ID without group execute is mandatory locking, not setgid.
    return (info.st_mode & S_ISUID) != 0 ||
           ((info.st_mode & S_ISGID) != 0 && (info.st_mode & S_IXGRP) != 0);
}

}  // namespace inject::trace
