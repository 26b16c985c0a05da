// A scenario's TOML text, as -s reads it: accepted, or refused with one located line; every
// rule it gives shows (to_spec, as --check and the replay line do) as a spec that reads back
// as the same rule.
#include "inject/scenario.hpp"
#include "promise.hpp"
#include "round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view kFile = "fuzz.toml";
    try {
        const inject::Scenario scenario =
            inject::parse_scenario(inject::fuzz::as_text(data, size), kFile);
        for (const inject::Rule& rule : scenario.rules) {
            inject::fuzz::expect_spec_round_trip(rule);
        }
    } catch (const inject::ScenarioError& error) {
        inject::fuzz::expect_located(error.what(), kFile);
    }
    return 0;
}
