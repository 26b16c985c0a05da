// Which call to fail, and how: the rules' counters and filters. Pure: a function of the rules,
// the counters so far and the event, so GoogleTest covers it without a tracee.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/caller_glob.hpp"
#include "engine/glob.hpp"
#include "inject/abi.hpp"
#include "inject/rule.hpp"
#include "inject/stack.hpp"
#include "syscalls/syscall_set.hpp"

namespace inject::engine {

// One syscall a tracee is about to make.
struct SyscallEvent {
    pid_t tid = 0;
    pid_t tgid = 0;  // the process
    Abi abi = Abi::x86_64;
    long number = -1;
};

// What a rule's filters ask about a call. The engine answers from the tracee (its memory and
// /proc), the unit tests from a fake; the Decider asks only when a rule that filters on the
// fact names the call, so calls of unfiltered rules cost nothing more.
class CallFacts {
  public:
    virtual ~CallFacts() = default;
    // The files the call touches, absolute and normalised: its path arguments (both of a
    // rename or link, not a symlink's target), or, for a call without one, the files its fd
    // arguments refer to. Empty when none is known (unreadable memory, a closed fd); a pipe or
    // socket shows as /proc shows it ("pipe:[1234]"), which no path glob matches.
    virtual const std::vector<std::string>& paths() = 0;
    // The call's file descriptor arguments (not a dirfd, not AT_FDCWD).
    virtual const std::vector<int>& fds() = 0;
    // The calling program's names: /proc/PID/comm and the basename of /proc/PID/exe.
    virtual const std::vector<std::string>& process_names() = 0;
    // The calling thread's stack, innermost frame first; empty when it cannot be unwound.
    virtual std::span<const StackFrame> stack() = 0;
};

// Facts for a call about which nothing is known: every filter fails.
class NoFacts final : public CallFacts {
  public:
    const std::vector<std::string>& paths() override { return no_strings_; }
    const std::vector<int>& fds() override { return no_fds_; }
    const std::vector<std::string>& process_names() override { return no_strings_; }
    std::span<const StackFrame> stack() override { return {}; }

  private:
    std::vector<std::string> no_strings_;
    std::vector<int> no_fds_;
};

// What to do to a call: the rule that fired, the call's number in that rule's count of its
// syscall, and the rule's effect.
struct Verdict {
    std::size_t rule_index = 0;
    std::uint64_t nth = 0;
    Effect effect;
    // The fired rule's path filter passed on CallFacts::paths()[path_index]; 0 without one.
    std::size_t path_index = 0;
};

class Decider {
  public:
    // `seed` keys the draws of rules with a probability (see draw.hpp).
    explicit Decider(const std::vector<Rule>& rules, std::uint64_t seed = 0);

    // Counts the call for every rule that matches it, and returns the verdict of the first
    // rule (in the order given) that fires, if any. A rule keeps one count per syscall, as
    // strace does: "write,close" counts its writes and its closes apart. A syscall is its name,
    // whichever ABI makes it.
    // `facts` is asked only for what a filter of a rule naming the call needs.
    std::optional<Verdict> on_syscall(const SyscallEvent& event, CallFacts& facts);
    std::optional<Verdict> on_syscall(const SyscallEvent& event) {
        NoFacts none;
        return on_syscall(event, none);
    }

    // Whether some rule's path filter can need the file behind a call's fd argument, so that
    // the engine must learn of the calls that close or replace fds (see FdCloser).
    bool needs_fd_paths() const noexcept { return needs_fd_paths_; }
    // Whether some rule filters on the caller, and so asks for the stack of the calls it names.
    bool needs_stacks() const noexcept { return needs_stacks_; }

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

    // Calls counted so far by a rule, all its syscalls together, whatever its scope (for the
    // summary).
    std::uint64_t matched(std::size_t rule_index) const { return rules_.at(rule_index).matched; }

  private:
    // A rule's counts: one slot per syscall it names, in each scope.
    using Counts = std::vector<std::uint64_t>;

    struct CompiledRule {
        When when;
        Scope per = Scope::tree;
        Effect effect;
        std::optional<std::uint64_t> threshold;  // for a rule with a probability
        std::optional<glob::PathGlob> path;
        std::optional<int> fd;
        std::optional<std::string> process;
        std::optional<glob::CallerGlob> caller;
        bool filtered = false;  // one test on the path of unfiltered rules
        // By ABI and number: the slot of the call's syscall in the counts, or -1 for a call
        // the rule does not name.
        std::array<std::vector<std::int32_t>, kAllAbis.size()> slots;
        std::size_t slot_count = 0;
        Counts tree_counts;
        std::unordered_map<pid_t, Counts> counts;  // by process or thread, per `per`
        std::uint64_t matched = 0;

        std::int32_t slot_of(Abi abi, long number) const noexcept {
            const auto& by_number = slots[static_cast<std::size_t>(abi)];
            return number >= 0 && static_cast<std::size_t>(number) < by_number.size()
                       ? by_number[static_cast<std::size_t>(number)]
                       : -1;
        }
    };

    // The rule's syscalls on each ABI, given their slots.
    void compile_syscalls(const Rule& rule, CompiledRule& compiled);
    // The call's number in the rule's count of its syscall, counted now.
    static std::uint64_t count(CompiledRule& rule, std::size_t slot, const SyscallEvent& event);

    // Whether the call passes the rule's filters; `path_index` gets the path that passed.
    static bool passes_filters(const CompiledRule& rule, CallFacts& facts, std::size_t& path_index);

    std::vector<CompiledRule> rules_;
    bool needs_fd_paths_ = false;
    bool needs_stacks_ = false;
    std::uint64_t seed_ = 0;
    SyscallSet any_rule_;
    std::array<std::vector<std::string>, kAllAbis.size()> picked_names_;  // by ABI, number
    std::vector<std::string> names_;
};

}  // namespace inject::engine
