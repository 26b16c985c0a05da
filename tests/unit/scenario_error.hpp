// The message a scenario's text is refused with, for the tests of the scenario reader.
#pragma once

#include <string>
#include <string_view>

#include "inject/scenario.hpp"

namespace inject::testing {

// The whole one-line message parse_scenario throws for `toml` read as "s.toml", or "no error".
inline std::string error_of(std::string_view toml) {
    try {
        parse_scenario(toml, "s.toml");
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

// The same for a --inject spec.
inline std::string spec_error_of(std::string_view spec) {
    try {
        parse_spec(spec);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace inject::testing
