// Starting the program traced from its first instruction.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "trace/seccomp_filter.hpp"

namespace inject::trace {

struct LaunchedProgram {
    pid_t pid = 0;
    // Stopped at the PTRACE_EVENT_EXEC stop of the execve that started the program; nothing
    // before it (the child's own set-up and that execve) is shown to the engine.
    bool filter_installed = false;
    bool no_new_privs = false;       // set for the filter: setuid programs lose privileges
    std::vector<std::string> notes;  // one line each, for the user
};

// Forks a child, seizes it with the tracing options, lets it install `filter` (when given)
// and exec argv[0] (searched in PATH). Throws inject::LaunchError (126, 127, or 125 when the
// child cannot be traced).
LaunchedProgram launch_traced(const std::vector<std::string>& argv, const SeccompProgram* filter);

}  // namespace inject::trace
