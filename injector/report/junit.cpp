#include "report/junit.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "report/expectations.hpp"
#include "syscalls/text.hpp"

namespace inject::report {
namespace {

using text::utf8_sequence;

bool is_xml_char(std::uint32_t c) {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", seconds < 0 ? 0.0 : seconds);
    return text;
}

std::string attribute(std::string_view name, std::string_view value) {
    return " " + std::string(name) + "=\"" + xml_escape(value, true) + "\"";
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) {
        text += line;
        text += '\n';
    }
    return text;
}

// The last kJunitOutput bytes of what was captured, after a line saying what is left out
// when the program wrote more.
std::string shown_output(std::string_view captured, std::uint64_t written) {
    const std::string_view shown =
        captured.substr(captured.size() - std::min(captured.size(), kJunitOutput));
    written = std::max<std::uint64_t>(written, captured.size());
    if (written == shown.size()) {
        return std::string(shown);
    }
    return "[inject: the first " + std::to_string(written - shown.size()) + " of " +
           std::to_string(written) + " bytes are left out]\n" + std::string(shown);
}

bool is_spec(const Scenario& scenario) {
    return scenario.source.starts_with("--inject ");
}

// A testcase of the whole command line: the -e specs, then the program.
JunitCase command_case(const std::vector<Scenario>& scenarios,
                       const std::vector<std::string>& command) {
    JunitCase testcase;
    testcase.name = "inject";
    for (const Scenario& scenario : scenarios) {
        if (is_spec(scenario)) {
            testcase.name += " -e " + scenario.source.substr(std::string_view("--inject ").size());
        }
    }
    testcase.name += " --";
    for (const std::string& word : command) {
        testcase.name += " " + word;
    }
    const std::string program =
        command.empty() ? std::string() : std::filesystem::path(command[0]).filename().string();
    testcase.classname = "inject." + (program.empty() ? std::string("command") : program);
    return testcase;
}

JunitCase scenario_case(const Scenario& scenario) {
    JunitCase testcase;
    testcase.name = scenario.description.empty() ? scenario.source : scenario.description;
    testcase.classname = "inject." + std::filesystem::path(scenario.source).stem().string();
    return testcase;
}

// The testcases, in command-line order, with the command line's own one last. `fill` is given
// each testcase with the index of its scenario, or none for the command line's.
template <typename Fill>
std::vector<JunitCase> cases_of(const std::vector<Scenario>& scenarios,
                                const std::vector<std::string>& command, Fill&& fill) {
    std::vector<JunitCase> cases;
    bool has_spec = false;
    for (std::size_t index = 0; index < scenarios.size(); ++index) {
        if (is_spec(scenarios[index])) {
            has_spec = true;
            continue;
        }
        cases.push_back(scenario_case(scenarios[index]));
        fill(cases.back(), std::optional<std::size_t>(index));
    }
    if (has_spec || cases.empty()) {
        cases.push_back(command_case(scenarios, command));
        fill(cases.back(), std::optional<std::size_t>());
    }
    return cases;
}

}  // namespace

std::string xml_escape(std::string_view text, bool in_attribute) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        std::uint32_t c = 0;
        const std::size_t length = utf8_sequence(text, c);
        if (length == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            text.remove_prefix(1);
            continue;
        }
        const std::string_view bytes = text.substr(0, length);
        text.remove_prefix(length);
        if (!is_xml_char(c)) {
            continue;
        }
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\r':
                out += "&#13;";  // a parser turns a raw CR (and CRLF) into LF
                break;
            case '\t':
            case '\n':
                if (in_attribute) {
                    out += c == '\t' ? "&#9;" : "&#10;";
                } else {
                    out += bytes;
                }
                break;
            default:
                out += bytes;
        }
    }
    return out;
}

std::vector<JunitCase> junit_cases(const std::vector<Scenario>& scenarios,
                                   const std::vector<std::string>& command, const RunResult& result,
                                   const std::optional<RunTimeout>& run_timeout, double seconds) {
    const std::vector<CheckScope> scopes = scenario_scopes(scenarios, run_timeout);
    return cases_of(
        scenarios, command, [&](JunitCase& testcase, std::optional<std::size_t> scenario) {
            Expectations expectations;
            if (scenario && scenarios[*scenario].expect) {
                expectations = *scenarios[*scenario].expect;
            } else {
                expectations.exit_code = 0;
            }
            CheckScope whole_run;  // the command line's testcase: every rule
            whole_run.run_timeout = run_timeout;
            testcase.failures =
                check_expectations(expectations, result, scenario ? scopes[*scenario] : whole_run)
                    .failures;
            testcase.seconds = seconds;
            testcase.system_out = shown_output(result.captured_stdout, result.stdout_bytes);
            testcase.system_err = shown_output(result.captured_stderr, result.stderr_bytes);
        });
}

std::vector<JunitCase> junit_error_cases(const std::vector<Scenario>& scenarios,
                                         const std::vector<std::string>& command,
                                         const std::string& message) {
    return cases_of(scenarios, command, [&](JunitCase& testcase, std::optional<std::size_t>) {
        testcase.error = message;
    });
}

std::string junit_xml(const std::vector<JunitCase>& cases, double seconds) {
    std::size_t failures = 0;
    std::size_t errors = 0;
    for (const JunitCase& testcase : cases) {
        failures += testcase.error ? 0 : testcase.failures.empty() ? 0 : 1;
        errors += testcase.error ? 1 : 0;
    }
    const std::string counts = attribute("tests", std::to_string(cases.size())) +
                               attribute("failures", std::to_string(failures)) +
                               attribute("errors", std::to_string(errors));
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml += "<testsuites" + attribute("name", "inject") + counts +
           attribute("time", seconds_text(seconds)) + ">\n";
    xml += "  <testsuite" + attribute("name", "inject") + counts + attribute("skipped", "0") +
           attribute("time", seconds_text(seconds)) + ">\n";
    for (const JunitCase& testcase : cases) {
        xml += "    <testcase" + attribute("name", testcase.name) +
               attribute("classname", testcase.classname) +
               attribute("time", seconds_text(testcase.seconds)) + ">\n";
        if (testcase.error) {
            xml += "      <error" + attribute("message", *testcase.error) +
                   attribute("type", "launch") + ">" + xml_escape(*testcase.error, false) +
                   "</error>\n";
        } else if (!testcase.failures.empty()) {
            xml += "      <failure" + attribute("message", testcase.failures.front()) +
                   attribute("type", "expectation") + ">" +
                   xml_escape(join_lines(testcase.failures), false) + "</failure>\n";
        }
        if (!testcase.system_out.empty()) {
            xml +=
                "      <system-out>" + xml_escape(testcase.system_out, false) + "</system-out>\n";
        }
        if (!testcase.system_err.empty()) {
            xml +=
                "      <system-err>" + xml_escape(testcase.system_err, false) + "</system-err>\n";
        }
        xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n</testsuites>\n";
    return xml;
}

}  // namespace inject::report
