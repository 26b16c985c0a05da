// Call stacks of stopped tracees, as the engine sees them: ask for a thread's stack at any
// ptrace stop, forget a process when its program changes. DwflStacks (dwfl_stacks.hpp) is the
// real thing; the engine's unit tests can drive it through a double of this interface.
#pragma once

#include <sys/types.h>

#include <system_error>
#include <vector>

#include "inject/stack.hpp"

namespace inject::trace {

class Stacks {
  public:
    virtual ~Stacks() = default;

    // The user-space stack of thread `tid` of process `pid`, stopped under ptrace (any stop),
    // innermost frame first, at most kMaxStackFrames frames. A stack that cannot be unwound to
    // its end (code without unwind information) is given as far as it goes, without an
    // error. Errors are those of ptrace and /proc: ESRCH for a thread that is gone.
    // `frames` is reused: its strings keep their memory from one stack to the next.
    virtual std::error_code stack_of(pid_t pid, pid_t tid, std::vector<StackFrame>& frames) = 0;

    // Process `pid` runs a new program (execve) or has exited: what was learnt of its address
    // space is dropped. Must be called for both, since a pid can be reused by a process with
    // other mappings.
    virtual void forget_process(pid_t pid) = 0;
};

}  // namespace inject::trace
