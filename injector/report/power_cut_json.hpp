// A power cut (RunResult::power_cut) as JSON: the "power_cut" of a run's --report and of each
// run of an exploration's, the same fields in both; and back again, for the verdicts an
// exploration's runs send their parent.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "inject/run.hpp"

namespace inject::report {

// null without a cut; else {"undone": [{kind, path, from, offset, length, error}...],
// "kept_changes", "undo_bytes_at_cut", "undo_bytes_peak"}, absent values null.
nlohmann::json power_cut_json(const std::optional<PowerCut>& cut);

// The cut power_cut_json gave; nullopt for null. Throws nlohmann::json::exception when the
// JSON is not one it gives.
std::optional<PowerCut> power_cut_of_json(const nlohmann::json& json);

}  // namespace inject::report
