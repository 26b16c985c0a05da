#include "engine/filter_plan.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <variant>

#include "engine/decide.hpp"

namespace inject::engine {

// A delay takes the ptrace path too: a signal sent to the program must end a held call's wait
// at once, which the engine does by reading the stopped thread's pending signals, while a
// notified call would wait through them. A delayed call is slow anyway.
bool notification_serves(const Rule& rule) {
    const Effect& effect = rule.effect;
    return !std::holds_alternative<ShortenTo>(effect.action) && !effect.delay &&
           !effect.delay_exit && effect.poke_enter.empty() && effect.poke_exit.empty() &&
           !effect.instead && !rule.caller;
}

// A call that really runs before its result is replaced (run = true; close by default, since
// Linux releases the fd whatever close returns), and a failed brk, which runs as brk(0) to
// return the unchanged break as the kernel does, need their exit stop.
bool runs_to_its_exit(const Rule& rule, std::string_view name) {
    const Action& action = rule.effect.action;
    if (std::holds_alternative<RunCall>(action) || std::holds_alternative<ShortenTo>(action)) {
        return false;
    }
    return rule.effect.run_first.value_or(name == "close") ||
           (name == "brk" && std::holds_alternative<FailWithErrno>(action));
}

FilterPlan plan_filter(const std::vector<Rule>& rules, const std::vector<std::string>& also_seen,
                       bool notify) {
    std::vector<std::string> names;
    std::unordered_set<std::string> need_ptrace;
    const auto add = [&](const std::string& name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            names.push_back(name);
        }
    };
    for (const Rule& rule : rules) {
        // The syscalls a rule picks are those a Decider of that rule alone picks: its classes
        // expanded for each ABI, the members `short` cannot cut left out.
        const Decider alone({rule});
        for (const std::string& name : alone.syscall_names()) {
            add(name);
            if (!notify || !notification_serves(rule) || runs_to_its_exit(rule, name)) {
                need_ptrace.insert(name);
            }
        }
    }
    for (const std::string& name : also_seen) {
        add(name);
        if (!notify) {
            need_ptrace.insert(name);
        }
    }
    FilterPlan plan;
    for (std::string& name : names) {
        (need_ptrace.contains(name) ? plan.traced : plan.notified).push_back(std::move(name));
    }
    return plan;
}

}  // namespace inject::engine
