#include "explore/points.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "engine/caller_glob.hpp"
#include "engine/caller_match.hpp"
#include "engine/glob.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/text.hpp"
#include "trace/call_site.hpp"

namespace inject::exploration {

namespace {

std::string base_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool has_own_code(const std::vector<StackFrame>& stack) {
    return std::any_of(stack.begin(), stack.end(),
                       [](const StackFrame& frame) { return !frame.in_c_library; });
}

// A point's pinning filters: the calls its rule counts are the calls that pass them.
struct PinKey {
    std::string syscall;
    std::string caller;
    std::string path;
    auto operator<=>(const PinKey&) const = default;
};

class PinMatcher {
  public:
    explicit PinMatcher(const PinKey& key) : key_(key) {
        if (!key.caller.empty()) {
            caller_ = glob::parse_caller_glob(key.caller);
        }
        if (!key.path.empty()) {
            path_.emplace(key.path);
        }
    }
    bool matches(const Injection& call) const {
        return call.syscall == key_.syscall &&
               (!caller_ || engine::stack_matches(*caller_, call.stack)) &&
               (!path_ || (call.path && path_->matches(*call.path)));
    }

  private:
    PinKey key_;
    std::optional<glob::CallerGlob> caller_;
    std::optional<glob::PathGlob> path_;
};

// For each call at `wanted` indices, its number among the calls its key's rule would count.
std::map<std::size_t, std::uint64_t> occurrences(const std::vector<Injection>& calls,
                                                 const std::map<std::size_t, PinKey>& wanted) {
    std::map<PinKey, std::vector<std::size_t>> by_key;
    for (const auto& [index, key] : wanted) {
        by_key[key].push_back(index);
    }
    std::map<std::size_t, std::uint64_t> numbers;
    for (const auto& [key, indices] : by_key) {
        const PinMatcher matcher(key);
        std::uint64_t count = 0;
        std::size_t next = 0;
        for (std::size_t index = 0; index < calls.size() && next < indices.size(); ++index) {
            if (matcher.matches(calls[index])) {
                ++count;
            }
            if (index == indices[next]) {
                numbers[index] = std::max<std::uint64_t>(count, 1);
                ++next;
            }
        }
    }
    return numbers;
}

}  // namespace

std::vector<bool> startup_calls(const std::vector<Injection>& calls) {
    std::vector<bool> startup(calls.size(), false);
    std::set<pid_t> started;  // processes whose own code has run
    for (std::size_t index = 0; index < calls.size(); ++index) {
        const Injection& call = calls[index];
        if (started.contains(call.pid)) {
            continue;
        }
        if (call.stack.empty() || has_own_code(call.stack)) {
            started.insert(call.pid);
            continue;
        }
        startup[index] = true;
    }
    return startup;
}

Rule survey_rule(const std::vector<Rule>& templates) {
    Rule rule;
    rule.effect.action = RunCall{};
    rule.origin = "the survey";
    // Every template's set as the names it stands for on each ABI ("?": a name one ABI lacks
    // is no mistake), so that negated sets and classes need no union of their own.
    std::vector<std::string>& names = rule.syscalls.elements;
    for (const Rule& each : templates) {
        for (const Abi abi : kAllAbis) {
            for (const std::string& name : catalogue::syscalls_named(each.syscalls, abi)) {
                const std::string element = "?" + name;
                if (std::find(names.begin(), names.end(), element) == names.end()) {
                    names.push_back(element);
                }
            }
        }
    }
    return rule;
}

bool template_names(const Rule& rule, const Injection& call) {
    const bool shortens = std::holds_alternative<ShortenTo>(rule.effect.action);
    if (shortens && !catalogue::has_byte_count(call.abi, call.syscall)) {
        return false;
    }
    const auto members = catalogue::syscalls_named(rule.syscalls, call.abi);
    if (std::find(members.begin(), members.end(), call.syscall) == members.end()) {
        return false;
    }
    if (rule.path && !(call.path && glob::PathGlob(*rule.path).matches(*call.path))) {
        return false;
    }
    return !rule.caller || engine::stack_matches(glob::parse_caller_glob(*rule.caller), call.stack);
}

std::string caller_glob_of(const std::vector<StackFrame>& stack) {
    if (stack.empty()) {
        return "";
    }
    const StackFrame& frame = trace::naming_frame(stack);
    if (!frame.file.empty() && frame.line != 0) {
        return base_name(frame.file) + ":" + std::to_string(frame.line);
    }
    if (frame.module.empty()) {
        return "";  // code in no file: nothing a glob could name
    }
    return base_name(frame.module) + "+" + text::hex(frame.offset);
}

std::string file_in_run(const std::optional<std::string>& path, const std::string& run_dir) {
    if (!path || !path->starts_with('/')) {
        return "";  // pipe:[...], socket:[...], anon_inode:...: no file of its own
    }
    if (*path == run_dir) {
        return ".";  // the run directory itself (opened to sync it, say)
    }
    const std::string prefix = run_dir.ends_with('/') ? run_dir : run_dir + "/";
    if (path->starts_with(prefix)) {
        return path->substr(prefix.size());
    }
    return *path;
}

std::string path_glob_of(const std::string& file_in_run, const std::string& path) {
    if (file_in_run.empty() || file_in_run == ".") {
        return "";  // nothing to match; the run directory's name differs from copy to copy
    }
    if (file_in_run.starts_with('/')) {
        return path;
    }
    return "**/" + file_in_run;
}

PointsOfSurvey failure_points(const std::vector<Rule>& templates,
                              const std::vector<Injection>& calls, const std::string& run_dir,
                              ExploreBy by, bool include_startup) {
    PointsOfSurvey result;
    const std::vector<bool> startup = startup_calls(calls);
    std::set<std::tuple<std::size_t, std::string, std::string>> seen;  // template, caller, file
    std::map<std::pair<std::size_t, std::string>, std::uint64_t> counts;
    std::vector<std::pair<std::size_t, FailurePoint>> chosen;  // call index, point
    for (std::size_t index = 0; index < calls.size(); ++index) {
        const Injection& call = calls[index];
        if (startup[index] && !include_startup) {
            ++result.startup_calls;
            continue;
        }
        ++result.calls_seen;
        for (std::size_t each = 0; each < templates.size(); ++each) {
            if (!template_names(templates[each], call)) {
                continue;
            }
            FailurePoint point;
            point.template_index = each;
            point.syscall = call.syscall;
            point.site = trace::site_name(call.stack);
            point.caller = caller_glob_of(call.stack);
            point.file = file_in_run(call.path, run_dir);
            point.path = path_glob_of(point.file, call.path.value_or(""));
            ++counts[{each, point.site}];
            const bool first =
                seen.insert({each, point.caller + "|" + point.syscall, point.file}).second;
            result.distinct += first ? 1 : 0;
            if (first || by == ExploreBy::call) {
                chosen.emplace_back(index, std::move(point));
            }
        }
    }
    std::map<std::size_t, PinKey> wanted;
    for (const auto& [index, point] : chosen) {
        wanted.emplace(index, PinKey{point.syscall, point.caller, point.path});
    }
    const auto numbers = occurrences(calls, wanted);
    for (auto& [index, point] : chosen) {
        point.occurrence = numbers.at(index);
        result.points.push_back(std::move(point));
    }
    for (const auto& [key, count] : counts) {
        result.counts.push_back({key.first, key.second, count});
    }
    return result;
}

Rule pinned_rule(const Rule& rule, const FailurePoint& point) {
    Rule pinned = rule;
    pinned.syscalls = SyscallNames{{point.syscall}, false};
    pinned.when = When{point.occurrence, point.occurrence, 1};
    pinned.per = Scope::tree;
    pinned.probability.reset();
    if (!point.caller.empty()) {
        pinned.caller = point.caller;
    }
    if (!point.path.empty()) {
        pinned.path = point.path;
    }
    return pinned;
}

}  // namespace inject::exploration
