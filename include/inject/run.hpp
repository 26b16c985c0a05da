// Running a program under rules: the library entry point used by the CLI and by tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "inject/abi.hpp"
#include "inject/rule.hpp"
#include "inject/scenario.hpp"
#include "inject/syscall_log.hpp"

namespace inject {

struct RunOptions {
    // Install a seccomp-bpf filter so that only the syscalls some rule names stop.
    // Off: every syscall stops (slower, but needs no filter).
    bool use_seccomp = true;
    // Called with the program's pid once it is running traced (the CLI uses it to forward
    // SIGTERM and SIGHUP to the program).
    std::function<void(pid_t)> on_start;
    // Capture the program's stdout and stderr into the result. With pass_through they also
    // still reach inject's own stdout and stderr, as they are produced.
    bool capture_output = false;
    bool pass_through = true;
    // Kill the program and everything it started when the run takes longer than this.
    std::optional<std::chrono::milliseconds> timeout;
    // At most this many injections are kept in RunResult::injections (the first ones);
    // all are counted. Keeps memory flat when a rule fires on a hot syscall.
    std::size_t max_recorded_injections = 1000;
    // Keys the draws of rules with a probability: the same seed fails the same calls. When
    // unset, run(scenario, ...) uses the scenario's seed, and 0 otherwise.
    std::optional<std::uint64_t> seed;
    // The syscall log: called with every call that stops (with the seccomp filter, those some
    // rule names; without it, all of them), in the order they return, on the thread that called
    // run(). syscall_log_line(record) makes the line `inject -o FILE` writes. Setting it makes
    // each such call stop at its exit too, and its arguments be read from the program.
    std::function<void(const SyscallRecord&)> syscall_log;
};

// One fault that fired.
struct Injection {
    std::size_t rule_index = 0;  // into the rules given to run()
    std::string syscall;
    Abi abi = Abi::x86_64;
    std::uint64_t nth = 0;  // the call's number in the rule's count
    pid_t pid = 0;
    pid_t tid = 0;
    Action action;
    // When it fired, since the engine adopted the program (steady clock).
    std::chrono::nanoseconds at{};
    std::optional<int> signal{};  // sent to the thread at the call, as the rule says
    // The file the call touched, absolute: the path its rule's filter matched, else its first
    // path argument, else the file its fd refers to; none when the call has none or it could
    // not be read.
    std::optional<std::string> path{};
    // The rule's waits, before the call went on and after it ran (see Rule); `at` is when the
    // call was picked, so when its first wait began.
    std::optional<std::chrono::microseconds> delay{};
    std::optional<std::chrono::microseconds> delay_exit{};
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
    bool seccomp_filter = false;          // whether the filter was installed
    std::vector<std::string> notes;       // things the user should know (one line each)
    std::string captured_stdout;          // with RunOptions::capture_output
    std::string captured_stderr;
    bool timed_out = false;  // killed at RunOptions::timeout (signal is then SIGKILL)
};

// The exit status inject reports for the result: the exit code, or 128+signal.
int exit_status(const RunResult& result);

// The program could not be started. exit_status() is 127 (not found) or 126 (not
// executable), or 125 when inject itself could not trace it.
class LaunchError : public std::runtime_error {
  public:
    LaunchError(const std::string& message, int exit_status)
        : std::runtime_error(message), exit_status_(exit_status) {}
    int exit_status() const noexcept { return exit_status_; }

  private:
    int exit_status_;
};

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

}  // namespace inject
