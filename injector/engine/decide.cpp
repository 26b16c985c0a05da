#include "engine/decide.hpp"

#include <algorithm>

#include "engine/caller_match.hpp"
#include "engine/draw.hpp"
#include "inject/names.hpp"
#include "syscalls/catalogue.hpp"

namespace inject::engine {

namespace {

// A call whose path, for a path filter, is the file behind an fd argument.
bool takes_fd_without_path(Abi abi, long number) {
    const catalogue::Signature* signature = catalogue::signature(abi, number);
    return signature != nullptr && signature->find(catalogue::ArgKind::fd) &&
           !signature->find(catalogue::ArgKind::path);
}

}  // namespace

Decider::Decider(const std::vector<Rule>& rules, std::uint64_t seed) : seed_(seed) {
    rules_.reserve(rules.size());
    for (const Rule& rule : rules) {
        CompiledRule compiled;
        compiled.when = rule.when;
        compiled.per = rule.per;
        compiled.effect = rule.effect;
        if (rule.probability) {
            compiled.threshold = draw_threshold(*rule.probability);
        }
        if (rule.path) {
            compiled.path.emplace(*rule.path);
        }
        compiled.fd = rule.fd;
        compiled.process = rule.process;
        if (rule.caller) {
            compiled.caller = glob::parse_caller_glob(*rule.caller);
            needs_stacks_ = true;
        }
        compiled.filtered = rule.has_filters();
        compile_syscalls(rule, compiled);
        rules_.push_back(std::move(compiled));
    }
}

void Decider::compile_syscalls(const Rule& rule, CompiledRule& compiled) {
    const bool shortens = std::holds_alternative<ShortenTo>(rule.effect.action);
    std::vector<std::string> slot_names;  // the syscall of each slot: one count per name
    for (Abi abi : kAllAbis) {
        // A class ("%file") stands for its members, which differ between ABIs.
        for (const std::string& name : catalogue::syscalls_named(rule.syscalls, abi)) {
            // short cuts a byte count: of a class, it picks (and counts) only the members that
            // have one.
            if (shortens && !catalogue::has_byte_count(abi, name)) {
                continue;
            }
            const auto number = syscall_number(abi, name);
            if (!number) {
                continue;
            }
            auto slot = std::find(slot_names.begin(), slot_names.end(), name);
            if (slot == slot_names.end()) {
                slot = slot_names.insert(slot_names.end(), name);
            }
            const auto index = static_cast<std::size_t>(*number);
            auto& slots = compiled.slots[static_cast<std::size_t>(abi)];
            if (slots.size() <= index) {
                slots.resize(index + 1, -1);
            }
            slots[index] = static_cast<std::int32_t>(slot - slot_names.begin());
            any_rule_.insert(abi, *number);
            if (rule.path && takes_fd_without_path(abi, *number)) {
                needs_fd_paths_ = true;
            }
            auto& names = picked_names_[static_cast<std::size_t>(abi)];
            if (names.size() <= index) {
                names.resize(index + 1);
            }
            names[index] = name;
            if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
                names_.push_back(name);
            }
        }
    }
    compiled.slot_count = slot_names.size();
    compiled.tree_counts.assign(slot_names.size(), 0);
}

std::uint64_t Decider::count(CompiledRule& rule, std::size_t slot, const SyscallEvent& event) {
    if (rule.per == Scope::tree) {
        return ++rule.tree_counts[slot];
    }
    Counts& counts = rule.counts[rule.per == Scope::process ? event.tgid : event.tid];
    if (counts.empty()) {
        counts.assign(rule.slot_count, 0);  // a process or thread the rule sees first
    }
    return ++counts[slot];
}

bool Decider::picks(Abi abi, long number) const noexcept {
    return any_rule_.contains(abi, number);
}

std::string_view Decider::name_of(Abi abi, long number) const noexcept {
    const auto& names = picked_names_[static_cast<std::size_t>(abi)];
    if (number < 0 || static_cast<std::size_t>(number) >= names.size()) {
        return {};
    }
    return names[static_cast<std::size_t>(number)];
}

std::vector<std::string> Decider::syscall_names() const {
    return names_;
}

bool Decider::passes_filters(const CompiledRule& rule, CallFacts& facts, std::size_t& path_index) {
    // Cheapest first: the fd is an argument, the name is cached per process, a path may need
    // the tracee's memory and /proc.
    if (rule.fd) {
        const std::vector<int>& fds = facts.fds();
        if (std::find(fds.begin(), fds.end(), *rule.fd) == fds.end()) {
            return false;
        }
    }
    if (rule.process) {
        const std::vector<std::string>& names = facts.process_names();
        if (std::none_of(names.begin(), names.end(), [&](const std::string& name) {
                return glob::matches_name(*rule.process, name);
            })) {
            return false;
        }
    }
    if (rule.path) {
        const std::vector<std::string>& paths = facts.paths();
        const auto match = std::find_if(paths.begin(), paths.end(), [&](const std::string& path) {
            return rule.path->matches(path);
        });
        if (match == paths.end()) {
            return false;
        }
        path_index = static_cast<std::size_t>(match - paths.begin());
    }
    // Last: a stack is the most a filter can cost.
    return !rule.caller || stack_matches(*rule.caller, facts.stack());
}

std::optional<Verdict> Decider::on_syscall(const SyscallEvent& event, CallFacts& facts) {
    if (!picks(event.abi, event.number)) {
        return std::nullopt;
    }
    std::optional<Verdict> verdict;
    for (std::size_t index = 0; index < rules_.size(); ++index) {
        CompiledRule& rule = rules_[index];
        const std::int32_t slot = rule.slot_of(event.abi, event.number);
        if (slot < 0) {
            continue;
        }
        std::size_t path_index = 0;
        if (rule.filtered && !passes_filters(rule, facts, path_index)) {
            continue;  // not a call of this rule: not counted, so `when` numbers only the others
        }
        // Every matching rule counts the call, even once an earlier rule has decided it:
        // rules are independent of each other.
        const std::uint64_t nth = count(rule, static_cast<std::size_t>(slot), event);
        ++rule.matched;
        // The draw comes after `when`, so that `when` still says which calls may fail.
        if (!verdict && rule.when.matches(nth) &&
            (!rule.threshold || draw_succeeds(draw_bits(seed_, index, nth), *rule.threshold))) {
            verdict = Verdict{index, nth, rule.effect, path_index};
        }
    }
    return verdict;
}

void Decider::on_exec(pid_t former_tid, pid_t new_tid) {
    if (former_tid == new_tid) {
        return;
    }
    for (CompiledRule& rule : rules_) {
        if (rule.per != Scope::thread) {
            continue;
        }
        // The leader's own count ends with it; the exec'ing thread's count carries on.
        rule.counts.erase(new_tid);
        if (auto node = rule.counts.extract(former_tid)) {
            node.key() = new_tid;
            rule.counts.insert(std::move(node));
        }
    }
}

void Decider::forget_thread(pid_t tid) {
    for (CompiledRule& rule : rules_) {
        if (rule.per == Scope::thread) {
            rule.counts.erase(tid);
        }
    }
}

void Decider::forget_process(pid_t tgid) {
    for (CompiledRule& rule : rules_) {
        if (rule.per == Scope::process) {
            rule.counts.erase(tgid);
        }
    }
}

}  // namespace inject::engine
