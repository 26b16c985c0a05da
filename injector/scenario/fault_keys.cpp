#include "scenario/fault_keys.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include "engine/glob.hpp"
#include "inject/names.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/durations.hpp"

namespace inject::detail {
namespace {

// In the order of FaultKey.
constexpr std::array<std::string_view, 14> kSupportedKeys{
    "syscall", "error", "retval",  "when",  "per",         "probability", "signal",
    "path",    "fd",    "process", "delay", "delay_enter", "delay_exit",  "short"};

constexpr std::int64_t kMaxErrno = 4095;

// The key an action is given by, for messages.
std::string_view action_key(const Action& action) {
    if (std::holds_alternative<FailWithErrno>(action)) {
        return "error";
    }
    return std::holds_alternative<ReturnValue>(action) ? "retval" : "short";
}

const std::vector<std::string>& all_key_names() {
    static const std::vector<std::string> names = [] {
        return std::vector<std::string>(kSupportedKeys.begin(), kSupportedKeys.end());
    }();
    return names;
}

// Every name either ABI knows, x86_64's first, so that ties in "did you mean" favour them.
const std::vector<std::string>& all_syscall_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        std::unordered_set<std::string> seen;
        for (Abi abi : kAllAbis) {
            for (SyscallEntry& entry : all_syscalls(abi)) {
                if (seen.insert(entry.name).second) {
                    v.push_back(std::move(entry.name));
                }
            }
        }
        return v;
    }();
    return names;
}

const std::vector<std::string>& all_errno_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (ErrnoEntry& entry : all_errnos()) {
            v.push_back(std::move(entry.name));
        }
        return v;
    }();
    return names;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal text with an optional minus sign, as std::from_chars reads it.
bool is_decimal(std::string_view text) {
    return all_digits(text.starts_with('-') ? text.substr(1) : text);
}

// The value of text is_decimal accepted; nullopt when it does not fit in 64 bits.
std::optional<std::int64_t> decimal_value(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{}) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

void fail(std::string message) {
    throw std::invalid_argument(std::move(message));
}

std::string_view fault_key_name(FaultKey key) {
    return kSupportedKeys[static_cast<std::size_t>(key)];
}

FaultKey fault_key(std::string_view key) {
    for (std::size_t i = 0; i < kSupportedKeys.size(); ++i) {
        if (kSupportedKeys[i] == key) {
            return static_cast<FaultKey>(i);
        }
    }
    fail(unknown_key_message(key, all_key_names()));
}

std::string unknown_key_message(std::string_view key, const std::vector<std::string>& candidates) {
    return "unknown key " + quoted(key) + did_you_mean(key, candidates);
}

std::string checked_syscall(std::string_view name) {
    if (name.empty()) {
        fail(std::string(kNoSyscallGiven));
    }
    if (name.starts_with('%')) {
        if (!catalogue::class_members(name.substr(1), Abi::x86_64)) {
            std::vector<std::string> classes;
            for (std::string_view known : catalogue::class_names()) {
                classes.push_back("%" + std::string(known));
            }
            fail("unknown syscall class " + quoted(name) + did_you_mean(name, classes));
        }
        return std::string(name);
    }
    if (name.starts_with('!') || name.starts_with('?') || name.starts_with('/') || name == "all") {
        fail(quoted(name) + " is not supported yet (name each syscall)");
    }
    if (!is_known_syscall(name)) {
        fail("unknown syscall " + quoted(name) + did_you_mean(name, all_syscall_names()));
    }
    return std::string(name);
}

std::string checked_syscall_in_list(std::string_view name) {
    if (name.empty()) {
        fail("empty syscall name in the list");
    }
    return checked_syscall(name);
}

int checked_errno(std::string_view text) {
    if (is_decimal(text)) {
        const auto number = decimal_value(text);
        if (!number || *number < 1 || *number > kMaxErrno) {
            fail("errno " + std::string(text) + " is out of range 1..4095");
        }
        return static_cast<int>(*number);
    }
    if (auto number = errno_from_text(text)) {
        return *number;
    }
    fail("unknown errno " + quoted(text) + did_you_mean(text, all_errno_names()));
}

int checked_errno(std::int64_t number) {
    if (number < 1 || number > kMaxErrno) {
        fail("errno " + std::to_string(number) + " is out of range 1..4095");
    }
    return static_cast<int>(number);
}

