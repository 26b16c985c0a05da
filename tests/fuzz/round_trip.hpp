// A rule shown as a spec (to_spec: --check, the report, the replay line) must read back as
// the same rule, or the line a user pastes runs something else.
#pragma once

#include "inject/rule.hpp"
#include "inject/scenario.hpp"
#include "promise.hpp"

namespace inject::fuzz {

inline void expect_spec_round_trip(const Rule& rule) {
    const std::string spec = to_spec(rule);
    try {
        const std::string again = to_spec(parse_spec(spec));
        if (again != spec) {
            broken("to_spec reads back as the same rule", spec + " -> " + again);
        }
    } catch (const ScenarioError& error) {
        broken("to_spec of an accepted rule is accepted", error.what());
    }
}

}  // namespace inject::fuzz
