// The table of a fault's keys (fault_keys.hpp): how each value is read, and what it does to
// the fault being built (fault_builder.cpp).
#include "scenario/fault_keys.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>

#include "engine/caller_glob.hpp"
#include "engine/glob.hpp"
#include "inject/names.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/durations.hpp"

namespace inject::detail {
namespace {

constexpr std::int64_t kMaxErrno = 4095;

// ---- Reading values -------------------------------------------------------------------------

// A spec's value, or a TOML string (the reader let only the key's kinds through).
std::optional<std::string_view> text_of(const KeyValue& value) {
    if (const auto* text = std::get_if<std::string_view>(&value)) {
        return *text;
    }
    return std::nullopt;
}

std::optional<std::int64_t> integer_of(const KeyValue& value) {
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
        return *number;
    }
    return std::nullopt;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal text with an optional minus sign, as inject's own keys take it.
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

// A number as strace's own parser (strtol) reads one: blanks and a '+' may come first. nullopt
// for anything else; `too_large` set when the digits do not fit.
std::optional<std::uint64_t> strace_number(std::string_view text, bool& too_large) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    if (text.starts_with('+')) {
        text.remove_prefix(1);
    }
    if (!all_digits(text)) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    too_large = ec == std::errc::result_out_of_range;
    return too_large ? std::nullopt : std::optional(value);
}

// ---- Keys -------------------------------------------------------------------------------------

void apply_syscalls(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    if (const auto* element = std::get_if<ListElement>(&value)) {
        fault.add_syscall(element->text);
    } else {
        fault.set_syscalls(*text_of(value));
    }
}

// `shown` as written, which strace's reading lets start with blanks: a tab comes out as "\t".
[[noreturn]] void errno_out_of_range(std::string_view shown) {
    fail("errno " + text::escaped(shown) + " is out of range 1..4095");
}

// An errno name in any case, an alias, or a number 1..4095 (strace reads " 5" and "+5" too).
int checked_errno(const KeyValue& value) {
    if (const auto number = integer_of(value)) {
        if (*number < 1 || *number > kMaxErrno) {
            errno_out_of_range(std::to_string(*number));
        }
        return static_cast<int>(*number);
    }
    const std::string_view text = *text_of(value);
    if (text.empty()) {
        fail("error is empty: give an errno name such as ENOSPC, or a number 1..4095");
    }
    if (const auto named = errno_from_text(text)) {
        return *named;
    }
    bool too_large = false;
    const auto digits = strace_number(text, too_large);
    if (digits || too_large || is_decimal(text)) {
        if (!digits || *digits < 1 || *digits > static_cast<std::uint64_t>(kMaxErrno)) {
            errno_out_of_range(text);
        }
        return static_cast<int>(*digits);
    }
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (ErrnoEntry& entry : all_errnos()) {
            v.push_back(std::move(entry.name));
        }
        return v;
    }();
    fail("unknown errno " + quoted(text) + did_you_mean(text, names));
}

void apply_error(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_action(key, FailWithErrno{checked_errno(value)});
}

// strace's retval=: what strtoull reads (decimal, 0x hex, 0 octal, blanks and a sign first),
// up to 2^64-1. A value that reads as -4095..-1 is an error return, as it is under strace.
std::int64_t checked_retval(const KeyValue& value) {
    if (const auto number = integer_of(value)) {
        return *number;
    }
    const std::string text(*text_of(value));
    char* end = nullptr;
    errno = 0;
    const unsigned long long read = std::strtoull(text.c_str(), &end, 0);
    if (text.empty() || end == text.c_str() || *end != '\0') {
        fail("invalid retval " + quoted(text) +
             ": expected a number (decimal, 0x hex or 0 octal) up to 18446744073709551615");
    }
    if (errno == ERANGE) {
        fail("retval " + text + " is out of range: at most 18446744073709551615 (2^64-1)");
    }
    return static_cast<std::int64_t>(read);
}

void apply_retval(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_action(key, ReturnValue{checked_retval(value)});
}

[[noreturn]] void short_out_of_range(std::string_view bytes) {
    fail("short " + std::string(bytes) + " is out of range: give a byte count 0.." +
         std::to_string(std::numeric_limits<std::int64_t>::max()));
}

// A whole number 0..SSIZE_MAX, the most a read or write can move.
std::uint64_t checked_short(const KeyValue& value) {
    std::optional<std::int64_t> bytes = integer_of(value);
    if (!bytes) {
        const std::string_view text = *text_of(value);
        if (!is_decimal(text)) {
            fail("invalid short " + quoted(text) +
                 ": expected a byte count, a whole number 0 or more");
        }
        bytes = decimal_value(text);
        if (!bytes) {
            short_out_of_range(text);
        }
    }
    if (*bytes < 0) {
        short_out_of_range(std::to_string(*bytes));
    }
    return static_cast<std::uint64_t>(*bytes);
}

