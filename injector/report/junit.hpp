// The outcome of a run as JUnit XML, for CI systems: one testcase per scenario.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inject/run.hpp"
#include "inject/scenario.hpp"
#include "report/expectations.hpp"
#include "report/output_file.hpp"

namespace inject::report {

// Of the program's output, each testcase shows the last this many bytes of each stream (the
// same in every testcase of a run: a CI page that shows them needs no more, and the file
// stays small), saying when it left the rest out.
inline constexpr std::size_t kJunitOutput = std::size_t{1} << 20;

struct JunitCase {
    std::string name;       // the scenario's description, or its source
    std::string classname;  // "inject." and the scenario file's stem
    double seconds = 0;
    std::vector<std::string> failures;  // empty: passed
    std::optional<std::string> error;   // inject could not run the program at all
    std::string system_out;             // the program's captured output
    std::string system_err;
};

// The testcases of one run. Each scenario file is one; the --inject specs together are one
// more, named after the command line they make, and so is a run with no rules at all.
// A scenario with [expect] passes when its expectations held; any other testcase passes
// when the program exited 0 (as if it expected exit_code = 0).
std::vector<JunitCase> junit_cases(const std::vector<Scenario>& scenarios,
                                   const std::vector<std::string>& command, const RunResult& result,
                                   const std::optional<RunTimeout>& run_timeout, double seconds);

// The same testcases when the program could not be started: each one has an <error>.
std::vector<JunitCase> junit_error_cases(const std::vector<Scenario>& scenarios,
                                         const std::vector<std::string>& command,
                                         const std::string& message);

// <?xml ...?><testsuites><testsuite name="inject" ...><testcase .../>...</testsuite></testsuites>
std::string junit_xml(const std::vector<JunitCase>& cases, double seconds);

// The --junit file (see OutputFile): "cannot write --junit PATH: REASON".
class JunitFile : public OutputFile {
  public:
    explicit JunitFile(std::string path) : OutputFile("--junit", std::move(path)) {}
};

// Text made safe for XML 1.0: the five special characters as entities, characters XML cannot
// hold at all (most control characters, U+FFFE, U+FFFF) dropped, bytes that are not UTF-8
// replaced by U+FFFD. In an attribute, tab, newline and carriage return become character
// references so that they survive attribute-value normalization.
std::string xml_escape(std::string_view text, bool attribute);

}  // namespace inject::report
