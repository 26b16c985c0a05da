// What --check prints: each scenario with its expectations, and each rule in words, so that a
// user sees what inject understood before anything runs.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "inject/rule.hpp"
#include "inject/scenario.hpp"

namespace inject::report {

// "scenario FILE: DESCRIPTION", its expectations, then "rule N: SPEC  (ORIGIN)" and the rule
// in words for every rule; "no rules: ..." when there is none.
void write_rules_in_words(std::ostream& out, const std::vector<Scenario>& scenarios,
                          const std::vector<Rule>& rules);

// One rule in words, without the leading spaces: "fails write calls 3 (counted per tree) with
// -1 ENOSPC (No space left on device)".
std::string rule_in_words(const Rule& rule);

}  // namespace inject::report
