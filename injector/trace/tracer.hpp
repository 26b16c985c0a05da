// The ptrace layer as the engine sees it: wait for the next stop, look at it, act on the
// tracee, resume it. PtraceTracer is the real thing; the unit tests drive the engine through a
// GoogleMock double of this interface.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "inject/abi.hpp"

namespace inject::trace {

// One wait status, decoded.
struct Stop {
    enum class Kind : std::uint8_t {
        exited,   // the thread is gone; `code` is its exit status
        killed,   // the thread is gone; `signal` killed it
        syscall,  // syscall-entry or -exit stop (PTRACE_SYSCALL); ask syscall_info which
        event,    // PTRACE_EVENT_* stop; `event` says which, `signal` its WSTOPSIG
        signal,   // signal-delivery-stop: `signal` is about to be delivered
    };
    pid_t tid = 0;
    Kind kind = Kind::exited;
    int code = 0;
    int signal = 0;
    int event = 0;
};

struct SyscallInfo {
    enum class Op : std::uint8_t { none, entry, exit, seccomp };
    Op op = Op::none;
    std::optional<Abi> abi;  // nullopt for an ABI inject does not handle (x32)
    long number = -1;        // entry and seccomp stops
    std::array<std::uint64_t, 6> args{};
    std::int64_t return_value = 0;  // exit stops
    std::uint64_t stack_pointer = 0;
};

// A thread's signals as /proc/TID/status shows them: bit N-1 stands for signal N.
struct SignalState {
    std::uint64_t own_pending = 0;     // SigPnd: sent to the thread
    std::uint64_t shared_pending = 0;  // ShdPnd: sent to its process
    std::uint64_t blocked = 0;         // SigBlk
    std::uint64_t ignored = 0;         // SigIgn
    std::uint64_t caught = 0;          // SigCgt: it has a handler
};

// How a wait with a deadline ended: a stop, the deadline, or no tracee left to wait for.
struct DeadlinePassed {};
struct NoTraceeLeft {};
using TimedWait = std::variant<Stop, DeadlinePassed, NoTraceeLeft>;

enum class Resume : std::uint8_t {
    cont,     // run until the next signal, event or seccomp stop
    syscall,  // also stop at the next syscall entry or exit
    listen,   // stay in group-stop, but report when it ends (PTRACE_LISTEN)
    detach,   // let it go on untraced (PTRACE_DETACH), getting `signal` if one is given
};

class Tracer {
  public:
    virtual ~Tracer() = default;

    // The next stop of any tracee; nullopt once no tracee is left.
    virtual std::optional<Stop> wait_for_stop() = 0;
    // The same, but no later than `deadline`: while a delayed tracee waits, the others' stops
    // are still handled as they come. The calling thread's signal mask is as it was on return.
    virtual TimedWait wait_for_stop_until(std::chrono::steady_clock::time_point deadline) = 0;
    // A stop that has already happened, without waiting (waitpid's WNOHANG); nullopt when no
    // tracee has one to report. The engine takes every such stop before it serves any, so that
    // a thread that stops again at once cannot keep being found first.
    virtual std::optional<Stop> poll_stop() = 0;

