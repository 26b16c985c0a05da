// Which call to fail, and how: the rules' counters and filters. Pure: a function of the rules,
// the counters so far and the event, so GoogleTest covers it without a tracee.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "inject/abi.hpp"
#include "inject/rule.hpp"

namespace inject::engine {

// One syscall a tracee is about to make.
struct SyscallEvent {
    pid_t tid = 0;
    pid_t tgid = 0;  // the process
    Abi abi = Abi::x86_64;
    long number = -1;
};

// What to do to a call: the rule that fired, the call's number in that rule's count, and the
// action.
struct Verdict {
    std::size_t rule_index = 0;
    std::uint64_t nth = 0;
    Action action;
    std::optional<int> signal;                            // to send to the calling thread
    std::optional<std::chrono::microseconds> delay;       // before the call goes on
    std::optional<std::chrono::microseconds> delay_exit;  // after it ran, before it returns
};

class Decider {
  public:
    // `seed` keys the draws of rules with a probability (see draw.hpp).
    explicit Decider(const std::vector<Rule>& rules, std::uint64_t seed = 0);

    // Counts the call for every rule that matches it, and returns the verdict of the first
    // rule (in the order given) that fires, if any.
    std::optional<Verdict> on_syscall(const SyscallEvent& event);

    // Whether any rule could match this call; calls that none can are not even counted.
    bool picks(Abi abi, long number) const noexcept;

    bool has_rules() const noexcept { return !rules_.empty(); }

    // The name of a picked call, from a table built with the rules: no lookup, no allocation.
    std::string_view name_of(Abi abi, long number) const noexcept;

    // The union of the rules' syscall names, for the seccomp filter.
    std::vector<std::string> syscall_names() const;

    // A thread of process `tgid` called execve and now carries the process's id: its
    // per-thread counts go with it.
    void on_exec(pid_t former_tid, pid_t new_tid);
    void forget_thread(pid_t tid);
    void forget_process(pid_t tgid);

    // Calls counted so far by a rule, whatever its scope (for the summary).
    std::uint64_t matched(std::size_t rule_index) const { return rules_.at(rule_index).matched; }

  private:
    struct CompiledRule {
        When when;
        Scope per = Scope::tree;
        Action action;
        std::optional<int> signal;
        std::optional<std::chrono::microseconds> delay;
        std::optional<std::chrono::microseconds> delay_exit;
        std::optional<std::uint64_t> threshold;                  // for a rule with a probability
        std::array<std::vector<bool>, kAllAbis.size()> numbers;  // by ABI, then syscall number
        std::uint64_t tree_count = 0;
        std::unordered_map<pid_t, std::uint64_t> counts;  // by process or thread, per `per`
        std::uint64_t matched = 0;
    };

    static bool has_number(const std::vector<bool>& numbers, long number) noexcept {
        return number >= 0 && static_cast<std::size_t>(number) < numbers.size() &&
               numbers[static_cast<std::size_t>(number)];
    }

    std::vector<CompiledRule> rules_;
    std::uint64_t seed_ = 0;
    std::array<std::vector<bool>, kAllAbis.size()> any_rule_;
    std::array<std::vector<std::string>, kAllAbis.size()> picked_names_;  // by ABI, number
    std::vector<std::string> names_;
};

}  // namespace inject::engine
