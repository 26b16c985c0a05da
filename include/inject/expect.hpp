// Expectations: the [expect] table that turns a scenario into a test.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace inject {

// A substring of the program's output, or a regular expression written as "/.../".
struct TextExpectation {
    std::string text;       // without the slashes for a regex
    bool is_regex = false;  // RE2 syntax, searched, not matched whole
    bool operator==(const TextExpectation&) const = default;
};

struct Expectations {
    std::optional<int> exit_code;
    // A signal number the program must die of, or 0 for "none": it must not die of one.
    std::optional<int> signal;
    std::optional<TextExpectation> stdout_text;
    std::optional<TextExpectation> stderr_text;
    std::optional<std::uint64_t> injected;  // faults fired in the whole run
    // A run still going after this long is killed and fails.
    std::optional<std::chrono::milliseconds> timeout;

    // Whether the program's output must be captured to check these.
    bool needs_output() const { return stdout_text.has_value() || stderr_text.has_value(); }
    bool operator==(const Expectations&) const = default;
};

}  // namespace inject
