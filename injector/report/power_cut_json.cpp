#include "report/power_cut_json.hpp"

#include <cstdint>
#include <string>

namespace inject::report {
namespace {

using nlohmann::json;

json string_or_null(const std::string& text) {
    return text.empty() ? json(nullptr) : json(text);
}

json number_or_null(const std::optional<std::uint64_t>& number) {
    return number ? json(*number) : json(nullptr);
}

std::string string_of(const json& value) {
    return value.is_null() ? std::string() : value.get<std::string>();
}

std::optional<std::uint64_t> number_of(const json& value) {
    if (value.is_null()) {
        return std::nullopt;
    }
    return value.get<std::uint64_t>();
}

}  // namespace

json power_cut_json(const std::optional<PowerCut>& cut) {
    if (!cut) {
        return nullptr;
    }
    json undone = json::array();
    for (const UndoneChange& change : cut->undone) {
        undone.push_back({
            {"kind", change.kind},
            {"path", change.path},
            {"from", string_or_null(change.from)},
            {"offset", number_or_null(change.offset)},
            {"length", number_or_null(change.length)},
            {"error", string_or_null(change.error)},
        });
    }
    return {{"undone", std::move(undone)},
            {"kept_changes", cut->kept_changes},
            {"undo_bytes_at_cut", cut->undo_bytes_at_cut},
            {"undo_bytes_peak", cut->undo_bytes_peak}};
}

std::optional<PowerCut> power_cut_of_json(const json& json) {
    if (json.is_null()) {
        return std::nullopt;
    }
    PowerCut cut;
    for (const auto& change : json.at("undone")) {
        cut.undone.push_back({change.at("kind").get<std::string>(),
                              change.at("path").get<std::string>(), string_of(change.at("from")),
                              number_of(change.at("offset")), number_of(change.at("length")),
                              string_of(change.at("error"))});
    }
    cut.kept_changes = json.at("kept_changes").get<std::uint64_t>();
    cut.undo_bytes_at_cut = json.at("undo_bytes_at_cut").get<std::uint64_t>();
    cut.undo_bytes_peak = json.at("undo_bytes_peak").get<std::uint64_t>();
    return cut;
}

}  // namespace inject::report