void apply_short(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_action(key, ShortenTo{checked_short(value)});
}

void apply_when(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    // `when = 3` in TOML is short for `when = "3"`.
    const auto number = integer_of(value);
    fault.set_when(When::parse(number ? std::to_string(*number) : std::string(*text_of(value))));
}

void apply_per(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    static const std::vector<std::string> names{"tree", "process", "thread"};
    const std::string_view text = *text_of(value);
    for (Scope scope : {Scope::tree, Scope::process, Scope::thread}) {
        if (scope_name(scope) == text) {
            fault.set_per(scope);
            return;
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

// A decimal ("0.05") or a percentage ("5%").
double probability_from_text(std::string_view text) {
    const bool percent = text.ends_with('%');
    const std::string_view number = percent ? text.substr(0, text.size() - 1) : text;
    const bool well_formed = !number.empty() && number != "." &&
                             std::count(number.begin(), number.end(), '.') <= 1 &&
                             std::all_of(number.begin(), number.end(),
                                         [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    double value = -1.0;
    if (well_formed) {
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value,
                                         std::chars_format::fixed);
        if (ec != std::errc{} || end != number.data() + number.size()) {
            value = -1.0;
        }
    }
    if (value < 0.0) {
        fail("invalid probability " + quoted(text) + ": expected a number such as 0.05 or 5%");
    }
    if (percent && value != 0.0) {
        if (!(value > 0.0 && value <= 100.0)) {
            fail("probability " + std::string(text) + " is out of range: give 0% < P <= 100%");
        }
        return value / 100.0;
    }
    return checked_probability(value);
}

void apply_probability(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    if (const auto* real = std::get_if<double>(&value)) {
        fault.set_probability(checked_probability(*real));
    } else if (const auto number = integer_of(value)) {
        // A TOML integer may be 1 (or 0, refused with the reason).
        if (*number != 0 && *number != 1) {
            fail("probability " + std::to_string(*number) + " is out of range: give 0 < P <= 1");
        }
        fault.set_probability(checked_probability(static_cast<double>(*number)));
    } else {
        fault.set_probability(probability_from_text(*text_of(value)));
    }
}

void apply_signal(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    const auto number = integer_of(value);
    const int signal = number ? checked_signal(*number) : checked_signal(*text_of(value));
    if (signal == 0) {
        fail("signal \"none\" sends nothing: give a signal such as SIGKILL, or leave the key out");
    }
    fault.set_signal(signal);
}

void apply_path(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    const std::string_view glob = *text_of(value);
    glob::check_path_glob(glob);
    fault.set_path(std::string(glob));
}

void apply_process(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    const std::string_view glob = *text_of(value);
    glob::check_name_glob(glob);
    fault.set_process(std::string(glob));
}

// A caller glob (engine/caller_glob.hpp): a function, a source file or line, a module offset.
void apply_caller(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    const std::string_view glob = *text_of(value);
    glob::check_caller_glob(glob);
    fault.set_caller(std::string(glob));
}

// "true" or "false" in a spec, a boolean in TOML.
bool checked_boolean(std::string_view key, const KeyValue& value) {
    if (const auto* flag = std::get_if<bool>(&value)) {
        return *flag;
    }
    const std::string_view text = *text_of(value);
    if (text == "true" || text == "false") {
        return text == "true";
    }
    fail(quoted(key) + " is true or false, not " + quoted(text) +
         did_you_mean(text, {"true", "false"}));
}

// run = true: the call really runs, then its result is replaced.
void apply_run(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_run_first(checked_boolean(key, value));
}

// A file descriptor number, 0..INT_MAX.
void apply_fd(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    std::optional<std::int64_t> number = integer_of(value);
    std::string shown = number ? std::to_string(*number) : std::string(*text_of(value));
    if (!number) {
        const std::string_view text = *text_of(value);
        if (!is_decimal(text)) {
            fail("invalid fd " + quoted(text) + ": expected a descriptor number such as 3");
        }
        number = decimal_value(text);
        if (!number) {
            fail("fd " + shown + " is too large for a file descriptor");
        }
    }
    if (*number < 0) {
        fail("fd " + shown + " is negative: give a descriptor number 0 or more");
    }
    if (*number > std::numeric_limits<int>::max()) {
        fail("fd " + shown + " is too large for a file descriptor");
    }
    fault.set_fd(static_cast<int>(*number));
}

// A whole number and a unit (text::checked_duration); no bare number: strace's delay_enter
// reads one as microseconds, a reader might take it for milliseconds. 0 is a wait of no time,
// which strace's delay_enter=0 allows too.
void apply_delay(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_delay(key, checked_duration(key, *text_of(value), "50ms"));
}

// strace's format (text::checked_strace_duration); a TOML integer is microseconds, as a bare
// number is there.
std::chrono::microseconds strace_delay(std::string_view key, const KeyValue& value) {
    if (const auto microseconds = integer_of(value)) {
        return text::checked_strace_duration(key, std::to_string(*microseconds));
    }
    return text::checked_strace_duration(key, *text_of(value));
}

void apply_delay_enter(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_delay(key, strace_delay(key, value));
}

void apply_delay_exit(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_delay_exit(strace_delay(key, value));
}

// strace's poke syntax: "@argN=HEX[,@argN=HEX...]", N 1..7, 1..1024 bytes as hex digit pairs,
// each argument once.
std::vector<Poke> checked_pokes(std::string_view key, std::string_view text) {
    if (text.empty()) {
        fail(quoted(key) + " is empty: give @argN=HEXBYTES, such as @arg1=2f746d7000");
    }
    std::vector<Poke> pokes;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) {
            continue;  // strace splits with strtok: a stray comma is nothing
        }
        const std::size_t equals = item.find('=');
        const std::string_view target = item.substr(0, equals);
        if (!target.starts_with("@arg") || target.size() != 5 || target[4] < '1' ||
            target[4] > '7' || equals == std::string_view::npos) {
            fail("invalid " + std::string(key) + " " + quoted(item) +
                 ": expected @argN=HEXBYTES with N 1..7");
        }
        const std::string_view hex = item.substr(equals + 1);
        if (hex.size() > 2048) {
            fail(std::string(key) + " writes at most 1024 bytes (2048 hex digits), not " +
                 std::to_string(hex.size()) + " hex digits");
        }
        if (hex.empty() || hex.size() % 2 != 0 || !std::all_of(hex.begin(), hex.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c));
            })) {
            fail("invalid " + std::string(key) + " bytes " + quoted(hex) +
                 ": expected pairs of hex digits, 1 to 1024 bytes");
        }
        Poke poke{static_cast<unsigned>(target[4] - '0'), {}};
        for (std::size_t at = 0; at < hex.size(); at += 2) {
            std::uint8_t byte = 0;
            std::from_chars(hex.data() + at, hex.data() + at + 2, byte, 16);
            poke.bytes.push_back(byte);
        }
        if (std::any_of(pokes.begin(), pokes.end(),
                        [&](const Poke& other) { return other.argument == poke.argument; })) {
            fail(std::string(key) + " writes @arg" + std::to_string(poke.argument) +
                 " twice: give each argument once");
        }
        pokes.push_back(std::move(poke));
    }
    return pokes;
}

