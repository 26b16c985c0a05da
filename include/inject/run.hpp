// Running a program under rules: the library entry point used by the CLI and by tests.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "inject/abi.hpp"
#include "inject/launch_error.hpp"
#include "inject/rule.hpp"
#include "inject/scenario.hpp"
#include "inject/stack.hpp"
#include "inject/syscall_log.hpp"

namespace inject {

namespace detail {

// A pipe a signal handler writes a byte to, without blocking (async-signal-safe), for a waiter
// that polls its read end.
class SignalPipe {
  public:
    SignalPipe();  // throws std::system_error when no pipe can be made
    ~SignalPipe();
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    void post(unsigned char byte) noexcept;
    int readable_fd() const noexcept { return read_fd_; }

  private:
    int read_fd_ = -1;
    int write_fd_ = -1;
};

}  // namespace detail

// Asks a running attach() to let its processes go on untraced, and return. request() is
// async-signal-safe: the CLI calls it from its SIGINT, SIGQUIT, SIGTERM and SIGHUP handlers.
// Once requested it stays requested, so use one per attach() call.
class DetachRequest {
  public:
    void request() noexcept;
    bool requested() const noexcept { return requested_.load(); }
    // Readable once requested: how attach() notices while it waits for its tracees.
    int readable_fd() const noexcept { return pipe_.readable_fd(); }

  private:
    static_assert(std::atomic<bool>::is_always_lock_free, "request() must be signal-safe");
    std::atomic<bool> requested_{false};
    detail::SignalPipe pipe_;
};

// Passes signals on to every process a running run() traces, as they come. forward() is
// async-signal-safe: the CLI calls it from its SIGTERM and SIGHUP handlers. Only the processes
// traced at that moment get the signal: never the reused PID of one that has been reaped.
class SignalForwarder {
  public:
    void forward(int signal) noexcept { pipe_.post(static_cast<unsigned char>(signal)); }
    int readable_fd() const noexcept { return pipe_.readable_fd(); }

