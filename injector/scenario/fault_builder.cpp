// The fault being built from its keys, and the checks that need all of them (fault_keys.hpp).
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <initializer_list>
#include <utility>

#include "inject/names.hpp"
#include "scenario/fault_keys.hpp"
#include "syscalls/catalogue.hpp"

namespace inject::detail {
namespace {

// Whether some call a rule's set stands for, on either ABI, has an argument of one of these
// kinds.
bool some_call_takes(const SyscallNames& names, std::initializer_list<catalogue::ArgKind> kinds) {
    for (const Abi abi : kAllAbis) {
        for (const std::string& call : catalogue::syscalls_named(names, abi)) {
            const auto number = syscall_number(abi, call);
            const catalogue::Signature* signature =
                number ? catalogue::signature(abi, *number) : nullptr;
            if (signature != nullptr &&
                std::any_of(kinds.begin(), kinds.end(),
                            [&](catalogue::ArgKind kind) { return signature->find(kind); })) {
                return true;
            }
        }
    }
    return false;
}

// "getpid takes", "getpid, getuid take": the subject of a message about all the names, each
// as the user wrote it, escaped (an element such as "?\xfe" is skipped, not refused).
std::string calls_take(const SyscallNames& names) {
    std::string text = names.negated ? "every call but " : "";
    for (std::size_t index = 0; index < names.elements.size(); ++index) {
        text += (index == 0 ? "" : ", ") + text::escaped(names.elements[index]);
    }
    return text + (names.elements.size() == 1 && !names.negated ? " takes" : " take");
}

bool some_call_has_byte_count(const SyscallNames& names) {
    for (const Abi abi : kAllAbis) {
        for (const std::string& call : catalogue::syscalls_named(names, abi)) {
            if (catalogue::has_byte_count(abi, call)) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace

void check_byte_count(std::string_view element) {
    static constexpr std::string_view kWhat = "short applies to calls with a byte count; ";
    // A name stands for one call; a class, a regex, a number (a different call on each ABI)
    // or "all" for a group.
    const std::string_view body = catalogue::element_body(element);
    if (!is_known_syscall(body)) {
        if (!some_call_has_byte_count(SyscallNames{{std::string(element)}})) {
            fail(std::string(kWhat) + "no call of " + quoted(element) + " has one");
        }
        return;
    }
    for (Abi abi : kAllAbis) {
        if (syscall_number(abi, body) && !catalogue::has_byte_count(abi, body)) {
            fail(std::string(kWhat) + quoted(body) + " has none");
        }
    }
}

void FaultBuilder::set_syscalls(std::string_view set) {
    SyscallNames names;
    // Each leading '!' inverts the rest, as in strace.
    while (set.starts_with('!')) {
        names.negated = !names.negated;
        set.remove_prefix(1);
    }
    // Empty elements are skipped, as strace's strtok skips them ("write," is "write").
    for (std::size_t at = 0; at <= set.size();) {
        const std::size_t comma = std::min(set.find(',', at), set.size());
        const std::string_view element = set.substr(at, comma - at);
        if (!element.empty() && std::find(names.elements.begin(), names.elements.end(), element) ==
                                    names.elements.end()) {
            names.elements.emplace_back(element);
        }
        at = comma + 1;
    }
    catalogue::check_set(names);
    rule_.syscalls = std::move(names);
}

void FaultBuilder::add_syscall(std::string_view element) {
    if (element.empty()) {
        fail("empty syscall name in the list");
    }
    if (element != "none") {
        catalogue::check_element(element);
    }
    std::vector<std::string>& elements = rule_.syscalls.elements;
    if (std::find(elements.begin(), elements.end(), element) == elements.end()) {
        elements.emplace_back(element);
    }
    catalogue::check_set(rule_.syscalls);  // "none" alone
}

void FaultBuilder::set_action(std::string_view key, Action action) {
    if (has_action_) {
        throw KeyConflict("fault gives both " + action_key_ + " and " + std::string(key) +
                          ": a fault takes one action");
    }
    rule_.effect.action = action;
    has_action_ = true;
    action_key_ = std::string(key);
}

void FaultBuilder::set_delay(std::string_view key, std::chrono::microseconds delay) {
    if (rule_.effect.delay) {
        throw KeyConflict(quoted(delay_key_) + " and " + quoted(key) +
                          " are the same wait, before the call: give one of them");
    }
    rule_.effect.delay = delay;
    delay_key_ = std::string(key);
}

void FaultBuilder::set_pokes(std::string_view key, std::vector<Poke> pokes) {
    (key == "poke_enter" ? rule_.effect.poke_enter : rule_.effect.poke_exit) = std::move(pokes);
}

void FaultBuilder::set_instead(std::string_view key, std::string syscall) {
    if (rule_.effect.instead) {
        throw KeyConflict(quoted(instead_key_) + " and " + quoted(key) +
                          " are the same key: give one of them");
    }
    rule_.effect.instead = std::move(syscall);
    instead_key_ = std::string(key);
}

void FaultBuilder::check_power_cut() {
    if (unsynced_mode_ && !lose_unsynced_) {
        fail("\"mode\" says what a power cut keeps: it needs lose_unsynced = true");
    }
    if (!lose_unsynced_) {
        return;
    }
    // The disk is cut where the program dies, before the call runs: a crash point, no other
    // fault, or the program would go on writing after its own power cut.
    const Effect& effect = rule_.effect;
    if (effect.signal != SIGKILL || !std::holds_alternative<RunCall>(effect.action)) {
        fail(
            "lose_unsynced makes a crash point a power cut: give signal = SIGKILL (and no "
            "error, retval or short)");
    }
    rule_.effect.lose_unsynced = unsynced_mode_.value_or(UnsyncedLoss::all);
}

Rule FaultBuilder::build(std::string origin) && {
    if (rule_.syscalls.elements.empty()) {
        fail("fault has no syscall");
    }
    // A filter that no call of the rule can pass would make a rule that never fires.
    if (rule_.path &&
        !some_call_takes(rule_.syscalls, {catalogue::ArgKind::path, catalogue::ArgKind::fd})) {
        fail("\"path\" never matches: " + calls_take(rule_.syscalls) +
             " no path or file descriptor");
    }
    if (rule_.fd && !some_call_takes(rule_.syscalls, {catalogue::ArgKind::fd})) {
        fail("\"fd\" never matches: " + calls_take(rule_.syscalls) +
             " no file descriptor (a dirfd is not one)");
    }
    Effect& effect = rule_.effect;
    if (!has_action_) {
        if (syntax_ == Syntax::fault_spec) {
            effect.action = FailWithErrno{ENOSYS};  // strace's default for -e fault=
        } else if (effect.signal || effect.delay || effect.delay_exit ||
                   !effect.poke_enter.empty() || !effect.poke_exit.empty()) {
            effect.action = RunCall{};  // the call itself runs (a signal goes with it)
        } else {
            fail(
                "fault has no action: give error, retval, short, signal, delay, poke_enter "
                "or poke_exit");
        }
    }
    if (shortens() && (effect.delay || effect.delay_exit)) {
        // A shortened call is cut and run at once; holding it too is not built.
        fail("short cannot be combined with a delay");
    }
    if (shortens()) {
        if (rule_.syscalls.negated) {
            if (!some_call_has_byte_count(rule_.syscalls)) {
                fail("short applies to calls with a byte count; no call of " +
                     quoted(to_string(rule_.syscalls)) + " has one");
            }
        } else {
            for (const std::string& element : rule_.syscalls.elements) {
                check_byte_count(element);
            }
        }
    }
    check_power_cut();
    rule_.origin = std::move(origin);
    return std::move(rule_);
}

}  // namespace inject::detail
