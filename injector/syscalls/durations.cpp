#include "syscalls/durations.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <stdexcept>

#include "inject/names.hpp"
#include "syscalls/text.hpp"

namespace inject::text {
namespace {

[[noreturn]] void fail(std::string message) {
    throw std::invalid_argument(std::move(message));
}

using std::chrono::microseconds;
using std::chrono::nanoseconds;

struct Unit {
    std::string_view name;
    std::int64_t nanoseconds;
};

constexpr std::array<Unit, 4> kUnits{
    {{"us", 1'000}, {"ms", 1'000'000}, {"s", 1'000'000'000}, {"m", 60'000'000'000}}};
// strace's: no minutes, but nanoseconds (str2timescale_ex).
constexpr std::array<Unit, 4> kStraceUnits{
    {{"s", 1'000'000'000}, {"ms", 1'000'000}, {"us", 1'000}, {"ns", 1}}};

// Other ways people write the units, for "did you mean": edit distance alone cannot get from
// "sec" to "s".
constexpr auto kOtherSpellings = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"sec", "s"},
    {"secs", "s"},
    {"second", "s"},
    {"seconds", "s"},
    {"msec", "ms"},
    {"msecs", "ms"},
    {"millisecond", "ms"},
    {"milliseconds", "ms"},
    {"usec", "us"},
    {"usecs", "us"},
    {"\u00b5s", "us"},
    {"microsecond", "us"},
    {"microseconds", "us"},
    {"min", "m"},
    {"mins", "m"},
    {"minute", "m"},
    {"minutes", "m"},
    {"nsec", "ns"},
});

// A year is more than any test waits; beyond it the arithmetic could overflow.
constexpr std::int64_t kMaxNanoseconds = 366LL * 24 * 3600 * 1'000'000'000;

std::optional<std::int64_t> unit_length(std::span<const Unit> units, std::string_view name) {
    for (const Unit& unit : units) {
        if (unit.name == name) {
            return unit.nanoseconds;
        }
    }
    return std::nullopt;
}

// The unit meant by a misspelt one, if it is clear enough: another common spelling, or a
// typo of a valid unit. A single letter ("h") has too many neighbours to guess from.
std::optional<std::string> meant_unit(std::span<const Unit> units, std::string_view unit) {
    for (const auto& [spelling, meant] : kOtherSpellings) {
        if (spelling == unit && unit_length(units, meant)) {
            return std::string(meant);
        }
    }
    if (unit.size() < 2) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    for (const Unit& each : units) {
        names.emplace_back(each.name);
    }
    return nearest_word(unit, names);
}

[[noreturn]] void fail_unit(std::string_view key, std::string_view text, std::string_view number,
                            std::string_view unit, const std::string& meant) {
    fail("invalid " + std::string(key) + " " + quoted(text) + ": unknown unit " + quoted(unit) +
         " (did you mean " + quoted(std::string(number) + meant) + "?)");
}

// Whole nanoseconds, the fraction dropped as strace's parse_ts drops it (so "0.1s" is not a
// hair over 100ms), then whole microseconds, rounded up; throws when over a year.
microseconds checked_length(std::string_view key, std::string_view text, long double ns) {
    if (!(ns <= static_cast<long double>(kMaxNanoseconds))) {
        fail(std::string(key) + " " + quoted(text) + " is too long");
    }
    return std::chrono::ceil<microseconds>(nanoseconds(static_cast<std::int64_t>(ns)));
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

microseconds checked_duration(std::string_view key, std::string_view text,
                              std::string_view example) {
    const std::string_view number =
        text.substr(0, static_cast<std::size_t>(
                           std::find_if_not(text.begin(), text.end(), is_digit) - text.begin()));
    const std::string_view unit = text.substr(number.size());
    const std::optional<std::int64_t> length = unit_length(kUnits, unit);
    if (!number.empty() && !length) {
        if (auto meant = meant_unit(kUnits, unit)) {
            fail_unit(key, text, number, unit, *meant);
        }
    }
    if (number.empty() || !length) {
        fail("invalid " + std::string(key) + " " + quoted(text) +
             ": expected a whole number and a unit, us, ms, s or m (such as " + quoted(example) +
             ")");
    }
    std::int64_t count = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), count);
    if (error != std::errc{} || count > kMaxNanoseconds / *length) {
        fail(std::string(key) + " " + quoted(text) + " is too long");
    }
    return checked_length(key, text, static_cast<long double>(count * *length));
}

microseconds checked_strace_duration(std::string_view key, std::string_view text) {
    const auto usage = [&] {
        fail("invalid " + std::string(key) + " " + quoted(text) +
             ": expected a number and an optional unit, s, ms, us or ns (microseconds without "
             "one, as strace reads it)");
    };
    std::string_view rest = text;
    if (rest.starts_with('+')) {
        rest.remove_prefix(1);  // strtod's sign; a minus is refused below
    }
    // from_chars would also read "inf" and "nan", which strace's parse_ts does not.
    if (rest.empty() || !(is_digit(rest.front()) || rest.front() == '.')) {
        usage();
    }
    double value = 0;
    const auto [end, error] =
        std::from_chars(rest.data(), rest.data() + rest.size(), value, std::chars_format::general);
    if (error == std::errc::result_out_of_range) {
        fail(std::string(key) + " " + quoted(text) + " is too long");
    }
    if (error != std::errc{}) {
        usage();
    }
    const std::string_view number = text.substr(0, static_cast<std::size_t>(end - text.data()));
    const std::string_view unit = text.substr(number.size());
    const std::int64_t length = unit.empty() ? 1'000 : unit_length(kStraceUnits, unit).value_or(0);
    if (length == 0) {
        if (auto meant = meant_unit(kStraceUnits, unit)) {
            fail_unit(key, text, number, unit, *meant);
        }
        usage();
    }
    // An integer stays exact: a double cannot hold every nanosecond count of a long delay.
    const bool whole = std::all_of(rest.data(), end, is_digit);
    std::int64_t count = 0;
    if (whole && std::from_chars(rest.data(), end, count).ec == std::errc{}) {
        if (count > kMaxNanoseconds / length) {
            fail(std::string(key) + " " + quoted(text) + " is too long");
        }
        return checked_length(key, text, static_cast<long double>(count * length));
    }
    return checked_length(key, text,
                          static_cast<long double>(value) * static_cast<long double>(length));
}

namespace {

// In the largest of `units` that holds the duration exactly.
std::string text_in(std::span<const Unit> units, microseconds duration) {
    const std::int64_t us = duration.count();
    if (us == 0) {
        return "0ms";
    }
    for (const Unit& unit : units) {
        const std::int64_t per_unit = unit.nanoseconds / 1'000;
        if (per_unit > 0 && us % per_unit == 0) {
            return std::to_string(us / per_unit) + std::string(unit.name);
        }
    }
    return std::to_string(us) + "us";
}

}  // namespace

std::string duration_text(microseconds duration) {
    constexpr std::array<Unit, 4> kLargestFirst{{kUnits[3], kUnits[2], kUnits[1], kUnits[0]}};
    return text_in(kLargestFirst, duration);
}

std::string strace_duration_text(microseconds duration) {
    return text_in(kStraceUnits, duration);
}

}  // namespace inject::text
