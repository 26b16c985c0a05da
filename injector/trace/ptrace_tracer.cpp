#include "trace/ptrace_tracer.hpp"

#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
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

// SIGCHLD held back in the calling thread while this lives. The kernel announces each
// tracee stop with a SIGCHLD, which by default is ignored and so thrown away at once; blocked,
// it stays pending for sigtimedwait. The mask is put back as it was, since the library's
// caller may be a user's test process (run_function) with a mask of its own.
class SigchldBlocked {
  public:
    SigchldBlocked() {
        sigemptyset(&sigchld_);
        sigaddset(&sigchld_, SIGCHLD);
        pthread_sigmask(SIG_BLOCK, &sigchld_, &saved_);
    }
    ~SigchldBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    SigchldBlocked(const SigchldBlocked&) = delete;
    SigchldBlocked& operator=(const SigchldBlocked&) = delete;

    const sigset_t& sigchld() const { return sigchld_; }

  private:
    sigset_t sigchld_{};
    sigset_t saved_{};
};

timespec relative_timespec(std::chrono::nanoseconds left) {
    constexpr std::int64_t kPerSecond = 1'000'000'000;
    return {static_cast<time_t>(left.count() / kPerSecond),
            static_cast<long>(left.count() % kPerSecond)};
}

// The start of /proc/ID/NAME (one read, into a fixed buffer: no allocation), as text. Empty
// for a thread gone between its stop and this read.
std::error_code read_proc_file(pid_t id, const char* name, std::span<char> buffer,
                               std::string_view& text) {
    std::array<char, 64> path{};
    std::snprintf(path.data(), path.size(), "/proc/%d/%s", static_cast<int>(id), name);
    const UniqueFd fd(::open(path.data(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return last_error();
    }
    const ssize_t length = ::read(fd.get(), buffer.data(), buffer.size());
    if (length <= 0) {
        return length == 0 ? std::make_error_code(std::errc::no_such_process) : last_error();
    }
    text = std::string_view(buffer.data(), static_cast<std::size_t>(length));
    return {};
}

// The number after "KEY:" on its line of /proc/ID/status text, in that base.
// The number after "KEY:" on its line of /proc/ID/status text, in that base.
template <typename Number>
std::error_code status_number(std::string_view text, std::string_view key, int base,
                              Number& value) {
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (!line.starts_with(key) || !line.substr(key.size()).starts_with(':')) {
            continue;
        }
        line.remove_prefix(key.size() + 1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        const auto [rest, ec] =
            std::from_chars(line.data(), line.data() + line.size(), value, base);
        return ec == std::errc{} ? std::error_code{} : std::make_error_code(ec);
    }
    return std::make_error_code(std::errc::no_such_process);  // a thread gone as it was read
}

constexpr std::size_t kWord = sizeof(long);

// One word of tracee memory; PEEKDATA returns the word itself, so only errno tells an error.
std::error_code peek_word(pid_t tid, std::uint64_t address, long& word) {
    errno = 0;
    word = ::ptrace(PTRACE_PEEKDATA, tid, address, nullptr);
    return errno != 0 ? last_error() : std::error_code{};
}

// Writes go word by word through POKEDATA when process_vm_writev cannot: slower, but there
// whenever ptrace is (process_vm_writev can be missing, or refused by a security module).
// Memory that is mapped but was not all copied: the rest of the page is not readable.
std::error_code short_read() {
    return std::make_error_code(std::errc::bad_address);
}

std::size_t page_size() {
    static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

std::error_code read_with_vm_readv(pid_t tid, std::uint64_t address, char* into, std::size_t size) {
    const iovec local{into, size};
    // The tracee's address, which means nothing in this process.
    const iovec remote{reinterpret_cast<void*>(address), size};
    const ssize_t got = ::process_vm_readv(tid, &local, 1, &remote, 1, 0);
    if (got < 0) {
        return last_error();
    }
    return static_cast<std::size_t>(got) == size ? std::error_code{} : short_read();
}

std::error_code read_with_proc_mem(pid_t tid, std::uint64_t address, char* into, std::size_t size) {
    std::array<char, 64> path{};
    std::snprintf(path.data(), path.size(), "/proc/%d/mem", static_cast<int>(tid));
    const UniqueFd fd(::open(path.data(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return last_error();
    }
    const ssize_t got = ::pread(fd.get(), into, size, static_cast<off_t>(address));
    if (got < 0) {
        return last_error();
    }
    return static_cast<std::size_t>(got) == size ? std::error_code{} : short_read();
}

std::error_code read_with_peekdata(pid_t tid, std::uint64_t address, char* into, std::size_t size) {
    // Aligned words never cross a page, so a readable page is read whole.
    std::size_t done = 0;
    for (std::uint64_t word_at = address & ~(kWord - 1); done < size; word_at += kWord) {
        errno = 0;  // -1 is also a word's value: only errno tells a failure
        const long word = ::ptrace(PTRACE_PEEKDATA, tid, word_at, nullptr);
        if (errno != 0) {
            return last_error();
        }
        const std::size_t skip = word_at < address ? address - word_at : 0;
        const std::size_t take = std::min<std::size_t>(kWord - skip, size - done);
        std::memcpy(into + done, reinterpret_cast<const char*>(&word) + skip, take);
        done += take;
    }
    return {};
}

std::error_code poke_words(pid_t tid, std::uint64_t address, std::span<const std::byte> bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
        const std::uint64_t at = address + done;
        const std::uint64_t word_start = at - at % kWord;
        const std::size_t offset = at - word_start;
        const std::size_t length = std::min(kWord - offset, bytes.size() - done);
        long word = 0;
        // A partial word keeps the tracee's bytes around the ones written.
        if (length < kWord) {
            if (const auto error = peek_word(tid, word_start, word)) {
                return error;
            }
        }
        std::memcpy(reinterpret_cast<std::byte*>(&word) + offset, bytes.data() + done, length);
        if (const auto error = check(::ptrace(PTRACE_POKEDATA, tid, word_start, word))) {
            return error;
        }
        done += length;
    }
    return {};
}

void* tracee_pointer(std::uint64_t address) {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(address));
}

// Whether an error says that a way of reading memory is missing here, rather than that the
// memory is not readable.
bool way_is_missing(MemoryAccess access, std::error_code error) {
    switch (access) {
        case MemoryAccess::process_vm_readv:
            return error == std::errc::function_not_supported ||
                   error == std::errc::operation_not_permitted;
        case MemoryAccess::proc_mem:
            return error == std::errc::no_such_file_or_directory ||
                   error == std::errc::permission_denied ||
                   error == std::errc::operation_not_permitted;
        case MemoryAccess::peekdata:
            return false;
    }
    return false;
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

std::optional<Stop> PtraceTracer::poll_stop() {
    for (;;) {
        int status = 0;
        const pid_t tid = ::waitpid(-1, &status, __WALL | WNOHANG);
        if (tid > 0) {
            return decode_wait_status(tid, status);
        }
        if (tid == 0 || errno == ECHILD) {
            return std::nullopt;  // none ready, or none left: the next blocking wait tells which
        }
        if (errno != EINTR) {
            throw std::system_error(last_error(), "waitpid");
        }
    }
}

TimedWait PtraceTracer::wait_for_stop_until(std::chrono::steady_clock::time_point deadline) {
    const SigchldBlocked blocked;
    for (;;) {
        // Blocked first, then asked: a stop that comes after this waitpid leaves its SIGCHLD
        // pending, so sigtimedwait cannot sleep through it.
        int status = 0;
        const pid_t tid = ::waitpid(-1, &status, __WALL | WNOHANG);
        if (tid > 0) {
            return decode_wait_status(tid, status);
        }
        if (tid < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == ECHILD) {
                return NoTraceeLeft{};
            }
            throw std::system_error(last_error(), "waitpid");
        }
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
            return DeadlinePassed{};
        }
        const timespec timeout =
            relative_timespec(std::chrono::ceil<std::chrono::nanoseconds>(left));
        // EAGAIN is the deadline, which the next round finds passed; EINTR a signal of
        // inject's own (one it forwards). Either way, look again.
        if (::sigtimedwait(&blocked.sigchld(), nullptr, &timeout) < 0 && errno != EAGAIN &&
            errno != EINTR) {
            throw std::system_error(last_error(), "sigtimedwait");
        }
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
    info.stack_pointer = raw.stack_pointer;
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

std::error_code PtraceTracer::restart_syscall(pid_t tid, Abi abi, long number) {
    errno = 0;
    const long at = ::ptrace(PTRACE_PEEKUSER, tid, arch::instruction_pointer_offset(abi), nullptr);
    if (errno != 0) {
        return last_error();
    }
    if (const auto error =
            check(::ptrace(PTRACE_POKEUSER, tid, arch::instruction_pointer_offset(abi),
                           at - arch::kSyscallInstructionSize))) {
        return error;
    }
    return check(::ptrace(PTRACE_POKEUSER, tid, arch::return_value_offset(abi), number));
}

std::error_code PtraceTracer::set_return_value(pid_t tid, Abi abi, std::int64_t value) {
    return check(::ptrace(PTRACE_POKEUSER, tid, arch::return_value_offset(abi),
                          arch::encode_return_value(abi, value)));
}

std::error_code PtraceTracer::set_syscall_argument(pid_t tid, Abi abi, unsigned index,
                                                   std::uint64_t value) {
    return check(::ptrace(PTRACE_POKEUSER, tid, arch::argument_offset(abi, index),
                          arch::encode_argument(abi, value)));
}

std::error_code PtraceTracer::read_memory(pid_t tid, std::uint64_t address,
                                          std::span<std::byte> bytes) {
    std::string read;
    if (const auto error = read_memory(tid, address, bytes.size(), read)) {
        return error;
    }
    if (read.size() < bytes.size()) {
        return std::make_error_code(std::errc::bad_address);  // all of it, or it is no use
    }
    std::memcpy(bytes.data(), read.data(), bytes.size());
    return {};
}

std::error_code PtraceTracer::write_memory(pid_t tid, std::uint64_t address,
                                           std::span<const std::byte> bytes) {
    // process_vm_writev takes a non-const local iovec, but only reads through it.
    const iovec local{const_cast<std::byte*>(bytes.data()), bytes.size()};
    const iovec remote{tracee_pointer(address), bytes.size()};
    const ssize_t moved = ::process_vm_writev(tid, &local, 1, &remote, 1, 0);
    if (moved == static_cast<ssize_t>(bytes.size())) {
        return {};
    }
    if (moved == -1 && errno == ESRCH) {
        return last_error();
    }
    return poke_words(tid, address, bytes);
}

std::error_code PtraceTracer::thread_group_of(pid_t tid, pid_t& tgid) {
    // /proc/TID/status names the thread group, near its start.
    std::array<char, 1024> buffer{};
    std::string_view text;
    if (const auto error = read_proc_file(tid, "status", buffer, text)) {
        return error;
    }
    int value = 0;
    if (const auto error = status_number(text, "Tgid", 10, value)) {
        return error;
    }
    tgid = value;
    return {};
}

std::error_code PtraceTracer::signal_state(pid_t tid, SignalState& state) {
    std::array<char, 4096> buffer{};  // the signal masks come after the memory figures
    std::string_view text;
    if (const auto error = read_proc_file(tid, "status", buffer, text)) {
        return error;
    }
    for (const auto& [key, mask] : {std::pair{"SigPnd", &state.own_pending},
                                    {"ShdPnd", &state.shared_pending},
                                    {"SigBlk", &state.blocked},
                                    {"SigIgn", &state.ignored},
                                    {"SigCgt", &state.caught}}) {
        if (const auto error = status_number(text, key, 16, *mask)) {
            return error;
        }
    }
    return {};
}

std::optional<bool> PtraceTracer::same_fd_table(pid_t first, pid_t second) {
    const long order = ::syscall(SYS_kcmp, first, second, KCMP_FILES, 0, 0);
    if (order >= 0) {
        return order == 0;
    }
    if (errno == ESRCH) {
        return false;  // a thread that is gone shares nothing any more
    }
    return std::nullopt;
}

std::error_code read_tracee_memory(MemoryAccess access, pid_t tid, std::uint64_t address,
                                   char* into, std::size_t size) {
    switch (access) {
        case MemoryAccess::process_vm_readv:
            return read_with_vm_readv(tid, address, into, size);
        case MemoryAccess::proc_mem:
            return read_with_proc_mem(tid, address, into, size);
        case MemoryAccess::peekdata:
            return read_with_peekdata(tid, address, into, size);
    }
    return std::make_error_code(std::errc::invalid_argument);
}

std::error_code PtraceTracer::read_memory(pid_t tid, std::uint64_t address, std::size_t size,
                                          std::string& bytes) {
    bytes.resize(size);
    std::size_t done = 0;
    std::error_code error;
    // Page by page: a read that fails part-way does not say how far it got.
    while (done < size) {
        const std::uint64_t at = address + done;
        const std::size_t chunk = std::min(size - done, page_size() - at % page_size());
        error = read_tracee_memory(memory_access_, tid, at, bytes.data() + done, chunk);
        if (error && way_is_missing(memory_access_, error)) {
            // Missing for this kernel, so for every tracee: the next way from now on.
            memory_access_ = memory_access_ == MemoryAccess::process_vm_readv
                                 ? MemoryAccess::proc_mem
                                 : MemoryAccess::peekdata;
            continue;
        }
        if (error) {
            break;
        }
        done += chunk;
    }
    bytes.resize(done);
    return done > 0 || size == 0 ? std::error_code{} : error;
}

std::error_code PtraceTracer::fd_path(pid_t tid, int fd, std::string& path) {
    return read_proc_link(tid, "fd/" + std::to_string(fd), path);
}

void PtraceTracer::signal_process(pid_t pid, int signal) {
    ::kill(pid, signal);
}

std::error_code PtraceTracer::interrupt(pid_t tid) {
    return check(::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr));
}

bool PtraceTracer::has_exited(pid_t tid) {
    std::array<char, 512> buffer{};
    std::string_view text;
    if (read_proc_file(tid, "stat", buffer, text)) {
        return true;  // no such thread any more
    }
    // "TID (COMM) STATE ...": COMM may hold spaces and parentheses, so the state follows the
    // last ')'. Z is a zombie, X (dead) is seen only in passing.
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

std::error_code PtraceTracer::read_string(pid_t tid, std::uint64_t address, std::size_t max,
                                          std::string& text) {
    text.clear();
    // Page by page, so that a name ending just before an unmapped page is still read whole,
    // and a short name costs one small read.
    std::string chunk;
    while (text.size() < max) {
        const std::size_t want = std::min(max - text.size(), page_size() - address % page_size());
        if (const auto error = read_memory(tid, address, want, chunk)) {
            return error;
        }
        if (const auto end = chunk.find('\0'); end != std::string::npos) {
            text.append(chunk, 0, end);
            return {};
        }
        text.append(chunk);
        if (chunk.size() < want) {
            return std::make_error_code(std::errc::bad_address);  // unterminated, then unmapped
        }
        address += chunk.size();
    }
    return std::make_error_code(std::errc::filename_too_long);
}

std::error_code PtraceTracer::read_proc_link(pid_t tid, std::string_view name,
                                             std::string& target) {
    const std::string path = "/proc/" + std::to_string(tid) + "/" + std::string(name);
    std::array<char, PATH_MAX> buffer{};
    const ssize_t length = ::readlink(path.c_str(), buffer.data(), buffer.size());
    if (length < 0) {
        return last_error();
    }
    if (static_cast<std::size_t>(length) == buffer.size()) {
        return std::make_error_code(std::errc::filename_too_long);
    }
    target.assign(buffer.data(), static_cast<std::size_t>(length));
    return {};
}

std::error_code PtraceTracer::read_comm(pid_t pid, std::string& name) {
    std::array<char, 64> buffer{};
    std::string_view text;
    if (const auto error = read_proc_file(pid, "comm", buffer, text)) {
        return error;
    }
    if (text.ends_with('\n')) {
        text.remove_suffix(1);
    }
    name.assign(text);
    return {};
}

}  // namespace inject::trace
