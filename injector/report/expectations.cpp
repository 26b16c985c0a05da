#include "report/expectations.hpp"

#include <re2/re2.h>

#include <memory>
#include <stdexcept>

#include "report/wording.hpp"
#include "syscalls/bounded_regex.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/signals.hpp"
#include "syscalls/text.hpp"

namespace inject::report {
namespace {

using text::duration_text;

using text::escaped;

std::string describe_text(std::string_view stream, const TextExpectation& wanted) {
    if (wanted.is_regex) {
        return std::string(stream) + " matching /" + text::one_line(wanted.text) + "/";
    }
    if (wanted.text.empty()) {
        return std::string(stream) + " empty";
    }
    return std::string(stream) + " containing \"" + escaped(wanted.text) + "\"";
}

// RE2 matches in time linear in the output and compiles with an explicit stack and a bounded
// program, so no pattern or output can crash inject or hold it for long: what it cannot do
// in its memory bound, or nests deeper than its limit, it refuses when the scenario is read.
// Multi-line: ^ and $ also match at line ends, as in grep.
const RE2::Options& regex_options() {
    static const RE2::Options options = text::bounded_regex_options();
    return options;
}

// The pattern as it is searched: multi-line, which the flag in front of it gives (RE2's
// one_line option only applies to its POSIX syntax).
std::unique_ptr<RE2> compiled(std::string_view pattern) {
    return std::make_unique<RE2>("(?m)" + std::string(pattern), regex_options());
}

// What a run killed at its time limit failed: its timeout, or finishing at all, and whose
// limit it was when not the expectations' own.
std::string timed_out_failure(const Expectations& expectations,
                              const std::optional<RunTimeout>& run_timeout) {
    if (!run_timeout && !expectations.timeout) {
        return "the program to finish, but it was killed at the run's time limit";
    }
    const std::chrono::milliseconds limit =
        run_timeout ? run_timeout->limit : *expectations.timeout;
    const std::string killed = "but it was killed after " + duration_text(limit);
    const std::string whose = run_timeout && run_timeout->from == "--timeout"
                                  ? " (--timeout)"
                                  : " (another scenario's timeout)";
    if (!expectations.timeout) {
        return "the program to finish, " + killed + whose;
    }
    const std::string wanted = "finished within " + duration_text(*expectations.timeout) + ", ";
    return wanted + killed + (*expectations.timeout > limit ? whose : "");
}

// " (only the last 16777216 of 1000000000 bytes written were kept)" when the capture was cut
// (RunOptions::max_captured_output): what was looked for may have been in the rest.
std::string kept_part(std::string_view seen, std::uint64_t written) {
    if (written <= seen.size()) {
        return "";
    }
    return " (only the last " + std::to_string(seen.size()) + " of " + std::to_string(written) +
           " bytes written were kept)";
}

// The faults the scope's rules injected: all of them for a scenario run alone.
std::uint64_t faults_of(const CheckScope& scope, const RunResult& result) {
    if (scope.first_rule == 0 && scope.rule_count >= result.injected.size()) {
        return result.injection_count;
    }
    std::uint64_t faults = 0;
    for (std::size_t index = scope.first_rule;
         index < result.injected.size() && index - scope.first_rule < scope.rule_count; ++index) {
        faults += result.injected[index];
    }
    return faults;
}

// "1 fault injected, got 0 (...)": with several scenarios in the run, whose faults they were.
std::optional<std::string> injected_failure(std::uint64_t wanted, const CheckScope& scope,
                                            const RunResult& result) {
    const std::uint64_t own = faults_of(scope, result);
    if (own == wanted) {
        return std::nullopt;
    }
    std::string line = plural(wanted, "fault", "faults") + " injected, got " + std::to_string(own);
    if (const std::uint64_t others =
            result.injection_count > own ? result.injection_count - own : 0;
        others > 0) {
        line += " by its own rules, and " + std::to_string(others) + " by the run's other rules";
    }
    if (own == 0) {
        line += " (a fault that never fired proves nothing)";
    }
    return line;
}

}  // namespace

void check_text_regex(std::string_view pattern) {
    if (pattern.size() > kMaxRegexLength) {
        throw std::invalid_argument("regex is " + std::to_string(pattern.size()) +
                                    " bytes long, more than the " +
                                    std::to_string(kMaxRegexLength) + " inject reads");
    }
    // Compiled as written first, so that RE2's reason quotes the user's pattern, not the
    // flag put in front of it; a flag changes neither what parses nor what it costs.
    const RE2 as_written(pattern, regex_options());
    if (!as_written.ok()) {
        throw std::invalid_argument(text::one_line(as_written.error()));
    }
    if (const std::unique_ptr<RE2> regex = compiled(pattern); !regex->ok()) {
        throw std::invalid_argument(text::one_line(regex->error()));
    }
}

bool text_found(const TextExpectation& wanted, std::string_view output) {
    if (wanted.is_regex) {
        const std::unique_ptr<RE2> regex = compiled(wanted.text);
        if (!regex->ok()) {
            throw std::runtime_error("invalid regex: " + regex->error());
        }
        return RE2::PartialMatch(output, *regex);
    }
    if (wanted.text.empty()) {
        return output.empty();
    }
    return output.find(wanted.text) != std::string_view::npos;
}

std::string quote_output(std::string_view output) {
    if (output.empty()) {
        return "nothing";
    }
    if (output.size() <= kQuotedOutput) {
        return "\"" + escaped(output) + "\"";
    }
    std::string_view tail = output.substr(output.size() - kQuotedOutput);
    // Start on a whole UTF-8 character.
    while (!tail.empty() && (static_cast<unsigned char>(tail.front()) & 0xc0) == 0x80) {
        tail.remove_prefix(1);
    }
    return "(last " + std::to_string(tail.size()) + " of " + std::to_string(output.size()) +
           " bytes) \"" + escaped(tail) + "\"";
}

std::string describe_end(const RunResult& result) {
    if (result.signal) {
        return "signal " + signal_name(*result.signal);
    }
    if (result.exit_code) {
        return "exit code " + std::to_string(*result.exit_code);
    }
    return "no exit status";
}

std::vector<std::string> describe_expectations(const Expectations& expectations) {
    std::vector<std::string> lines;
    if (expectations.exit_code) {
        lines.push_back("exit_code " + std::to_string(*expectations.exit_code));
    }
    if (expectations.signal) {
        lines.push_back("signal " +
                        (*expectations.signal == 0 ? "none" : signal_name(*expectations.signal)));
    }
    if (expectations.stdout_text) {
        lines.push_back(describe_text("stdout", *expectations.stdout_text));
    }
    if (expectations.stderr_text) {
        lines.push_back(describe_text("stderr", *expectations.stderr_text));
    }
    if (expectations.injected) {
        lines.push_back(plural(*expectations.injected, "fault", "faults") + " injected");
    }
    if (expectations.timeout) {
        lines.push_back("finished within " + duration_text(*expectations.timeout));
    }
    return lines;
}

ExpectationOutcome check_expectations(const Expectations& expectations, const RunResult& result,
                                      const CheckScope& scope) {
    const std::optional<RunTimeout>& run_timeout = scope.run_timeout;
    ExpectationOutcome outcome;
    outcome.stated = describe_expectations(expectations).size();
    std::vector<std::string>& failures = outcome.failures;

    if (result.timed_out) {
        failures.push_back(timed_out_failure(expectations, run_timeout));
        return outcome;
    }

    if (expectations.exit_code && result.exit_code != expectations.exit_code) {
        std::string line =
            "exit_code " + std::to_string(*expectations.exit_code) + ", got " +
            (result.exit_code ? std::to_string(*result.exit_code) : describe_end(result));
        // A shell shows death by signal N as status 128+N; say how to expect that instead.
        if (result.signal && *expectations.exit_code == 128 + *result.signal) {
            line += " (shells show it as " + std::to_string(*expectations.exit_code) +
                    "; expect it with signal = \"" + signal_name(*result.signal) + "\")";
        }
        failures.push_back(std::move(line));
    }
    if (expectations.signal) {
        const int wanted = *expectations.signal;
        const std::string want =
            "signal " + (wanted == 0 ? std::string("none") : signal_name(wanted)) + ", got ";
        if (wanted == 0 && result.signal) {
            failures.push_back(want + signal_name(*result.signal));
        } else if (wanted != 0 && result.signal != wanted) {
            failures.push_back(
                want + (result.signal ? signal_name(*result.signal) : describe_end(result)));
        }
    }
    const auto check_text = [&](std::string_view stream,
                                const std::optional<TextExpectation>& wanted,
                                const std::string& seen, std::uint64_t written) {
        if (!wanted) {
            return;
        }
        try {
            if (!text_found(*wanted, seen)) {
                failures.push_back(describe_text(stream, *wanted) + ", got " + quote_output(seen) +
                                   kept_part(seen, written));
            }
        } catch (const std::runtime_error& e) {
            failures.push_back(describe_text(stream, *wanted) + ", but " + e.what());
        }
    };
    check_text("stdout", expectations.stdout_text, result.captured_stdout, result.stdout_bytes);
    check_text("stderr", expectations.stderr_text, result.captured_stderr, result.stderr_bytes);
    if (expectations.injected) {
        if (auto line = injected_failure(*expectations.injected, scope, result)) {
            failures.push_back(std::move(*line));
        }
    }
    // A run that was not killed finished within its timeout: nothing more to check.
    return outcome;
}

void write_outcome(std::ostream& out, std::string_view source, const ExpectationOutcome& outcome) {
    for (const std::string& failure : outcome.failures) {
        out << "inject: expect: " << failure << '\n';
    }
    if (outcome.passed()) {
        out << "inject: PASS: " << source << '\n';
    } else {
        out << "inject: FAIL: " << source << " (" << outcome.failures.size() << " of "
            << plural(outcome.stated, "expectation", "expectations") << " failed)\n";
    }
}

std::vector<CheckScope> scenario_scopes(const std::vector<Scenario>& scenarios,
                                        const std::optional<RunTimeout>& run_timeout) {
    std::vector<CheckScope> scopes;
    std::size_t first_rule = 0;
    for (const Scenario& scenario : scenarios) {
        scopes.push_back({first_rule, scenario.rules.size(), run_timeout});
        first_rule += scenario.rules.size();
    }
    return scopes;
}

}  // namespace inject::report

namespace inject {

std::vector<std::string> check(const Expectations& expectations, const RunResult& result,
                               const CheckScope& scope) {
    return report::check_expectations(expectations, result, scope).failures;
}

}  // namespace inject
