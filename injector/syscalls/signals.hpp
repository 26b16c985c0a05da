// Signal names and numbers, read and written as strace reads and writes them: the kernel's
// names (SIGIO, where the C library says SIGPOLL, which is read too) and the kernel's
// numbering of the real-time signals (SIGRTMIN is 32, SIGRT_1 33), not the C library's, which
// keeps 32 and 33 for itself.
#pragma once

#include <signal.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inject {

// The kernel's signals are 1..64 (_NSIG - 1).
inline constexpr int kMaxSignal = NSIG - 1;
// The kernel's first real-time signal (glibc's __SIGRTMIN), which strace calls SIGRTMIN.
inline constexpr int kKernelRealtimeMin = __SIGRTMIN;

// The number of a signal name with or without "SIG", in any case ("SIGSEGV", "segv", "io"):
// the names of 1..31, "SIGRTMIN" (32), "SIGRTMIN+N", "SIGRTMAX" (64), "SIGRTMAX-N" and
// strace's "SIGRT_N" (32+N, N 1..32); nullopt for anything else (numbers included).
std::optional<int> signal_from_name(std::string_view name);

// Every name signal_from_name reads, with "SIG", for did-you-mean.
const std::vector<std::string>& all_signal_names();

// "SIGSEGV", "SIGIO", "SIGRTMIN" for 32, "SIGRT_3" for 35, as strace writes them; "signal N"
// for a number outside 1..64.
std::string signal_name(int signal);

}  // namespace inject
