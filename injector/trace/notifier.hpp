// Seccomp user notifications as the engine sees them: the picked calls that need nothing of
// ptrace reach inject as notifications, and the calling thread waits in the kernel, without a
// ptrace stop, until inject answers. SeccompListener is the real thing; the unit tests drive the
// engine through a GoogleMock double of this interface.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <system_error>

#include "inject/abi.hpp"

namespace inject::trace {

// One call waiting for inject's answer.
struct Notification {
    std::uint64_t id = 0;    // the kernel's cookie: what the answer names
    pid_t tid = 0;           // the calling thread, in inject's pid namespace
    std::optional<Abi> abi;  // nullopt for an ABI inject does not handle (x32)
    long number = -1;
    std::array<std::uint64_t, 6> args{};
};

// What a wait found ready: both may be.
struct Ready {
    bool notification = false;  // receive() will not block
    bool tracees = false;       // some tracee may have a stop for waitpid (its SIGCHLD came)
};

class Notifier {
  public:
    virtual ~Notifier() = default;

    // Blocks until a notification can be received or a tracee has a stop to report, or, when
    // given, until `deadline`. The clock is read only when there is a deadline.
    virtual Ready wait(std::optional<std::chrono::steady_clock::time_point> deadline) = 0;
    // The oldest notification not received yet (the kernel keeps them in the order the calls
    // came, so every waiting thread has its turn). An error means there was none after all: a
    // call cancelled before it was read, which the kernel restarts or fails with EINTR as it
    // would a blocking call interrupted by a signal.
    virtual std::error_code receive(Notification& notification) = 0;
    // The call returns `result` without running: -4095..-1 is an error (-errno), anything else
    // a value. ENOENT: the call no longer waits (its thread was killed).
    virtual std::error_code answer(std::uint64_t id, std::int64_t result) = 0;
    // The call runs as the program made it. Errors as for answer().
    virtual std::error_code let_run(std::uint64_t id) = 0;
    // Whether the call still waits: what was read of its thread (memory, /proc) since it was
    // received was read from that thread, not from one that took its id after it died.
    virtual bool still_waits(std::uint64_t id) = 0;
};

}  // namespace inject::trace