void apply_pokes(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_pokes(key, checked_pokes(key, *text_of(value)));
}

// strace's syscall=: a call it may run instead of the one it fails, one of its %pure calls,
// which both ABIs have.
void apply_instead(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    const std::string_view name = *text_of(value);
    std::vector<std::string> pure;
    bool everywhere = true;
    for (const Abi abi : kAllAbis) {
        const auto members =
            catalogue::class_members("pure", abi).value_or(std::vector<std::string>{});
        everywhere = everywhere && std::binary_search(members.begin(), members.end(), name);
        if (abi == Abi::x86_64) {
            pure = members;
        }
    }
    if (!everywhere) {
        std::string list;
        for (const std::string& call : pure) {
            list += (list.empty() ? "" : ", ") + call;
        }
        fail(quoted(key) + " takes a call that changes nothing, which both ABIs have (" + list +
             "), not " + quoted(name) + did_you_mean(name, pure));
    }
    fault.set_instead(key, std::string(name));
}

void apply_lose_unsynced(FaultBuilder& fault, std::string_view key, const KeyValue& value) {
    fault.set_lose_unsynced(checked_boolean(key, value));
}

void apply_unsynced_mode(FaultBuilder& fault, std::string_view, const KeyValue& value) {
    static const std::vector<std::string> modes{"strict", "prefix"};
    const std::string_view text = *text_of(value);
    if (text == "strict" || text == "prefix") {
        fault.set_unsynced_mode(text == "prefix" ? UnsyncedLoss::prefix : UnsyncedLoss::all);
        return;
    }
    fail("unknown mode " + quoted(text) + did_you_mean(text, modes) +
         ": \"strict\" loses every unsynced change, \"prefix\" keeps a prefix of them");
}

