// Checking a scenario's [expect] table against how the run went, and saying so.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "inject/check.hpp"
#include "inject/expect.hpp"
#include "inject/run.hpp"
#include "inject/scenario.hpp"

namespace inject::report {

// How "/regex/" is compiled, for searching the output here and for checking it when a scenario
// is read: ECMAScript, with ^ and $ also matching at line ends, as they do in grep.
inline constexpr std::regex_constants::syntax_option_type kTextRegexSyntax =
    std::regex::ECMAScript | std::regex::multiline;

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
// at all. Throws std::runtime_error when std::regex cannot search it (it recurses once per
// character repeated by a quantifier and runs out of stack on very long lines).
bool text_found(const TextExpectation& wanted, std::string_view output);

// What was seen, as one line for a message: quoted and escaped, "nothing" when empty, and
// only its last kQuotedOutput bytes when longer (the end is where errors are reported).
inline constexpr std::size_t kQuotedOutput = 200;
std::string quote_output(std::string_view output);

// How a run ended, as a phrase: "exit code 0", "signal SIGSEGV".
std::string describe_end(const RunResult& result);

}  // namespace inject::report
