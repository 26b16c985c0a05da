#include "scenario/expect_keys.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "inject/names.hpp"
#include "report/expectations.hpp"
#include "scenario/fault_keys.hpp"
#include "syscalls/durations.hpp"

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
        report::check_text_regex(pattern);
    } catch (const std::invalid_argument& e) {
        // A pattern refused for its length is not shown whole.
        constexpr std::size_t kShown = 80;
        const std::string shown =
            pattern.size() > kShown ? pattern.substr(0, kShown) + "..." : pattern;
        fail("invalid regex /" + text::one_line(shown) + "/: " + e.what());
    }
    return {std::move(pattern), true};
}

std::chrono::milliseconds checked_timeout(std::string_view text) {
    const std::chrono::microseconds duration = checked_duration("timeout", text, "10s");
    if (duration.count() == 0) {
        fail("timeout must be greater than 0, got " + quoted(text));
    }
    // Rounded up: a timeout must never fire earlier than asked.
    return std::chrono::ceil<std::chrono::milliseconds>(duration);
}

std::uint64_t checked_injected(std::int64_t count) {
    if (count < 0) {
        fail("\"injected\" must not be negative, got " + std::to_string(count));
    }
    return static_cast<std::uint64_t>(count);
}

}  // namespace inject::detail
