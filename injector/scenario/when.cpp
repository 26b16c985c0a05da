// strace's `when=` grammar: N, N+, N+STEP, N..M, N..M+, N..M+STEP.
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "inject/rule.hpp"
#include "scenario/fault_keys.hpp"

namespace inject {
namespace {

using detail::quoted;

[[noreturn]] void fail(std::string_view text, std::string_view why) {
    throw std::invalid_argument("invalid when " + quoted(text) + ": " + std::string(why));
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The run of digits at the front of `rest`, removed from it. As strace's strtol reads them,
// blanks and a '+' may come before the digits ("when=+3").
std::string_view take_digits(std::string_view& rest) {
    std::size_t start = 0;
    while (start < rest.size() && (rest[start] == ' ' || rest[start] == '\t')) {
        ++start;
    }
    if (start < rest.size() && rest[start] == '+') {
        ++start;
    }
    std::size_t n = start;
    while (n < rest.size() && is_digit(rest[n])) {
        ++n;
    }
    if (n == start) {
        return {};  // no digits: nothing taken, the '+' is the grammar's
    }
    std::string_view digits = rest.substr(start, n - start);
    rest.remove_prefix(n);
    return digits;
}

bool take(std::string_view& rest, std::string_view prefix) {
    if (!rest.starts_with(prefix)) {
        return false;
    }
    rest.remove_prefix(prefix.size());
    return true;
}

// Shape first, numbers second: "abc" and "1..x" both get the grammar message, and only text
// of the right shape can be "too large" or "out of order".
struct Parts {
    std::string_view first, last, step;
    bool open_ended = false;
};

std::optional<Parts> split(std::string_view text) {
    Parts parts;
    std::string_view rest = text;
    parts.first = take_digits(rest);
    if (parts.first.empty()) {
        return std::nullopt;
    }
    if (rest.empty()) {
        return parts;
    }
    if (take(rest, "..")) {
        parts.last = take_digits(rest);
        if (parts.last.empty()) {
            return std::nullopt;
        }
        if (rest.empty()) {
            return parts;
        }
        if (!take(rest, "+")) {
            return std::nullopt;
        }
        parts.step = take_digits(rest);  // none: "N..M+", every call of the range
        if (!rest.empty()) {
            return std::nullopt;
        }
        return parts;
    }
    if (!take(rest, "+")) {
        return std::nullopt;
    }
    parts.open_ended = true;
    parts.step = take_digits(rest);
    if (!rest.empty()) {
        return std::nullopt;
    }
    return parts;
}

std::uint64_t to_number(std::string_view whole, std::string_view digits) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) {
        fail(whole, "number too large");
    }
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        fail(whole, "expected N, N+, N+STEP, N..M, N..M+ or N..M+STEP");
    }
    return value;
}

}  // namespace

When When::parse(std::string_view text) {
    if (text.empty()) {
        throw std::invalid_argument("when is empty");
    }
    std::optional<Parts> parts = split(text);
    if (!parts) {
        fail(text, "expected N, N+, N+STEP, N..M, N..M+ or N..M+STEP");
    }
    When when;
    when.first = to_number(text, parts->first);
    if (parts->open_ended) {
        when.last = kNoLast;
    } else if (parts->last.empty()) {
        when.last = when.first;
    } else {
        when.last = to_number(text, parts->last);
    }
    if (!parts->step.empty()) {
        when.step = to_number(text, parts->step);
    }
    if (when.first == 0) {
        fail(text, "calls are numbered from 1");
    }
    if (when.last < when.first) {
        fail(text, "the range ends before it starts");
    }
    if (when.step == 0) {
        fail(text, "the step must be at least 1");
    }
    return when;
}

}  // namespace inject
