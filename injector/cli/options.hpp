// The command line as inject reads it: its own options, then the program and its arguments,
// which inject never reads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "inject/rule.hpp"

namespace inject::cli {

// A mistake on the command line; what() is one line, without the "inject: " prefix.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// What the invocation asks for: the first of these that is given wins, as in the list.
enum class Mode : std::uint8_t {
    help,           // -h: the usage and the options
    version,        // -V
    list_syscalls,  // --list-syscalls
    list_errnos,    // --list-errnos
    check,          // --check: validate and print the rules, run nothing
    explore,        // --explore: every failure point of PROGRAM in a run of its own
    attach,         // -p PID: trace running processes
    run,            // start PROGRAM traced
};

struct Options {
    Mode mode = Mode::run;
    // -s FILE and -e SPEC in the order given: rule order decides which rule fires first.
    struct RuleSource {
        enum class Kind { scenario_file, spec } kind;
        std::string text;
    };
    std::vector<RuleSource> rule_sources;
    std::optional<std::uint64_t> seed;
    std::optional<std::string> junit;                  // --junit FILE
    std::optional<std::string> report;                 // --report FILE
    std::optional<std::string> output;                 // -o FILE: the syscall log
    std::optional<SyscallNames> trace;                 // -e trace=SET: the calls the log shows
    std::optional<std::chrono::milliseconds> timeout;  // --timeout DURATION
    std::optional<std::uint64_t> undo_limit;           // --undo-limit SIZE, in bytes
    bool quiet = false;
    bool stack = false;  // -k: the log's calls with their stacks
    bool no_seccomp = false;
    bool no_notify = false;
    std::vector<std::string> command;  // PROGRAM [ARG...]
    std::vector<pid_t> attach;         // -p PID, in the order given
    // Plain runs and --explore: a fresh copy of the fixture to run in, a check after the run.
    std::optional<std::string> fixture;  // --fixture DIR
    std::optional<std::string> after;    // --after CMD
    // --explore only.
    struct Exploration {
        bool by_call = false;                       // --explore-by call (default: site)
        std::optional<std::size_t> max_runs;        // --max-runs N
        std::optional<unsigned> jobs;               // -j N
        bool startup = false;                       // --explore-startup
        std::optional<std::string> save_scenarios;  // --save-scenarios DIR
        bool any_given = false;  // one of these was given (refused without --explore)
    } exploration;
};

// Throws UsageError.
Options parse_command_line(const std::vector<std::string>& arguments);

// What -h prints: the usage lines and every option.
void write_help(std::ostream& out);

}  // namespace inject::cli
