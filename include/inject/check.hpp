// Checking a scenario's [expect] table against a run: the verdict inject prints after a run,
// for a C++ test that runs the program itself (inject::run) and wants the same one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inject/expect.hpp"
#include "inject/run.hpp"

namespace inject {

// The time limit a run was given (RunOptions::timeout), and whose it was: "--timeout", or the
// source of the scenario whose [expect] timeout it was. It words the failure of a run killed
// at it: "the program to finish, but it was killed after 2s (--timeout)".
struct RunTimeout {
    std::chrono::milliseconds limit{};
    std::string from;
};

// What a scenario's expectations are checked against besides the result.
struct CheckScope {
    // The scenario's own rules among those the run was given: `injected` counts the faults of
    // RunResult::injected[first_rule, first_rule + rule_count) only, so that in a run of
    // several scenarios each counts its own. The default, every rule, fits a run of the
    // scenario alone.
    std::size_t first_rule = 0;
    std::size_t rule_count = SIZE_MAX;
    // The run's time limit, when it may be another's than the expectations' own timeout.
    std::optional<RunTimeout> run_timeout;
};

// The expectations that did not hold, one line each, as inject prints them after
// "inject: expect: " ("exit_code 1, got 0"); empty when they all held. A run killed at its
// time limit fails its timeout (or, without one, "the program to finish") and nothing else is
// checked: how it ended and what it wrote were cut short by inject. Output expectations need
// the output captured (RunOptions::capture_output; run(scenario, ...) does it).
std::vector<std::string> check(const Expectations& expectations, const RunResult& result,
                               const CheckScope& scope = {});

}  // namespace inject
