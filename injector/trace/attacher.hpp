// Tracing processes that were running before inject (-p PID).
#pragma once

#include <sys/types.h>

#include <functional>

#include "trace/unique_fd.hpp"

namespace inject::trace {

// The process (thread group) that `pid` is, or is a thread of. Throws inject::LaunchError
// (125) when there is no such process, or when it is inject itself.
pid_t process_to_attach(pid_t pid);

// Seizes every thread of process `tgid` with attach_options() and interrupts it, so that
// each reports a stop soon. /proc/TGID/task is read again until no new thread appears: a
// thread not seized yet may start others meanwhile (those started by a seized one are traced
// by the kernel itself, and reported to the tracer on their own). `seized` is called with
// each thread as it is taken, so that the caller can let them go again when a later one
// fails. Throws inject::LaunchError (125) saying why the process cannot be traced.
void seize_process(pid_t tgid, const std::function<void(pid_t tid)>& seized);

// A child of the tracer that exits as soon as `fd` is readable, or when the waker is
// destroyed. The tracer sleeps in one blocking waitpid(-1) per stop, which no pipe can wake;
// this child's exit is an event that waitpid reports whenever it happens, while a signal's
// EINTR is lost if it lands between checking a flag and calling waitpid. So a request made
// from a signal handler by writing to `fd` is noticed at once, and the waiting costs nothing
// more per stop.
class WaitWaker {
  public:
    explicit WaitWaker(int fd);  // throws std::system_error
    ~WaitWaker();
    WaitWaker(const WaitWaker&) = delete;
    WaitWaker& operator=(const WaitWaker&) = delete;

  private:
    UniqueFd quit_;   // closing it makes the child exit
    UniqueFd pidfd_;  // reaps the child, even after its pid was reaped and reused
};

}  // namespace inject::trace
