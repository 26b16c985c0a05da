// The keys of one fault, checked the same way for a TOML [[fault]] table and an --inject
// spec, so that both give the same Rule and the same message for the same mistake.
//
// Every check throws std::invalid_argument whose what() is the bare message ("unknown errno
// "ENOSP" (did you mean "ENOSPC"?)"); the caller knows where the text came from and puts
// the location in front.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "inject/rule.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/text.hpp"

namespace inject::detail {

// The vocabulary of messages (syscalls/text.hpp, durations.hpp), unqualified in the readers.
using text::checked_duration;
using text::checked_strace_duration;
using text::did_you_mean;
using text::quoted;

enum class FaultKey : std::uint8_t {
    syscall,
    error,
    retval,
    when,
    per,
    probability,
    signal,
    path,
    fd,
    process,
    delay,
    delay_enter,  // strace's name for delay, in strace's time format
    delay_exit,
    short_count,
};

std::string_view fault_key_name(FaultKey key);

// The key named `key`; throws for unknown ones, naming the nearest key.
FaultKey fault_key(std::string_view key);

// `unknown key "eror" (did you mean "error"?)`, the suggestion taken from candidates.
std::string unknown_key_message(std::string_view key, const std::vector<std::string>& candidates);

// Throws the bare message (std::invalid_argument); the caller adds where the mistake is.
[[noreturn]] void fail(std::string message);

// For an empty syscall list, or an empty spec before the first ':'.
inline constexpr std::string_view kNoSyscallGiven = "no syscall given";

// One syscall name, checked against both ABIs. An empty name is "no syscall given".
std::string checked_syscall(std::string_view name);
// The same for an element of a list, where empty means a stray separator.
std::string checked_syscall_in_list(std::string_view name);

// An errno name or decimal number 1..4095.
int checked_errno(std::string_view text);
int checked_errno(std::int64_t number);

// A fake success: any value but -4095..-1, which the caller would read as an errno.
std::int64_t checked_retval(std::int64_t value);
// The same from decimal text, optionally negative.
std::int64_t checked_retval(std::string_view text);

// short's byte count: a whole number 0..SSIZE_MAX (the most a read or write can move).
std::uint64_t checked_short(std::int64_t bytes);
// The same from decimal text.
std::uint64_t checked_short(std::string_view text);

// Throws unless `name` (a checked syscall or class) can be cut by short: a syscall must have a
// byte count on every ABI that has it, a class at least one member that has one (the rule then
// stands for those members only).
void check_byte_count(std::string_view name);

When checked_when(std::string_view text);
// `when = 3` in TOML is short for `when = "3"`.
When checked_when(std::int64_t number);

Scope checked_per(std::string_view text);

// A signal, shared by [expect] signal and a fault's signal key (signal_keys.cpp): "none" (0),
// a name as glibc spells it with or without "SIG" and in any case ("SIGSEGV", "segv"),
// "SIGRTMIN+N" / "SIGRTMAX-N", or a number 1..64 as text or integer.
int checked_signal(std::string_view text);
int checked_signal(std::int64_t number);
// The same for a fault, where "none" would send nothing and is refused.
int checked_fault_signal(std::string_view text);
int checked_fault_signal(std::int64_t number);

// 0 < P <= 1. Text is a decimal ("0.05") or a percentage ("5%"); a TOML integer may be 1 (or
// 0, refused with the reason).
double checked_probability(double value);
double checked_probability(std::int64_t number);
double checked_probability(std::string_view text);

// A path glob (see scenario/glob.hpp): absolute, '.'/'..'-free, well formed.
std::string checked_path_glob(std::string_view text);
// A program name glob: no '/'.
std::string checked_process_glob(std::string_view text);
// A file descriptor number, 0..INT_MAX, as decimal text or a TOML integer.
int checked_fd(std::string_view text);
int checked_fd(std::int64_t number);
// A fault's `delay`: a whole number and a unit, as text::checked_duration (syscalls/durations.hpp)
// reads it. 0 is a wait of no time, which strace's delay_enter=0 allows too.
std::chrono::microseconds checked_delay(std::string_view text);
// strace's delay_enter and delay_exit (`key`), in strace's format (text::checked_strace_duration);
// an integer is microseconds, as a bare number is there.
std::chrono::microseconds checked_strace_delay(std::string_view key, std::string_view text);
std::chrono::microseconds checked_strace_delay(std::string_view key, std::int64_t microseconds);

// One fault's keys, given in the order they were written.
class FaultBuilder {
  public:
    // A checked name; a repeated one is dropped, the first place kept.
    void add_syscall(std::string name);
    // Throws when the fault already has an action.
    void set_action(Action action);
    // Whether the action given so far is short, whose syscalls must have a byte count.
    bool shortens() const { return std::holds_alternative<ShortenTo>(rule_.effect.action); }
    void set_when(When when) { rule_.when = when; }
    void set_per(Scope per) { rule_.per = per; }
    void set_probability(double probability) { rule_.probability = probability; }
    void set_signal(int signal) { rule_.effect.signal = signal; }
    void set_path(std::string glob) { rule_.path = std::move(glob); }
    void set_fd(int fd) { rule_.fd = fd; }
    void set_process(std::string glob) { rule_.process = std::move(glob); }
    // The wait before the call, from `key` ("delay" or "delay_enter"); throws when the other
    // of the two gave it already.
    void set_delay(std::string_view key, std::chrono::microseconds delay);
    void set_delay_exit(std::chrono::microseconds delay) { rule_.effect.delay_exit = delay; }

    // The finished rule; throws when the syscall or the action is missing, when a `path` or
    // `fd` filter names only syscalls that take neither, or when short names a call without a
    // byte count.
    Rule build(std::string origin) &&;

  private:
    Rule rule_;
    bool has_action_ = false;
    std::string delay_key_;
};

}  // namespace inject::detail
