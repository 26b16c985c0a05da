// Signal names and numbers, from the C library (sigabbrev_np), read as strace and kill(1)
// read them and written as strace writes them.
#pragma once

#include <signal.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inject {

// The kernel's signals are 1..64 (_NSIG - 1); glibc names 1..31 and keeps 32 and 33.
inline constexpr int kMaxSignal = NSIG - 1;

// The number of a signal name with or without "SIG", in any case ("SIGSEGV", "segv"), or
// "SIGRTMIN+N" / "SIGRTMAX-N"; nullopt for anything else (numbers included).
std::optional<int> signal_from_name(std::string_view name);

// Every name signal_from_name reads, with "SIG", for did-you-mean.
const std::vector<std::string>& all_signal_names();

// "SIGSEGV", "SIGRTMIN+3", or "signal 32" for the numbers glibc keeps for itself.
std::string signal_name(int signal);

// Whether the kernel's default action for the signal leaves a running program alone: SIGCHLD,
// SIGURG and SIGWINCH are ignored, SIGCONT only ends a stop (signal(7)).
bool ignored_by_default(int signal);

}  // namespace inject
