// The summary parser the integration tests share (see modes.hpp).

#include "modes.hpp"

#include <regex>

namespace inject::testing {

Summary parse_summary(const std::string& err) {
    static const std::regex head(
        R"(^inject: (\d+) faults? injected, (\d+) syscall stops? (\((no )?seccomp filter\))$)");
    // "PID: WHAT at SITE  [rule N: SPEC]": the site is kept apart, so that what a test says of
    // an injection does not depend on the line numbers of the program's source.
    static const std::regex event(
        R"(^inject:   pid (\d+)(?: tid \d+)?: (.*?)(?: at (.*?))?(  \[rule .*)?$)");
    Summary summary;
    for (const std::string& line : split_lines(err)) {
        std::smatch match;
        if (!summary.found && std::regex_match(line, match, head)) {
            summary.found = true;
            summary.faults = std::stoi(match[1]);
            summary.stops = std::stoi(match[2]);
            summary.filter = match[3];
        } else if (summary.found && std::regex_match(line, match, event)) {
            summary.pids.push_back(std::stoi(match[1]));
            summary.events.push_back(match[2].str() + match[4].str());
            summary.sites.push_back(match[3]);
        }
    }
    return summary;
}

}  // namespace inject::testing
