// What an invocation will do, worked out before anything runs: the rules loaded from every
// -s and -e, the seed, the run's options, and every mistake found (so that a mistake never
// starts the program).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "inject/run.hpp"
#include "inject/scenario.hpp"
#include "report/expectations.hpp"

namespace inject::cli {

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

struct Plan {
    Options options;
    std::vector<Scenario> scenarios;  // one per -s and -e, in the order given
    std::vector<Rule> rules;          // all of theirs, in that order
    SeedChoice seed;
    // With expectations the scenarios are tests: their outcome, not the program's status, is
    // inject's.
    bool has_expectations = false;
    // The run's time limit: the smallest of --timeout and the scenarios' [expect] timeouts.
    std::optional<RunTimeout> timeout;
    RunOptions run_options;  // all but what the runner attaches (log, signals, detach)
};

// Loads the rules and checks everything that can be checked before the program starts: the
// mode's needs (a program, or what -p cannot do) and the output files (none may be another
// or a scenario). Throws UsageError, or ScenarioError for a mistake in a rule.
Plan make_plan(Options options);

// Whether any rule draws from the seed: a probability, or mode = "prefix" of a power cut.
bool draws_from_seed(const std::vector<Rule>& rules);

}  // namespace inject::cli
