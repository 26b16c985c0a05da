#include "scenario/expect_keys.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <regex>
#include <stdexcept>
#include <utility>

#include "inject/names.hpp"
#include "scenario/fault_keys.hpp"

namespace inject::detail {
namespace {

constexpr std::array<std::string_view, 6> kExpectKeys{"exit_code", "signal",   "stdout",
                                                      "stderr",    "injected", "timeout"};

}  // namespace

std::string_view expect_key_name(ExpectKey key) {
    return kExpectKeys[static_cast<std::size_t>(key)];
}

ExpectKey expect_key(std::string_view key) {
    for (std::size_t i = 0; i < kExpectKeys.size(); ++i) {
        if (kExpectKeys[i] == key) {
            return static_cast<ExpectKey>(i);
        }
    }
    static const std::vector<std::string> names(kExpectKeys.begin(), kExpectKeys.end());
    fail(unknown_key_message(key, names));
}

int checked_exit_code(std::int64_t code) {
    if (code < 0 || code > 255) {
        fail("exit_code " + std::to_string(code) + " is out of range 0..255");
    }
    return static_cast<int>(code);
}

TextExpectation checked_text(std::string_view key, std::string_view text) {
    if (text.size() < 2 || !text.starts_with('/') || !text.ends_with('/')) {
        return {std::string(text), false};
    }
    std::string pattern(text.substr(1, text.size() - 2));
    if (pattern.empty()) {
        fail(quoted(key) + " is an empty regex, which any output matches");
    }
    try {
        std::regex(pattern, kTextRegexSyntax);
    } catch (const std::regex_error& e) {
        fail("invalid regex /" + pattern + "/: " + e.what());
    }
    return {std::move(pattern), true};
}

std::chrono::milliseconds checked_timeout(std::string_view text) {
    using std::chrono::microseconds;
    using std::chrono::milliseconds;
    const auto digits_end =
        std::find_if(text.begin(), text.end(), [](char c) { return c < '0' || c > '9'; });
    const std::string_view number = text.substr(0, digits_end - text.begin());
    const std::string_view unit = text.substr(number.size());
    const std::string usage =
        "invalid timeout " + quoted(text) +
        ": expected a whole number and a unit, us, ms, s or m (such as \"10s\")";
    std::int64_t micros_per_unit = 0;
    if (unit == "us") {
        micros_per_unit = 1;
    } else if (unit == "ms") {
        micros_per_unit = 1'000;
    } else if (unit == "s") {
        micros_per_unit = 1'000'000;
    } else if (unit == "m") {
        micros_per_unit = 60'000'000;
    }
    if (number.empty() || micros_per_unit == 0) {
        fail(usage);
    }
    std::int64_t count = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), count);
    // A year is more than any test waits; beyond it the arithmetic below could overflow.
    constexpr std::int64_t kMaxMicros = 366LL * 24 * 3600 * 1'000'000;
    if (error != std::errc{} || count > kMaxMicros / micros_per_unit) {
        fail("timeout " + quoted(text) + " is too long");
    }
    if (count == 0) {
        fail("timeout must be greater than 0, got " + quoted(text));
    }
    // Rounded up: a timeout must never fire earlier than asked.
    return std::chrono::ceil<milliseconds>(microseconds(count * micros_per_unit));
}

std::string duration_text(std::chrono::milliseconds duration) {
    const std::int64_t ms = duration.count();
    if (ms != 0 && ms % 60'000 == 0) {
        return std::to_string(ms / 60'000) + "m";
    }
    if (ms != 0 && ms % 1'000 == 0) {
        return std::to_string(ms / 1'000) + "s";
    }
    return std::to_string(ms) + "ms";
}

std::uint64_t checked_injected(std::int64_t count) {
    if (count < 0) {
        fail("\"injected\" must not be negative, got " + std::to_string(count));
    }
    return static_cast<std::uint64_t>(count);
}

}  // namespace inject::detail
