// Scenarios: TOML files (and --inject specs) turned into validated rules.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "inject/expect.hpp"
#include "inject/rule.hpp"

namespace inject {

// A mistake in a scenario or a spec. what() is the whole one-line message, location first:
//   "enospc.toml:2:11: unknown syscall "wrte" (did you mean "write"?)"
//   "--inject wrte:error=EIO: unknown syscall "wrte" (did you mean "write"?)"
class ScenarioError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Scenario {
    std::string source;  // the file name as given, or "--inject SPEC"
    std::string description;
    std::optional<std::uint64_t> seed;
    std::vector<Rule> rules;
    // The [expect] table, when the scenario has one: it is then a test that passes or fails.
    std::optional<Expectations> expect;
};

// Reads and validates a TOML scenario. Throws ScenarioError (also for a missing file).
Scenario load_scenario_file(const std::filesystem::path& path);

// Validates TOML text; source_name is used in messages and in each rule's origin.
Scenario parse_scenario(std::string_view toml_text, std::string_view source_name);

// A scenario with one rule, from a spec: what -e gives on the command line.
Scenario scenario_from_spec(std::string_view spec);

// Parses one fault in strace's syntax, "SET:KEY=VALUE[:KEY=VALUE...]", with or without a
// leading "inject=", or after "fault=" as strace's -e fault= reads it (only failures, error=
// ENOSYS when none is given). Throws ScenarioError.
Rule parse_spec(std::string_view spec);

// A set in strace's syntax ("!write,%net", "/^wr", "?name", "write@64", "all"), checked as a
// rule's is: what -e trace=SET names. Throws std::invalid_argument with the bare message.
SyscallNames parse_syscall_names(std::string_view set);

}  // namespace inject
