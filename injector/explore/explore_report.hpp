// What an exploration says: the lines on stderr, the JSON report, the JUnit testcases and the
// pinned scenarios of its failing groups.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "inject/explore.hpp"
#include "report/junit.hpp"

namespace inject::exploration {

// The survey's line, a block per failing group (verdict, fault, site, runs, replay, kept
// directory) and what survived per template.
void write_explore_summary(std::ostream& out, const ExploreResult& result, unsigned jobs,
                           double seconds);

// "explore: 37/120 runs, 3 failing, 0:12"
std::string progress_line(std::size_t done, std::size_t total, std::size_t failing, double seconds);

// The --report JSON: the survey's calls per template and site, every run, the groups.
std::string explore_json(const ExploreResult& result, const std::vector<std::string>& argv,
                         const std::string& version);

// A testcase per run (a failure point); a failing one has the replay line in its failure.
std::vector<report::JunitCase> explore_junit_cases(const ExploreResult& result,
                                                   const std::vector<std::string>& argv,
                                                   const ExploreOptions& options);

// One TOML scenario per failing group, its first run's rule pinned, with an [expect] for the
// user to edit (the program survives: no crash, exit 0). Returns the files written.
std::vector<std::string> save_scenarios(const ExploreResult& result, const std::string& directory);

// The scenario text save_scenarios writes for a group.
std::string pinned_scenario(const ExploreResult& result, const ExploreGroup& group);

}  // namespace inject::exploration
