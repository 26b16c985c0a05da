// The keys of one fault: one table (fault_keys.cpp), walked the same way by the TOML reader
// for a [[fault]] table and by the spec reader for -e, so that both give the same Rule and the
// same message for the same mistake. Adding a key is one entry in that table and the function
// that applies its value.
//
// Every check throws std::invalid_argument whose what() is the bare message ("unknown errno
// "ENOSP" (did you mean "ENOSPC"?)"); the reader knows where the text came from and puts the
// location in front: a KeyConflict where the key is written, anything else where its value is.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "inject/rule.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/text.hpp"

namespace inject::detail {

// The vocabulary of messages (syscalls/text.hpp, durations.hpp), unqualified in the readers.
using text::checked_duration;
using text::did_you_mean;
using text::quoted;

// Throws the bare message (std::invalid_argument); the reader adds where the mistake is.
[[noreturn]] void fail(std::string message);

// A mistake in which keys a fault gives (one given twice, two that exclude each other) rather
// than in a value: a reader points at the key.
class KeyConflict : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// `unknown key "eror" (did you mean "error"?)`, the suggestion taken from candidates.
std::string unknown_key_message(std::string_view key, const std::vector<std::string>& candidates);

// For an empty syscall set, or an empty spec before the first ':'.
inline constexpr std::string_view kNoSyscallGiven = "no syscall given";

// What the fault is written as: a [[fault]] table, a spec (-e SPEC, -e inject=SPEC), or
// strace's -e fault=SPEC, which only fails calls (error= defaults to ENOSYS).
enum class Syntax : std::uint8_t { toml, spec, fault_spec };

// One element of a TOML array (`syscall = ["write", "close"]`), told from a whole value.
struct ListElement {
    std::string_view text;
};

// A value as a reader has it: a spec's is always text; a TOML value has its type.
using KeyValue = std::variant<std::string_view, std::int64_t, double, ListElement, bool>;

// The TOML types a key takes (bits): a value of another type is refused before it is applied.
enum ValueKinds : unsigned {
    kText = 1U,
    kInteger = 2U,
    kFloat = 4U,
    kTextList = 8U,  // an array of strings, each applied as a ListElement
    kBool = 16U,
};

class FaultBuilder;

struct FaultKey {
    std::string_view name{};
    unsigned kinds = kText;
    // What a message says the key takes, when the kinds alone do not say it well ("a string
    // such as \"50ms\""); empty: the kinds' own words ("a string or an integer").
    std::string_view expected{};
    // Applies a value of one of `kinds` (or any text, from a spec) to the fault being built.
    void (*apply)(FaultBuilder& fault, std::string_view key, const KeyValue& value) = nullptr;
    // strace's `when`: given again in a spec, the last one wins. Any other key given twice is
    // refused, as strace refuses it.
    bool repeatable = false;
    // A key -e fault= takes: strace's error, when and syscall, and inject's own filters and
    // counters. Its other tampering keys (retval, signal, delays, pokes, short) are -e inject='s.
    bool in_fault_spec = false;
    // Where the key exists: `syscall` is the set in a TOML table and strace's replacement
    // syscall in a spec, where the set comes before the first ':'.
    bool in_toml = true;
    bool in_spec = true;
};

// The key named `name` in `syntax`; throws for unknown ones, naming the nearest, and for the
// keys -e fault= does not take, saying so.
const FaultKey& fault_key(std::string_view name, Syntax syntax);

// What `key` takes, in a message's words: "a string or an integer".
std::string expected_kinds(const FaultKey& key);

// One fault's keys, given in the order they were written.
class FaultBuilder {
  public:
    explicit FaultBuilder(Syntax syntax) : syntax_(syntax) {}

    // A whole set in strace's syntax ("!write,%net,"): a spec's, or a TOML string.
    void set_syscalls(std::string_view set);
    // One element of a TOML list; a repeated one is dropped, the first place kept.
    void add_syscall(std::string_view element);
    const SyscallNames& syscalls() const { return rule_.syscalls; }
    // Whether the action given so far is short, whose syscalls must have a byte count.
    bool shortens() const { return std::holds_alternative<ShortenTo>(rule_.effect.action); }

    // The rest throw KeyConflict when the key (or one it excludes) was given already, or, for
    // the action, when the fault has one.
    void set_action(std::string_view key, Action action);
    void set_when(When when) { rule_.when = when; }  // the last one given wins
    void set_per(Scope per) { rule_.per = per; }
    void set_probability(double probability) { rule_.probability = probability; }
    void set_signal(int signal) { rule_.effect.signal = signal; }
    void set_path(std::string glob) { rule_.path = std::move(glob); }
    void set_fd(int fd) { rule_.fd = fd; }
    void set_process(std::string glob) { rule_.process = std::move(glob); }
    void set_caller(std::string glob) { rule_.caller = std::move(glob); }
    void set_run_first(bool run_first) { rule_.effect.run_first = run_first; }
    // The wait before the call, from `key` ("delay" or "delay_enter"), and after it.
    void set_delay(std::string_view key, std::chrono::microseconds delay);
    void set_delay_exit(std::chrono::microseconds delay) { rule_.effect.delay_exit = delay; }
    void set_pokes(std::string_view key, std::vector<Poke> pokes);
    // strace's syscall=, also written run_instead.
    void set_instead(std::string_view key, std::string syscall);
    // lose_unsynced = true makes the crash a power cut; mode = "prefix" keeps a prefix of
    // what was not synced. Checked against the rest in build().
    void set_lose_unsynced(bool lose) { lose_unsynced_ = lose; }
    void set_unsynced_mode(UnsyncedLoss loss) { unsynced_mode_ = loss; }

    // The finished rule; throws when the syscall or the action is missing, when a `path` or
    // `fd` filter names only syscalls that take neither, or when short names a call without a
    // byte count.
    Rule build(std::string origin) &&;

  private:
    // lose_unsynced and mode against the rest of the fault.
    void check_power_cut();

    Syntax syntax_;
    Rule rule_;
    bool has_action_ = false;
    std::string action_key_;
    std::string delay_key_;
    std::string instead_key_;
    bool lose_unsynced_ = false;
    std::optional<UnsyncedLoss> unsynced_mode_;
};

// Throws unless `element` of a short rule's set can be cut: a syscall named must have a byte
// count on every ABI that has it, any other element (a class, a regex, a number) at least one
// call that has one (the rule then stands for those calls only).
void check_byte_count(std::string_view element);

// A signal, shared by [expect] signal and a fault's signal key (signal_keys.cpp): "none" (0),
// a name as strace reads it (syscalls/signals.hpp), or a number 1..64 as text or integer.
int checked_signal(std::string_view text);
int checked_signal(std::int64_t number);

}  // namespace inject::detail
