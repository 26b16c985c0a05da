// The ptrace layer as the engine sees it: wait for the next stop, look at it, act on the
// tracee, resume it. PtraceTracer is the real thing; the unit tests drive the engine through a
// GoogleMock double of this interface.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <system_error>

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
};

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

    // The errors are those of ptrace(2); ESRCH means the tracee died under us, which its
    // own wait status reports next.
    virtual std::error_code resume(pid_t tid, Resume how, int signal) = 0;
    virtual std::error_code syscall_info(pid_t tid, SyscallInfo& info) = 0;
    virtual std::error_code event_message(pid_t tid, unsigned long& message) = 0;
    virtual std::error_code set_syscall_number(pid_t tid, Abi abi, long number) = 0;
    virtual std::error_code set_return_value(pid_t tid, Abi abi, std::int64_t value) = 0;
    // tgkill: queues `signal` for one thread. Sent while the thread is stopped, it is
    // delivered when the thread runs again (a signal-delivery-stop first, as for any signal).
    virtual std::error_code send_signal(pid_t tgid, pid_t tid, int signal) = 0;

    // The process (thread group) a tracee belongs to.
    virtual std::error_code thread_group_of(pid_t tid, pid_t& tgid) = 0;
    // Whether the program a process now runs is setuid or setgid.
    virtual bool runs_setid_program(pid_t pid) = 0;

    // SIGKILL to a whole process. Unlike the rest, callable from any thread.
    virtual void kill_process(pid_t pid) = 0;

    // PTRACE_INTERRUPT: a seized tracee that runs stops soon (a PTRACE_EVENT_STOP, unless
    // another stop comes first); one in PTRACE_LISTEN stops again at once.
    virtual std::error_code interrupt(pid_t tid) = 0;
    // Whether the thread has ended without being reported: a process leader that exited while
    // its other threads live on is reported only once they have all ended, and until then can
    // neither stop nor be detached.
    virtual bool has_exited(pid_t tid) = 0;
};

}  // namespace inject::trace