  private:
    detail::SignalPipe pipe_;
};

struct Injection;

struct RunOptions {
    // Install a seccomp-bpf filter so that only the syscalls some rule names stop.
    // Off: every syscall stops (slower, but needs no filter).
    bool use_seccomp = true;
    // With the filter, the picked calls that need nothing of ptrace (see inject(1), "Which way
    // a call reaches inject") reach inject as seccomp user notifications, answered without a
    // ptrace stop. Off, or on a kernel without them (before Linux 5.19), every picked call
    // stops by ptrace, as with syscall_log set.
    bool use_notify = true;
    // Called with the program's pid once it is running traced (the CLI uses it to forward
    // SIGTERM and SIGHUP to the program). attach() calls it with each process once all are
    // seized.
    std::function<void(pid_t)> on_start;
    // attach() only: when requested, every process is let go and attach() returns. Without
    // one it returns when every traced process has ended.
    DetachRequest* detach = nullptr;
    // run() only: the signals sent to it go to every process the run traces.
    SignalForwarder* forward_signals = nullptr;
    // Capture the program's stdout and stderr into the result. With pass_through they also
    // still reach inject's own stdout and stderr, as they are produced.
    bool capture_output = false;
    bool pass_through = true;
    // Of each, only the last this many bytes are kept (all are counted, and all passed
    // through): a program that writes without end must not fill inject's memory.
    std::size_t max_captured_output = std::size_t{16} << 20;
    // Kill the program and everything it started when the run takes longer than this.
    std::optional<std::chrono::milliseconds> timeout;
    // At most this many injections are kept in RunResult::injections (the first ones);
    // all are counted. Keeps memory flat when a rule fires on a hot syscall.
    std::size_t max_recorded_injections = 1000;
    // Called with every injection as it fires, recorded or not, on the thread that called
    // run(): what needs them all (inject's --report) takes them here, one at a time, instead
    // of raising max_recorded_injections.
    std::function<void(const Injection&)> on_injection;
    // Keys the draws of rules with a probability: the same seed fails the same calls. When
    // unset, run(scenario, ...) uses the scenario's seed, and 0 otherwise.
    std::optional<std::uint64_t> seed;
    // The syscall log: called with every call that stops (with the seccomp filter, those some
    // rule names; without it, all of them), in the order they return, on the thread that called
    // run(). syscall_log_line(record) makes the line `inject -o FILE` writes. Setting it makes
    // each such call stop at its exit too, and its arguments be read from the program.
    std::function<void(const SyscallRecord&)> syscall_log;
    // With syscall_log: each record carries its call's stack (strace -k).
    bool log_stacks = false;
    // With a lose_unsynced rule: the most old bytes kept on disk (in a temporary directory)
    // to undo unsynced changes; past it the run is stopped with a note (--undo-limit).
    std::uint64_t undo_limit = std::uint64_t{1} << 30;
    // With syscall_log, strace's -e trace=SET: the calls the log shows. They stop (with the
    // filter too) whether or not a rule names them, and no other call is logged. Unset: every
    // call that stops is. Without syscall_log it changes nothing.
    std::optional<SyscallNames> traced;
};

// One fault that fired.
struct Injection {
    std::size_t rule_index = 0;  // into the rules given to run()
    std::string syscall;
    Abi abi = Abi::x86_64;
    std::uint64_t nth = 0;  // the call's number in the rule's count
    pid_t pid = 0;
    pid_t tid = 0;
    // What was done to the call: its rule's effect. `at` is when the call was picked, so when
    // its first wait (Effect::delay) began.
    Effect effect;
    // When it fired, since the engine adopted the program (steady clock).
    std::chrono::nanoseconds at{};
    // The file the call touched, absolute: the path its rule's filter matched, else its first
    // path argument, else the file its fd refers to; none when the call has none or it could
    // not be read.
    std::optional<std::string> path{};
    // Where the call came from, innermost frame first (see stack.hpp); empty when the stack
    // could not be unwound.
    std::vector<StackFrame> stack{};
};

// A change a power cut (a rule with lose_unsynced) undid: one the program had made to a file
// or a directory since it was last synced.
struct UndoneChange {
    std::string kind;  // "write", "truncate", "fallocate", "create", "remove", "rename", "exchange"
    std::string path;
    std::string from;  // a rename's name before it; empty otherwise
    // A data change's range (bytes put back as they were, the size restored); with a kept
    // prefix (mode = "prefix"), the part of a torn write that was undone.
    std::optional<std::uint64_t> offset{};
    std::optional<std::uint64_t> length{};
    std::string error{};  // why it could not be undone; empty when it was
};

// What the power cut did, when a lose_unsynced rule fired.
struct PowerCut {
    std::vector<UndoneChange> undone;  // oldest change first
    std::uint64_t kept_changes = 0;    // mode = "prefix": the unsynced changes kept
    // The old bytes kept on disk while the program ran: at most, and when it was cut.
    std::uint64_t undo_bytes_peak = 0;
    std::uint64_t undo_bytes_at_cut = 0;
};

struct RunResult {
    // How the program ended: exactly one of these is set.
    std::optional<int> exit_code;
    std::optional<int> signal;
    std::vector<Injection> injections;    // the first RunOptions::max_recorded_injections
    std::uint64_t injection_count = 0;    // all of them
    std::vector<std::uint64_t> matched;   // per rule: the calls it counted
    std::vector<std::uint64_t> injected;  // per rule: the calls it failed (all, not only recorded)
    std::uint64_t syscall_stops = 0;      // syscall-related stops the engine handled
    std::uint64_t notified_calls = 0;     // of those, the calls that came as notifications
    bool seccomp_filter = false;          // whether the filter was installed
    std::vector<std::string> notes;       // things the user should know (one line each)
    // With RunOptions::capture_output: what the program wrote, its last
    // RunOptions::max_captured_output bytes, and how many it wrote in all.
    std::string captured_stdout;
    std::string captured_stderr;
    std::uint64_t stdout_bytes = 0;
    std::uint64_t stderr_bytes = 0;
    bool timed_out = false;             // killed at RunOptions::timeout (signal is then SIGKILL)
    std::vector<pid_t> attached;        // attach(): the processes traced, in the order given
    bool detached = false;              // attach(): let go while still running (on a DetachRequest)
    std::optional<PowerCut> power_cut;  // a lose_unsynced rule fired and the disk was cut
    std::uint64_t seed = 0;             // what the rules drew from (RunOptions::seed, or 0)
};

// The exit status inject reports for the result: the exit code, or 128+signal; 0 when the
// program was detached from before it ended.
int exit_status(const RunResult& result);

// Starts argv[0] (searched in PATH) traced from its first instruction, applies the rules
// until every traced process has ended, and returns how the program ended.
//
// The calling thread becomes the tracer and waits with waitpid(-1, __WALL) to see new
// tracees as they appear: a caller with children of its own that end meanwhile will find
// them reaped. While a rule's delay holds a call, it blocks SIGCHLD in itself and waits for
// it (its mask is restored after): another thread of the caller that leaves SIGCHLD unblocked
// may take it, and then the other tracees' stops wait until the delay ends.
RunResult run(const std::vector<Rule>& rules, const std::vector<std::string>& argv,
              const RunOptions& options = {});

// The same with a scenario's rules. Its seed, and its [expect] table's timeout and need for
// the output, apply when the options leave them unset (checking the expectations is the
// caller's business).
RunResult run(const Scenario& scenario, const std::vector<std::string>& argv,
              const RunOptions& options = {});

// Runs `body` in a forked child traced under the scenario, as a GoogleTest death test runs
// its statement, and returns how the child ended: body's return value is its exit code.
// Only the calls body makes are counted (the fork and the filter's set-up are not). Use it
// in single-threaded test code: the child is a fork of the caller.
RunResult run_function(const Scenario& scenario, const std::function<int()>& body,
                       const RunOptions& options = {});

// Traces processes that are already running, with every thread they have and every thread
// and child they start from then on, until they have all ended or options.detach is
// requested. A PID may name a thread: its whole process is traced. The first process is the
// program whose exit status the result holds; after a detach it has none.
//
// There is no seccomp filter (only a process can install one on itself): every syscall
// stops, which is slower. Calls are counted from the moment of attaching. A thread caught
// between a skipped call's entry and its exit is let go only after its result is written, so
// the process never sees a stray one. Processes it started before are not traced. It cannot
// capture their output nor time them out: capture_output and timeout are refused
// (std::invalid_argument), use_seccomp is ignored. Throws LaunchError (125) when a process
// does not exist or cannot be traced (the reason is in the message); those already seized are
// let go first. The calling thread is the tracer, as for run().
RunResult attach(const std::vector<Rule>& rules, const std::vector<pid_t>& pids,
                 const RunOptions& options = {});

// The same with a scenario's rules and seed (its [expect] table's timeout and output are not
// for attach(): checking its other expectations is the caller's business).
RunResult attach(const Scenario& scenario, const std::vector<pid_t>& pids,
                 const RunOptions& options = {});

}  // namespace inject
