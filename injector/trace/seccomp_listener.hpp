// The listener of a seccomp filter that notifies: the Notifier the engine uses for real.
#pragma once

#include <signal.h>

#include "trace/notifier.hpp"
#include "trace/unique_fd.hpp"

namespace inject::trace {

// The flags a notifying filter is loaded with (besides SPEC_ALLOW): a listener
// (SECCOMP_FILTER_FLAG_NEW_LISTENER), and calls that, once inject has read them, wait for its
// answer through signals as a thread at a ptrace stop does (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
// Linux 5.19): a signal then neither cuts a call's delay short nor makes it fail with EINTR,
// and a rule's signal sent before the answer arrives right after the call, as on the ptrace
// path. Without that flag the kernel's notifications are not used at all.
unsigned long notifying_filter_flags();

// Whether this kernel takes a filter loaded with notifying_filter_flags(). Asked without
// loading anything: the kernel checks the flags before it reads the (missing) program.
bool kernel_can_notify();

// Owns the listener taken from the program (every filter of the program's tree is the one the
// child loaded, so this one fd hears from all its processes and threads), and the program's
// SIGCHLD, which it reads through a signalfd: while it lives SIGCHLD is blocked in the thread
// that made it, and its mask is put back as it was when it goes. So one ppoll waits for both
// the notifications and the tracees' stops, on the one thread that is their tracer.
class SeccompListener final : public Notifier {
  public:
    // Throws std::system_error when no signalfd can be made.
    explicit SeccompListener(UniqueFd listener);
    ~SeccompListener() override;
    SeccompListener(const SeccompListener&) = delete;
    SeccompListener& operator=(const SeccompListener&) = delete;

    Ready wait(std::optional<std::chrono::steady_clock::time_point> deadline) override;
    std::error_code receive(Notification& notification) override;
    std::error_code answer(std::uint64_t id, std::int64_t result) override;
    std::error_code let_run(std::uint64_t id) override;
    bool still_waits(std::uint64_t id) override;

  private:
    UniqueFd listener_;
    UniqueFd sigchld_;
    sigset_t saved_mask_{};
    // Once no task uses the filter any more the listener reports POLLHUP for good: it is then
    // left out of the wait, which would otherwise never block again.
    bool hung_up_ = false;
};

}  // namespace inject::trace
