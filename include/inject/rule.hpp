// A rule: which calls to pick (syscall names, `when`, scope) and what to do to them.
// Rules come from scenario files and --inject specs; both give the same objects.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace inject {

// Which of a rule's matching calls it fires on, numbered from 1 (strace's `when=`):
// "N", "N+", "N+STEP", "N..M", "N..M+", "N..M+STEP". The default fires on every call.
struct When {
    static constexpr std::uint64_t kNoLast = std::numeric_limits<std::uint64_t>::max();

    std::uint64_t first = 1;
    std::uint64_t last = kNoLast;
    std::uint64_t step = 1;

    // Throws std::invalid_argument with a message that names what is wrong (no location).
    static When parse(std::string_view text);

    bool matches(std::uint64_t nth) const noexcept {
        return nth >= first && nth <= last && (nth - first) % step == 0;
    }
    // The shortest text that parses back to this value ("3", "2+", "1..4+2").
    std::string to_string() const;

    bool operator==(const When&) const = default;
};

// Syscalls as strace's syntax names them, in the SET of -e inject= and -e trace=: each element
// as written (a name, a number, a class "%file" or "file", a regex "/^wr", each optionally with
// a leading "?" and a trailing "@64", "@32" or "@x32"; "all"; "none" alone), and a leading "!"
// as `negated`: every syscall but those.
struct SyscallNames {
    std::vector<std::string> elements;
    bool negated = false;

    bool operator==(const SyscallNames&) const = default;
};

// The set as strace's syntax writes it: "!write,%net".
std::string to_string(const SyscallNames& names);

// Whose calls a rule counts: the whole traced tree (default), each process, or each thread.
enum class Scope : std::uint8_t { tree, process, thread };

std::string_view scope_name(Scope scope);

// The call is not run; it returns -1 with this errno (a positive number, 1..4095).
struct FailWithErrno {
    int error = 0;
    bool operator==(const FailWithErrno&) const = default;
};

// The call is not run; it returns this value, 64 bits as strace's retval= reads them. One that
// reads as -4095..-1 is an error return, as the kernel's own are.
struct ReturnValue {
    std::int64_t value = 0;
    bool operator==(const ReturnValue&) const = default;
};

// The call runs as the program made it: the action of a rule that only delays calls, sends a
// signal at them or writes into their memory (poke).
struct RunCall {
    bool operator==(const RunCall&) const = default;
};

// The call really runs, with its byte count cut to `bytes` when it asked for more: a true short
// read or write (for a call on an iovec array, the bytes of all its entries together). A call
// that asked for no more than `bytes` runs untouched.
struct ShortenTo {
    std::uint64_t bytes = 0;
    bool operator==(const ShortenTo&) const = default;
};

using Action = std::variant<FailWithErrno, ReturnValue, RunCall, ShortenTo>;

// What a power cut (lose_unsynced = true) loses of the changes not yet synced: all of them
// (the strict model: only synced data survives), or all but a prefix drawn from the seed
// (mode = "prefix": the changes in the order they were made, the last kept one maybe torn).
enum class UnsyncedLoss : std::uint8_t { all, prefix };
// Bytes written into the program's memory where argument `argument` (1..7, strace's @argN)
// points: strace's poke_enter (before the call runs) and poke_exit (after it returned).
struct Poke {
    unsigned argument = 1;
    std::vector<std::uint8_t> bytes;
    bool operator==(const Poke&) const = default;
};

// What a rule does to a call it fires on, kept as one value from the rule to the record of
// each injection.
struct Effect {
    Action action;
    // A signal sent (tgkill) to the thread making the call, at that call (strace's signal=).
    // With RunCall it is sent as the call starts and the call runs, as under strace: SIGKILL,
    // which kills a traced thread at once, ends it before the call did anything (a crash
    // point). With an error or a retval the call does not run and returns that; with ShortenTo
    // the call runs, cut, and the signal follows it.
    std::optional<int> signal{};
    // How long the calling thread is held, stopped, before its call goes on (`delay`,
    // strace's delay_enter), and after the call ran, before the program sees its result
    // (strace's delay_exit). Every other thread and process runs on meanwhile. Without error,
    // retval or signal the action is RunCall: the call really runs. With a signal, the signal
    // is sent when the last wait ends.
    std::optional<std::chrono::microseconds> delay{};
    std::optional<std::chrono::microseconds> delay_exit{};
    // With a SIGKILL crash point only: once the program is dead, what it changed in files and
    // directories since their last sync is undone, as a power cut would leave the disk.
    std::optional<UnsyncedLoss> lose_unsynced{};
    // Written into the program's memory before the call runs, and after it returned.
    std::vector<Poke> poke_enter{};
    std::vector<Poke> poke_exit{};
    // strace's syscall=: a call that does not run (error or retval) runs this harmless one
    // (strace's %pure: getpid, gettid, ...) instead of none, and then gets its result as usual.
    std::optional<std::string> instead{};
    // With error or retval: the call really runs first, then its result is replaced (`run`).
    // None: only close runs so, since Linux releases the fd whatever close returns and a
    // skipped close would leave it open.
    std::optional<bool> run_first{};

    bool operator==(const Effect&) const = default;
};

struct Rule {
    // Validated, as the user wrote them. The rule keeps one count per syscall they stand for.
    SyscallNames syscalls;
    Effect effect;
    When when;
    Scope per = Scope::tree;
    // The chance, 0 < P <= 1, that a call `when` picks fails; none means every one does. The
    // draw for a call is a function of the run's seed, the rule's index and the call's number
    // in the rule's count, so a seed repeats a run.
    std::optional<double> probability;
    // Where the rule was written, for messages: "enospc.toml:4:1" or "--inject write:error=EIO".
    std::string origin;

    // Filters: the rule counts only the calls that pass every one it has (see README
    // "Filters"). A glob over the call's paths, made absolute and normalised: its path
    // arguments, or the files its fd arguments refer to; "**" is any number of components.
    std::optional<std::string> path{};
    // The call's file descriptor argument (not a dirfd) equals this.
    std::optional<int> fd{};
    // A glob over the calling program's name: /proc/PID/comm or the basename of its exe.
    std::optional<std::string> process{};
    // Where the call comes from: a function on its stack ("notes::save*"), a source file or
    // line ("notes.cpp:42"), or an offset in a module ("libfoo.so+0x1a2b"); the call passes
    // when some frame of its stack is what the glob names.
    std::optional<std::string> caller{};

    bool has_filters() const noexcept { return path || fd || process || caller; }
};

// The rule in --inject syntax, keys in a fixed order: "write,pwrite64:error=ENOSPC:when=3".
// Parsing the text again gives the same rule (except origin).
std::string to_spec(const Rule& rule);

// A probability as to_spec writes it: the shortest decimal that reads back as the same
// double ("0.05", "1").
std::string format_probability(double probability);

// "error=ENOSPC", "retval=0" or "short=10"; "" for RunCall, which is no key but the absence of
// one.
std::string to_string(const Action& action);

}  // namespace inject
