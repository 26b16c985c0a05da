// The command line: options in, rules loaded, the program run, the summary out.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "inject/scenario.hpp"

namespace inject::cli {

// A mistake on the command line; what() is one line, without the "inject: " prefix.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Options {
    // -s FILE and -e SPEC in the order given: rule order decides which rule fires first.
    struct RuleSource {
        enum class Kind { scenario_file, spec } kind;
        std::string text;
    };
    std::vector<RuleSource> rule_sources;
    std::optional<std::uint64_t> seed;
    std::optional<std::string> junit;   // --junit FILE
    std::optional<std::string> report;  // --report FILE
    std::optional<std::string> output;  // -o FILE: the syscall log
    bool quiet = false;
    bool check = false;
    bool list_syscalls = false;
    bool list_errnos = false;
    bool no_seccomp = false;
    bool no_notify = false;
    bool help = false;
    bool version = false;
    std::vector<std::string> command;  // PROGRAM [ARG...]
    std::vector<pid_t> attach;         // -p PID, in the order given
};

// Throws UsageError.
Options parse_command_line(const std::vector<std::string>& arguments);

// The seed of the run's probability draws, and where it came from.
struct SeedChoice {
    enum class From { none, option, scenario, drawn };
    std::uint64_t value = 0;
    From from = From::none;
    std::string scenario;  // the file, with From::scenario
};

// --seed wins; else the seed of the first scenario that has one; else, only when some rule has
// a probability, `draw()` (a fresh seed, which the user must be told to repeat the run). With
// no probability and no seed given there is nothing to repeat: From::none, value 0.
SeedChoice choose_seed(const Options& options, const std::vector<Scenario>& scenarios,
                       const std::function<std::uint64_t()>& draw);

// A seed from getrandom(2).
std::uint64_t random_seed();

// The whole tool; returns its exit status (the program's, or one of exit_status.hpp).
int main(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

}  // namespace inject::cli
