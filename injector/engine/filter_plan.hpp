// Which way each picked syscall reaches inject: by a seccomp user notification, answered while
// the calling thread waits in the kernel (no ptrace stop, no tracer round trip), or by a ptrace
// stop. A notification can answer a call with an error or a value without running it, let it
// run, hold the answer (delay), signal the thread, and read the call's arguments, the thread's
// memory and /proc (the filters). It cannot change the call's arguments, run the call and then
// change what it returned, nor see it return: those need the thread stopped. Pure.
#pragma once

#include <string>
#include <vector>

#include "inject/rule.hpp"

namespace inject::engine {

struct FilterPlan {
    std::vector<std::string> traced;    // SECCOMP_RET_TRACE: a ptrace stop
    std::vector<std::string> notified;  // SECCOMP_RET_USER_NOTIF
};

// Whether a notification can do to a call everything the rule does: not for `short` (the count
// is an argument to change), `delay_exit` (a wait after the call ran), `poke_enter` and
// `poke_exit` (memory written before the call runs, after it returned), `syscall=` (another
// call run in its place), nor `caller` (the stack of a stopped thread).
bool notification_serves(const Rule& rule);

// The filter's syscalls, each on one path chosen from all the rules that name it: notified only
// when every one of them can be served by a notification. `also_seen` are syscalls the engine
// must see though no rule need name them (those that close fds, while a path filter remembers
// what fds refer to); they take the path of the rules that name them, else a notification.
// `notify` false puts every syscall on the ptrace path: --no-notify, the syscall log (which
// needs each call's exit), a kernel without user notification.
FilterPlan plan_filter(const std::vector<Rule>& rules, const std::vector<std::string>& also_seen,
                       bool notify);

}  // namespace inject::engine