std::int64_t checked_retval(std::int64_t value) {
    if (value >= -kMaxErrno && value <= -1) {
        fail("retval " + std::to_string(value) +
             " looks like an error: use error=" + std::to_string(-value) + " instead");
    }
    return value;
}

std::int64_t checked_retval(std::string_view text) {
    if (!is_decimal(text)) {
        fail("invalid retval " + quoted(text) + ": expected a decimal integer");
    }
    const auto value = decimal_value(text);
    if (!value) {
        fail("invalid retval " + quoted(text) + ": number too large");
    }
    return checked_retval(*value);
}

namespace {

[[noreturn]] void short_out_of_range(std::string_view bytes) {
    fail("short " + std::string(bytes) + " is out of range: give a byte count 0.." +
         std::to_string(std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

std::uint64_t checked_short(std::int64_t bytes) {
    if (bytes < 0) {
        short_out_of_range(std::to_string(bytes));
    }
    return static_cast<std::uint64_t>(bytes);
}

std::uint64_t checked_short(std::string_view text) {
    if (!is_decimal(text)) {
        fail("invalid short " + quoted(text) + ": expected a byte count, a whole number 0 or more");
    }
    const auto bytes = decimal_value(text);
    if (!bytes) {
        short_out_of_range(text);
    }
    return checked_short(*bytes);
}

void check_byte_count(std::string_view name) {
    static constexpr std::string_view kWhat = "short applies to calls with a byte count; ";
    if (name.starts_with('%')) {
        for (Abi abi : kAllAbis) {
            for (const std::string& member : catalogue::syscalls_named(name, abi)) {
                if (catalogue::has_byte_count(abi, member)) {
                    return;
                }
            }
        }
        fail(std::string(kWhat) + "no call of " + quoted(name) + " has one");
    }
    for (Abi abi : kAllAbis) {
        if (syscall_number(abi, name) && !catalogue::has_byte_count(abi, name)) {
            fail(std::string(kWhat) + quoted(name) + " has none");
        }
    }
}

When checked_when(std::string_view text) {
    return When::parse(text);
}

When checked_when(std::int64_t number) {
    return When::parse(std::to_string(number));
}

Scope checked_per(std::string_view text) {
    static const std::vector<std::string> names{"tree", "process", "thread"};
    for (Scope scope : {Scope::tree, Scope::process, Scope::thread}) {
        if (scope_name(scope) == text) {
            return scope;
        }
    }
    fail("unknown per " + quoted(text) + did_you_mean(text, names));
}

double checked_probability(double value) {
    // NaN fails both comparisons, so it is refused too.
    if (!(value > 0.0 && value <= 1.0)) {
        if (value == 0.0) {
            fail("a rule with probability 0 never fires: give a probability in (0, 1]");
        }
        fail("probability " + format_probability(value) + " is out of range: give 0 < P <= 1");
    }
    return value;
}

double checked_probability(std::int64_t number) {
    if (number == 0) {
        return checked_probability(0.0);
    }
    if (number != 1) {
        fail("probability " + std::to_string(number) + " is out of range: give 0 < P <= 1");
    }
    return 1.0;
}

double checked_probability(std::string_view text) {
    // "0.05" or "5%": digits with at most one '.', then an optional '%'.
    const bool percent = text.ends_with('%');
    const std::string_view number = percent ? text.substr(0, text.size() - 1) : text;
    const bool well_formed = !number.empty() && number != "." &&
                             std::count(number.begin(), number.end(), '.') <= 1 &&
                             std::all_of(number.begin(), number.end(),
                                         [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    double value = 0.0;
    if (well_formed) {
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value,
                                         std::chars_format::fixed);
        if (ec != std::errc{} || end != number.data() + number.size()) {
            value = -1.0;
        }
    }
    if (!well_formed || value < 0.0) {
        fail("invalid probability " + quoted(text) + ": expected a number such as 0.05 or 5%");
    }
    if (percent) {
        if (value == 0.0) {
            return checked_probability(0.0);
        }
        if (!(value > 0.0 && value <= 100.0)) {
            fail("probability " + std::string(text) + " is out of range: give 0% < P <= 100%");
        }
        return value / 100.0;
    }
    return checked_probability(value);
}

std::string checked_path_glob(std::string_view text) {
    glob::check_path_glob(text);
    return std::string(text);
}

std::string checked_process_glob(std::string_view text) {
    glob::check_name_glob(text);
    return std::string(text);
}

int checked_fd(std::int64_t number) {
    if (number < 0) {
        fail("fd " + std::to_string(number) + " is negative: give a descriptor number 0 or more");
    }
    if (number > std::numeric_limits<int>::max()) {
        fail("fd " + std::to_string(number) + " is too large for a file descriptor");
    }
    return static_cast<int>(number);
}

int checked_fd(std::string_view text) {
    if (!is_decimal(text)) {
        fail("invalid fd " + quoted(text) + ": expected a descriptor number such as 3");
    }
    const auto number = decimal_value(text);
    if (!number) {
        fail("fd " + std::string(text) + " is too large for a file descriptor");
    }
    return checked_fd(*number);
}

std::chrono::microseconds checked_delay(std::string_view text) {
    return checked_duration("delay", text, "50ms");
}

std::chrono::microseconds checked_strace_delay(std::string_view key, std::string_view text) {
    return checked_strace_duration(key, text);
}

std::chrono::microseconds checked_strace_delay(std::string_view key, std::int64_t microseconds) {
    return checked_strace_duration(key, std::to_string(microseconds));
}

void FaultBuilder::add_syscall(std::string name) {
    if (std::find(rule_.syscalls.begin(), rule_.syscalls.end(), name) == rule_.syscalls.end()) {
        rule_.syscalls.push_back(std::move(name));
    }
}

void FaultBuilder::set_action(Action action) {
    if (has_action_) {
        fail("fault gives both " + std::string(action_key(rule_.effect.action)) + " and " +
             std::string(action_key(action)) + ": a fault takes one action");
    }
    rule_.effect.action = action;
    has_action_ = true;
}

void FaultBuilder::set_delay(std::string_view key, std::chrono::microseconds delay) {
    if (rule_.effect.delay) {
        fail(quoted(delay_key_) + " and " + quoted(key) +
             " are the same wait, before the call: give one of them");
    }
    rule_.effect.delay = delay;
    delay_key_ = std::string(key);
}

int checked_fault_signal(std::string_view text) {
    const int signal = checked_signal(text);
    if (signal == 0) {
        fail("signal \"none\" sends nothing: give a signal such as SIGKILL, or leave the key out");
    }
    return signal;
}

int checked_fault_signal(std::int64_t number) {
    return checked_signal(number);
}

namespace {

// Whether some call a rule's syscall list stands for, on either ABI, has an argument of one
// of these kinds.
bool some_call_takes(const std::vector<std::string>& names,
                     std::initializer_list<catalogue::ArgKind> kinds) {
    for (const std::string& name : names) {
        for (const Abi abi : kAllAbis) {
            for (const std::string& call : catalogue::syscalls_named(name, abi)) {
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
    }
    return false;
}

// "getpid takes", "getpid, getuid take": the subject of a message about all the names.
std::string calls_take(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) {
        text += (text.empty() ? "" : ", ") + name;
    }
    return text + (names.size() == 1 ? " takes" : " take");
}

}  // namespace

Rule FaultBuilder::build(std::string origin) && {
    if (rule_.syscalls.empty()) {
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
    if (!has_action_) {
        if (rule_.effect.signal) {
            // A call stopped by a signal before it ran returns EINTR, so that is what a signal
            // alone makes it return (after any delay); to_spec leaves the implied error out.
            rule_.effect.action = FailWithErrno{EINTR};
            rule_.signal_alone = true;
        } else if (rule_.effect.delay || rule_.effect.delay_exit) {
            rule_.effect.action = RunCall{};  // only delayed: the call itself runs
        } else {
            fail("fault has no action: give error, retval, short, signal or delay");
        }
    }
    if (shortens() && (rule_.effect.delay || rule_.effect.delay_exit)) {
        // A shortened call is cut and run at once; holding it too is not built.
        fail("short cannot be combined with a delay");
    }
    if (shortens()) {
        for (const std::string& name : rule_.syscalls) {
            check_byte_count(name);
        }
    }
    rule_.origin = std::move(origin);
    return std::move(rule_);
}

}  // namespace inject::detail