    // The errors are those of ptrace(2); ESRCH means the tracee died under us, which its
    // own wait status reports next.
    virtual std::error_code resume(pid_t tid, Resume how, int signal) = 0;
    virtual std::error_code syscall_info(pid_t tid, SyscallInfo& info) = 0;
    virtual std::error_code event_message(pid_t tid, unsigned long& message) = 0;
    virtual std::error_code set_syscall_number(pid_t tid, Abi abi, long number) = 0;
    virtual std::error_code set_return_value(pid_t tid, Abi abi, std::int64_t value) = 0;
    // Argument `index` (0..5) of the call a thread is stopped in: at its entry or seccomp stop
    // the call then runs with it; at its exit stop it is what the program finds in that register
    // afterwards (the x86 syscall ABIs keep argument registers across a call).
    virtual std::error_code set_syscall_argument(pid_t tid, Abi abi, unsigned index,
                                                 std::uint64_t value) = 0;
    // The tracee's memory, all of `bytes` or an error (EFAULT for memory it has not mapped).
    virtual std::error_code read_memory(pid_t tid, std::uint64_t address,
                                        std::span<std::byte> bytes) = 0;
    virtual std::error_code write_memory(pid_t tid, std::uint64_t address,
                                         std::span<const std::byte> bytes) = 0;
    // At a syscall-exit stop of a call whose number was replaced: sets the thread back to make
    // the call `number` again when it runs on (its instruction pointer on the syscall
    // instruction, the number in its register), as the kernel restarts an interrupted call. A
    // signal pending then is taken first, as if it had come just before the call.
    virtual std::error_code restart_syscall(pid_t tid, Abi abi, long number) = 0;
    // The thread's pending, blocked, ignored and caught signals, read while it is stopped.
    virtual std::error_code signal_state(pid_t tid, SignalState& state) = 0;
    // tgkill: queues `signal` for one thread. Sent while the thread is stopped, it is
    // delivered when the thread runs again (a signal-delivery-stop first, as for any signal).
    virtual std::error_code send_signal(pid_t tgid, pid_t tid, int signal) = 0;

    // The process (thread group) a tracee belongs to.
    virtual std::error_code thread_group_of(pid_t tid, pid_t& tgid) = 0;
    // Whether two threads use one fd table (kcmp KCMP_FILES); false when one is gone, nullopt
    // when it cannot be told (no kcmp in the kernel, or refused).
    virtual std::optional<bool> same_fd_table(pid_t first, pid_t second) = 0;
    // Whether the program a process now runs is setuid or setgid.
    virtual bool runs_setid_program(pid_t pid) = 0;

    // What the filters need to know of a call, read while its thread is stopped. Errors mean
    // "not known" (memory the tracee cannot read, a closed fd, a process gone), never a bug.
    //
    // The NUL-terminated string at `address` in the thread's memory, at most `max` bytes.
    virtual std::error_code read_string(pid_t tid, std::uint64_t address, std::size_t max,
                                        std::string& text) = 0;
    // The target of the symlink /proc/TID/NAME: "cwd", "exe", "fd/3".
    virtual std::error_code read_proc_link(pid_t tid, std::string_view name,
                                           std::string& target) = 0;
    // The process's name as /proc/PID/comm gives it (at most 15 characters), without the
    // newline.
    virtual std::error_code read_comm(pid_t pid, std::string& name) = 0;
    // What the syscall log shows of a call, read while its thread is stopped. Errors mean "not
    // known" (memory the program could not read either, a closed descriptor, a thread gone),
    // never a bug.
    //
    // Up to `size` bytes of the thread's memory from `address`: fewer when readable memory ends
    // before (an unmapped page), an error when not even the first byte can be read.
    virtual std::error_code read_memory(pid_t tid, std::uint64_t address, std::size_t size,
                                        std::string& bytes) = 0;
    // The file a descriptor of the thread refers to, as /proc/TID/fd/FD names it.
    virtual std::error_code fd_path(pid_t tid, int fd, std::string& path) = 0;

    // A signal to a whole process (kill). Unlike the rest, callable from any thread.
    virtual void signal_process(pid_t pid, int signal) = 0;

    // PTRACE_INTERRUPT: a seized tracee that runs stops soon (a PTRACE_EVENT_STOP, unless
    // another stop comes first); one in PTRACE_LISTEN stops again at once.
    virtual std::error_code interrupt(pid_t tid) = 0;
    // Whether the thread has ended without being reported: a process leader that exited while
    // its other threads live on is reported only once they have all ended, and until then can
    // neither stop nor be detached.
    virtual bool has_exited(pid_t tid) = 0;
};

}  // namespace inject::trace
