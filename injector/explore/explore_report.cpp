#include "explore/explore_report.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "inject/names.hpp"
#include "report/power_cut_json.hpp"
#include "report/summary.hpp"
#include "scenario/fault_keys.hpp"
#include "syscalls/signals.hpp"

namespace inject::exploration {

namespace {

std::string seconds_text(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2fs", seconds);
    return buffer;
}

std::string site_or_unknown(const std::string& site) {
    return site.empty() ? "an unknown site (no stack)" : site;
}

std::string plural(std::size_t count, const std::string& word) {
    return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

// What the power cut of a group's first run undid: the changes its --after check then saw
// missing. The first few; the JSON report has them all.
void write_undone(std::ostream& out, const PowerCut& cut) {
    constexpr std::size_t kListed = 5;
    out << "  power cut: " << plural(cut.undone.size(), "unsynced change") << " undone";
    if (cut.kept_changes != 0) {
        out << ", " << cut.kept_changes << " kept (mode = \"prefix\")";
    }
    out << '\n';
    report::write_undone_changes(out, cut, "    ", kListed);
}

void write_group(std::ostream& out, const ExploreResult& result, const ExploreGroup& group) {
    const ExploreRun& first = result.runs.at(group.runs.front());
    out << "inject: explore: FAIL " << verdict_name(group.verdict) << ": " << to_spec(first.rule)
        << " at " << site_or_unknown(group.site) << " (" << plural(group.runs.size(), "run") << "; "
        << first.detail << ")\n";
    out << "  replay: " << group.replay << '\n';
    if (first.power_cut) {
        write_undone(out, *first.power_cut);
    }
    if (!first.directory.empty()) {
        out << "  kept: " << first.directory << '\n';
    }
}

// Per template: how many of its runs survived.
void write_survivors(std::ostream& out, const ExploreResult& result) {
    std::map<std::size_t, std::pair<std::size_t, std::size_t>> per_template;  // survived, runs
    for (const ExploreRun& run : result.runs) {
        auto& [survived, runs] = per_template[run.point.template_index];
        ++runs;
        survived += run.verdict == ExploreVerdict::survived ? 1 : 0;
    }
    for (const auto& [index, counts] : per_template) {
        out << "inject: explore: survived " << counts.first << " of "
            << plural(counts.second, "run") << ": " << to_spec(result.templates.at(index)) << '\n';
    }
}

nlohmann::json optional_int(const std::optional<int>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json point_json(const FailurePoint& point) {
    return {{"template", point.template_index}, {"syscall", point.syscall}, {"site", point.site},
            {"caller", point.caller},           {"file", point.file},       {"path", point.path},
            {"occurrence", point.occurrence}};
}

nlohmann::json run_json(const ExploreRun& run) {
    return {{"fault", to_spec(run.rule)},
            {"point", point_json(run.point)},
            {"verdict", std::string(verdict_name(run.verdict))},
            {"detail", run.detail},
            {"exit_code", optional_int(run.exit_code)},
            {"signal", run.signal ? nlohmann::json(signal_name(*run.signal)) : nlohmann::json()},
            {"seconds", run.seconds},
            {"directory", run.directory.empty() ? nlohmann::json() : nlohmann::json(run.directory)},
            {"power_cut", report::power_cut_json(run.power_cut)}};
}

// The fields of a spec ("write:error=EIO:caller=a.c\\:3"): split at each ':' that is not
// escaped nor half of a C++ "::", the escapes undone.
std::vector<std::string> spec_fields(const std::string& spec) {
    std::vector<std::string> fields(1);
    for (std::size_t at = 0; at < spec.size(); ++at) {
        const char c = spec[at];
        if (c == '\\' && at + 1 < spec.size() && spec[at + 1] == ':') {
            fields.back() += ':';
            ++at;
        } else if (c == ':' && at + 1 < spec.size() && spec[at + 1] == ':') {
            fields.back() += "::";
            ++at;
        } else if (c == ':') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

// A spec's value as TOML: bare where the key takes an integer or a boolean and the text is
// one (short = 1, lose_unsynced = true), else a string, which every other key takes.
std::string toml_value(const std::string& key, const std::string& value) {
    unsigned kinds = detail::kText;
    try {
        kinds = detail::fault_key(key, detail::Syntax::toml).kinds;
    } catch (const std::invalid_argument&) {
        // A key of specs only: the reader will say so.
    }
    // A TOML integer is 64 bits signed: a larger retval stays a string, which it may be.
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    const bool integer = error == std::errc{} && end == value.data() + value.size();
    const bool boolean = value == "true" || value == "false";
    if (((kinds & detail::kInteger) != 0 && integer) || ((kinds & detail::kBool) != 0 && boolean)) {
        return value;
    }
    return nlohmann::json(value).dump();
}

// The rule as a [[fault]] table, each key of its spec a TOML key.
std::string fault_table(const Rule& rule) {
    const std::vector<std::string> fields = spec_fields(to_spec(rule));
    std::string table = "[[fault]]\nsyscall = " + nlohmann::json(fields.front()).dump() + "\n";
    for (std::size_t index = 1; index < fields.size(); ++index) {
        const std::string& field = fields[index];
        const auto equals = field.find('=');
        const std::string key = field.substr(0, equals);
        const std::string value = equals == std::string::npos ? "" : field.substr(equals + 1);
        table += key + " = " + toml_value(key, value) + "\n";
    }
    return table;
}

}  // namespace

std::string progress_line(std::size_t done, std::size_t total, std::size_t failing,
                          double seconds) {
    const long whole = static_cast<long>(seconds);
    char clock[32];
    std::snprintf(clock, sizeof clock, "%ld:%02ld", whole / 60, whole % 60);
    return "explore: " + std::to_string(done) + "/" + plural(total, "run") + ", " +
           std::to_string(failing) + " failing, " + clock;
}

void write_explore_summary(std::ostream& out, const ExploreResult& result, unsigned jobs,
                           double seconds) {
    out << "inject: explore: survey: " << plural(result.calls_seen, "call") << " named by "
        << plural(result.templates.size(), "template") << ", "
        << plural(result.points, "failure point") << " (" << result.startup_calls
        << " startup calls left out) in " << seconds_text(result.survey_seconds) << '\n';
    for (const std::string& note : result.notes) {
        out << "inject: note: " << note << '\n';
    }
    for (const ExploreGroup& group : result.groups) {
        write_group(out, result, group);
    }
    write_survivors(out, result);
    std::size_t failed = 0;
    for (const ExploreGroup& group : result.groups) {
        failed += group.runs.size();
    }
    out << "inject: explore: " << (result.groups.empty() ? "PASS" : "FAIL") << ": "
        << plural(result.runs.size(), "run") << ", " << failed << " failed in "
        << plural(result.groups.size(), "group") << ", " << seconds_text(seconds) << " with -j"
        << jobs << '\n';
}

std::string explore_json(const ExploreResult& result, const std::vector<std::string>& argv,
                         const std::string& version) {
    nlohmann::json survey = nlohmann::json::array();
    for (const SurveyCount& count : result.survey) {
        survey.push_back({{"template", count.template_index},
                          {"fault", to_spec(result.templates.at(count.template_index))},
                          {"site", count.site},
                          {"calls", count.calls}});
    }
    nlohmann::json runs = nlohmann::json::array();
    for (const ExploreRun& run : result.runs) {
        runs.push_back(run_json(run));
    }
    nlohmann::json groups = nlohmann::json::array();
    for (const ExploreGroup& group : result.groups) {
        groups.push_back({{"site", group.site},
                          {"verdict", std::string(verdict_name(group.verdict))},
                          {"runs", group.runs},
                          {"replay", group.replay}});
    }
    nlohmann::json templates = nlohmann::json::array();
    for (const Rule& rule : result.templates) {
        templates.push_back(to_spec(rule));
    }
    const nlohmann::json report{
        {"inject_version", version},
        {"command", argv},
        {"templates", templates},
        {"survey",
         {{"calls", result.calls_seen},
          {"startup_calls", result.startup_calls},
          {"failure_points", result.points},
          {"seconds", result.survey_seconds},
          {"failure",
           result.survey_failure ? nlohmann::json(*result.survey_failure) : nlohmann::json()},
          {"sites", survey}}},
        {"left_out", result.left_out},
        {"runs", runs},
        {"groups", groups},
        {"passed", result.all_survived()}};
    return report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

std::vector<report::JunitCase> explore_junit_cases(const ExploreResult& result,
                                                   const std::vector<std::string>& argv,
                                                   const ExploreOptions& options) {
    std::vector<report::JunitCase> cases;
    for (const ExploreRun& run : result.runs) {
        report::JunitCase testcase;
        testcase.name = to_spec(run.rule) + " at " + site_or_unknown(run.point.site);
        testcase.classname = "inject.explore";
        testcase.seconds = run.seconds;
        if (run.verdict != ExploreVerdict::survived) {
            testcase.failures.push_back(std::string(verdict_name(run.verdict)) + ": " + run.detail +
                                        "; replay: " + replay_line(run, argv, options));
        }
        cases.push_back(std::move(testcase));
    }
    if (result.survey_failure) {
        report::JunitCase testcase;
        testcase.name = "survey";
        testcase.classname = "inject.explore";
        testcase.error = *result.survey_failure;
        cases.push_back(std::move(testcase));
    }
    return cases;
}

std::string pinned_scenario(const ExploreResult& result, const ExploreGroup& group) {
    const ExploreRun& run = result.runs.at(group.runs.front());
    std::ostringstream out;
    out << "# Found by inject --explore: " << verdict_name(group.verdict) << " at "
        << site_or_unknown(group.site) << " (" << run.detail << ").\n"
        << "# Replay: " << group.replay << "\n"
        << "description = \"" << verdict_name(group.verdict) << " at "
        << site_or_unknown(group.site) << "\"\n\n"
        << fault_table(run.rule) << "\n"
        << "# What the program should do instead: edit to what it promises.\n"
        << "[expect]\n"
        << "signal = \"none\"\n";
    if (group.verdict == ExploreVerdict::hung) {
        out << "timeout = \"10s\"\n";
    }
    return out.str();
}

std::vector<std::string> save_scenarios(const ExploreResult& result, const std::string& directory) {
    std::filesystem::create_directories(directory);
    std::vector<std::string> written;
    for (std::size_t index = 0; index < result.groups.size(); ++index) {
        const std::string path = directory + "/explore-" + std::to_string(index + 1) + ".toml";
        std::ofstream file(path, std::ios::trunc);
        file << pinned_scenario(result, result.groups[index]);
        file.close();
        if (!file) {
            throw std::system_error(errno, std::generic_category(),
                                    "--save-scenarios: writing " + path);
        }
        written.push_back(path);
    }
    return written;
}

}  // namespace inject::exploration
