// Starting the program traced from its first instruction.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trace/seccomp_filter.hpp"
#include "trace/seccomp_listener.hpp"

namespace inject::trace {

struct LaunchedProgram {
    pid_t pid = 0;
    // Stopped at the PTRACE_EVENT_EXEC stop of the execve that started the program, or, for
    // a function, at the SIGSTOP it raised before calling it; nothing before (the child's own
    // set-up, that execve) is shown to the engine.
    bool stopped_at_exec = true;
    bool filter_installed = false;
    // The listener of the notifying filter the child loaded; none when it loaded the tracing
    // one (no notifying filter was given, or the kernel refused it).
    std::unique_ptr<SeccompListener> listener;
    bool no_new_privs = false;       // set for the filter: setuid programs lose privileges
    std::vector<std::string> notes;  // one line each, for the user
};

// Where the child's stdout and stderr go: these fds (write ends of the caller's pipes), or,
// when -1, wherever the caller's own go.
struct ChildIo {
    int stdout_fd = -1;
    int stderr_fd = -1;
};

// Forks a child, seizes it with the tracing options, lets it install one of `filters` (when
// given) and exec argv[0] (searched in PATH). Throws inject::LaunchError (126, 127, or 125 when
// the child cannot be traced).
LaunchedProgram launch_traced(const std::vector<std::string>& argv, const ChildFilters& filters,
                              const ChildIo& io = {});

// The same, but the child calls `body` and exits with its result instead of exec'ing.
LaunchedProgram launch_traced_function(const std::function<int()>& body,
                                       const ChildFilters& filters, const ChildIo& io = {});

}  // namespace inject::trace
