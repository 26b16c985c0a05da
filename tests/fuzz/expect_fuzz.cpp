// A scenario's [expect] table, then checked against a run whose output is the input itself:
// accepted or refused with one located line, and every line that describes or checks the
// expectations is one line, searched in bounded time.
#include <string>

#include "inject/run.hpp"
#include "inject/scenario.hpp"
#include "promise.hpp"
#include "report/expectations.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view kFile = "fuzz.toml";
    const std::string_view body = inject::fuzz::as_text(data, size);
    try {
        const inject::Scenario scenario =
            inject::parse_scenario("[expect]\n" + std::string(body), kFile);
        if (!scenario.expect) {
            return 0;
        }
        for (const std::string& line : inject::report::describe_expectations(*scenario.expect)) {
            inject::fuzz::expect_one_line(line);
        }
        inject::RunResult result;
        result.exit_code = 0;
        result.captured_stdout = std::string(body);
        result.captured_stderr = std::string(body.substr(body.size() / 2));
        const inject::report::ExpectationOutcome outcome =
            inject::report::check_expectations(*scenario.expect, result, inject::CheckScope{});
        for (const std::string& failure : outcome.failures) {
            inject::fuzz::expect_one_line(failure);
        }
    } catch (const inject::ScenarioError& error) {
        inject::fuzz::expect_located(error.what(), kFile);
    }
    return 0;
}
