#include "report/check.hpp"

#include <csignal>

#include <algorithm>
#include <set>
#include <variant>

#include "report/expectations.hpp"
#include "report/summary.hpp"
#include "report/wording.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/signals.hpp"

namespace inject::report {

namespace {

void write_scenario(std::ostream& out, const Scenario& scenario) {
    out << "scenario " << scenario.source;
    if (!scenario.description.empty()) {
        out << ": " << scenario.description;
    }
    out << '\n';
    if (scenario.expect) {
        for (const std::string& expectation : describe_expectations(*scenario.expect)) {
            out << "  expect " << expectation << '\n';
        }
    }
}

// "write", "write or fsync", "read, write or fsync", "every call but write".
std::string syscall_list(const SyscallNames& syscalls) {
    const std::vector<std::string>& names = syscalls.elements;
    std::string text = syscalls.negated ? "every call but " : "";
    for (std::size_t index = 0; index < names.size(); ++index) {
        text += index == 0 ? "" : index + 1 == names.size() ? " or " : ", ";
        text += names[index];
    }
    return text;
}

std::string verb_of(const Action& action) {
    if (std::holds_alternative<FailWithErrno>(action)) {
        return "fails ";
    }
    if (std::holds_alternative<RunCall>(action)) {
        return "lets ";
    }
    return std::holds_alternative<ShortenTo>(action) ? "shortens " : "skips ";
}

// "; only calls on a file matching GLOB, on fd 3, by a program named GLOB".
std::string filters_in_words(const Rule& rule) {
    if (!rule.has_filters()) {
        return "";
    }
    std::string text = "; only calls";
    if (rule.path) {
        text += " on a file matching " + *rule.path;
    }
    if (rule.fd) {
        text += std::string(rule.path ? "," : "") + " on fd " + std::to_string(*rule.fd);
    }
    if (rule.process) {
        text +=
            std::string(rule.path || rule.fd ? "," : "") + " by a program named " + *rule.process;
    }
    if (rule.caller) {
        text += std::string(rule.path || rule.fd || rule.process ? "," : "") + " called from " +
                *rule.caller;
    }
    return text;
}

// Whether a set names more than one syscall, which a rule then counts each apart.
bool stands_for_several(const SyscallNames& names) {
    std::set<std::string> all;
    for (const Abi abi : kAllAbis) {
        for (std::string& name : catalogue::syscalls_named(names, abi)) {
            all.insert(std::move(name));
        }
    }
    return all.size() > 1;
}

// What happens to a call the rule picks, after its count: ") with -1 ENOSPC (...)".
std::string outcome_in_words(const Rule& rule) {
    const Action& action = rule.effect.action;
    if (std::holds_alternative<RunCall>(action)) {
        return ") run";
    }
    if (const auto* shorten = std::get_if<ShortenTo>(&action)) {
        std::string text =
            ") to at most " + plural(shorten->bytes, "byte", "bytes") + ", which then really run";
        const std::vector<std::string>& names = rule.syscalls.elements;
        if (std::any_of(names.begin(), names.end(),
                        [](const std::string& name) { return name.starts_with('%'); })) {
            text += " (of a class, only the calls with a byte count)";
        }
        return text;
    }
    const bool fails = std::holds_alternative<FailWithErrno>(action);
    return (fails ? ") with " : ") and returns ") + describe_result(action);
}

// The waits, the signal and the probability: ", sending SIGKILL to the calling thread".
std::string extras_in_words(const Rule& rule) {
    const Effect& effect = rule.effect;
    std::string text;
    if (effect.delay) {
        text += " after waiting " + text::duration_text(*effect.delay);
    }
    if (effect.delay_exit) {
        text += ", the result held back " + text::duration_text(*effect.delay_exit);
    }
    if (effect.signal) {
        text += std::holds_alternative<ShortenTo>(effect.action) ? ", then sending " : ", sending ";
        text += signal_name(*effect.signal) + " to the calling thread";
        if (effect.delay || effect.delay_exit) {
            text += " when the wait ends";
        }
        if (std::holds_alternative<RunCall>(effect.action) && *effect.signal == SIGKILL &&
            !effect.delay_exit) {
            text += ", which ends it before the call runs";
        }
    }
    if (rule.probability) {
        text += " with probability " + format_probability(*rule.probability);
    }
    return text;
}

}  // namespace

std::string rule_in_words(const Rule& rule) {
    return verb_of(rule.effect.action) + syscall_list(rule.syscalls) + " calls " +
           rule.when.to_string() + " (counted per " + std::string(scope_name(rule.per)) +
           (stands_for_several(rule.syscalls) ? ", each syscall apart" : "") +
           filters_in_words(rule) + outcome_in_words(rule) + extras_in_words(rule);
}

void write_rules_in_words(std::ostream& out, const std::vector<Scenario>& scenarios,
                          const std::vector<Rule>& rules) {
    for (const Scenario& scenario : scenarios) {
        if (!scenario.source.starts_with("--inject")) {
            write_scenario(out, scenario);
        }
    }
    if (rules.empty()) {
        out << "no rules: the program would run untouched\n";
    }
    for (std::size_t index = 0; index < rules.size(); ++index) {
        const Rule& rule = rules[index];
        out << "rule " << index + 1 << ": " << to_spec(rule) << "  (" << rule.origin << ")\n"
            << "  " << rule_in_words(rule) << '\n';
    }
}

}  // namespace inject::report