// The table. `syscall` is the set in a TOML table and strace's replacement call in a spec; the
// other keys are the same in both. Values are checked by their function, in both readers.
constexpr unsigned kTextOrInteger = kText | kInteger;
constexpr std::string_view kMicroseconds = "a string or an integer (microseconds)";
const std::array kFaultKeys{
    // The set: before the first ':' in a spec, so a key of TOML only.
    FaultKey{.name = "syscall",
             .kinds = kText | kTextList,
             .expected = "a string or an array of strings",
             .apply = apply_syscalls,
             .in_fault_spec = true,
             .in_spec = false},
    FaultKey{.name = "syscall", .apply = apply_instead, .in_fault_spec = true, .in_toml = false},
    FaultKey{.name = "run_instead", .apply = apply_instead, .in_fault_spec = true},
    FaultKey{.name = "error", .kinds = kTextOrInteger, .apply = apply_error, .in_fault_spec = true},
    FaultKey{.name = "retval", .kinds = kInteger, .apply = apply_retval},
    FaultKey{.name = "short", .kinds = kInteger, .apply = apply_short},
    FaultKey{.name = "signal", .kinds = kTextOrInteger, .apply = apply_signal},
    FaultKey{.name = "when",
             .kinds = kTextOrInteger,
             .apply = apply_when,
             .repeatable = true,
             .in_fault_spec = true},
    FaultKey{.name = "per", .apply = apply_per, .in_fault_spec = true},
    FaultKey{.name = "probability",
             .kinds = kFloat | kInteger,
             .expected = "a number",
             .apply = apply_probability,
             .in_fault_spec = true},
    FaultKey{.name = "path", .apply = apply_path, .in_fault_spec = true},
    FaultKey{.name = "fd", .kinds = kInteger, .apply = apply_fd, .in_fault_spec = true},
    FaultKey{.name = "process", .apply = apply_process, .in_fault_spec = true},
    FaultKey{.name = "caller", .apply = apply_caller, .in_fault_spec = true},
    FaultKey{
        .name = "run", .kinds = kText | kBool, .expected = "true or false", .apply = apply_run},
    FaultKey{.name = "delay", .expected = "a string such as \"50ms\"", .apply = apply_delay},
    FaultKey{.name = "delay_enter",
             .kinds = kTextOrInteger,
             .expected = kMicroseconds,
             .apply = apply_delay_enter},
    FaultKey{.name = "delay_exit",
             .kinds = kTextOrInteger,
             .expected = kMicroseconds,
             .apply = apply_delay_exit},
    FaultKey{.name = "poke_enter", .apply = apply_pokes},
    FaultKey{.name = "poke_exit", .apply = apply_pokes},
    FaultKey{.name = "lose_unsynced",
             .kinds = kBool,
             .expected = "true or false",
             .apply = apply_lose_unsynced},
    FaultKey{.name = "mode", .apply = apply_unsynced_mode},
};

bool exists_in(const FaultKey& key, Syntax syntax) {
    return syntax == Syntax::toml ? key.in_toml : key.in_spec;
}

std::vector<std::string> key_names(Syntax syntax) {
    std::vector<std::string> names;
    for (const FaultKey& key : kFaultKeys) {
        if (exists_in(key, syntax)) {
            names.emplace_back(key.name);
        }
    }
    return names;
}

}  // namespace

void fail(std::string message) {
    throw std::invalid_argument(std::move(message));
}

std::string unknown_key_message(std::string_view key, const std::vector<std::string>& candidates) {
    return "unknown key " + quoted(key) + did_you_mean(key, candidates);
}

const FaultKey& fault_key(std::string_view name, Syntax syntax) {
    const auto found = std::find_if(kFaultKeys.begin(), kFaultKeys.end(), [&](const FaultKey& key) {
        return key.name == name && exists_in(key, syntax);
    });
    if (found == kFaultKeys.end()) {
        fail(unknown_key_message(name, key_names(syntax)));
    }
    if (syntax == Syntax::fault_spec && !found->in_fault_spec) {
        fail(quoted(name) +
             " is not a key of -e fault=, which only fails calls (error=, ENOSYS "
             "by default): give it with -e inject=");
    }
    return *found;
}

std::string expected_kinds(const FaultKey& key) {
    if (!key.expected.empty()) {
        return std::string(key.expected);
    }
    std::string words;
    for (const auto& [kind, word] :
         {std::pair{kText, "a string"}, std::pair{kInteger, "an integer"},
          std::pair{kFloat, "a float"}, std::pair{kBool, "a boolean"}}) {
        if ((key.kinds & kind) != 0) {
            words += (words.empty() ? "" : " or ") + std::string(word);
        }
    }
    return words;
}

}  // namespace inject::detail
