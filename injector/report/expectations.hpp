// Checking a scenario's [expect] table against how the run went, and saying so.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "inject/check.hpp"
#include "inject/expect.hpp"
#include "inject/run.hpp"
#include "inject/scenario.hpp"

namespace inject::report {

// A "/regex/" of stdout or stderr is RE2's syntax (no backreferences, no lookaround), searched
// in the output in linear time, with ^ and $ also matching at line ends, as in grep. Its
// length and the memory its compiled form takes are bounded, so that no pattern can crash or
// stall inject.
inline constexpr std::size_t kMaxRegexLength = 64 * 1024;

// Throws std::invalid_argument, with the bare reason as one line, for a pattern that is not
// a regex inject can search: RE2 refuses it (a syntax error, nesting deeper than RE2's limit
// of 1000, a compiled form over text::kMaxRegexMemory), or it is longer than kMaxRegexLength.
void check_text_regex(std::string_view pattern);

// What each stated expectation asks for, in a fixed order (exit_code, signal, stdout,
// stderr, injected, timeout): "exit_code 1", "signal none", "stderr containing \"x\"",
// "stdout matching /^ok$/", "1 fault injected", "finished within 2s".
std::vector<std::string> describe_expectations(const Expectations& expectations);

// The outcome of one scenario's expectations.
struct ExpectationOutcome {
    std::size_t stated = 0;             // how many expectations the scenario has
    std::vector<std::string> failures;  // one line per failed one, without "inject: expect: "
    bool passed() const { return failures.empty(); }
};

// Checks the expectations against the run, as inject::check does (see inject/check.hpp), and
// says how many were stated.
ExpectationOutcome check_expectations(const Expectations& expectations, const RunResult& result,
                                      const CheckScope& scope);

// The scope of each scenario of a run in which they were given in this order, their rules one
// after the other: its own rules, and the run's time limit.
std::vector<CheckScope> scenario_scopes(const std::vector<Scenario>& scenarios,
                                        const std::optional<RunTimeout>& run_timeout);

// "inject: expect: LINE" for each failure, then "inject: PASS: SOURCE" or
// "inject: FAIL: SOURCE (N of M expectations failed)".
void write_outcome(std::ostream& out, std::string_view source, const ExpectationOutcome& outcome);

// Whether output holds the text: a substring, a regex searched in it, or, for "", nothing
// at all. Throws std::runtime_error for a regex check_text_regex would refuse.
bool text_found(const TextExpectation& wanted, std::string_view output);

// What was seen, as one line for a message: quoted and escaped, "nothing" when empty, and
// only its last kQuotedOutput bytes when longer (the end is where errors are reported).
inline constexpr std::size_t kQuotedOutput = 200;
std::string quote_output(std::string_view output);

// How a run ended, as a phrase: "exit code 0", "signal SIGSEGV".
std::string describe_end(const RunResult& result);

}  // namespace inject::report
