// The --report file: the whole run as JSON, for tools (every injection, not only the first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inject/rule.hpp"
#include "inject/run.hpp"
#include "report/expectations.hpp"

namespace inject::report {

// One scenario's [expect] table, checked.
struct CheckedExpectations {
    std::string source;
    ExpectationOutcome outcome;
};

struct ReportInput {
    std::string inject_version;
    std::vector<std::string> command;
    std::optional<std::uint64_t> seed;  // set when some rule has a probability
    const std::vector<Rule>* rules = nullptr;
    const RunResult* result = nullptr;
    std::vector<CheckedExpectations> expectations;  // "expectations" is left out when empty
};

// The report as indented JSON text ending in a newline (fields: README.md, "--report").
std::string json_report(const ReportInput& input);

}  // namespace inject::report
