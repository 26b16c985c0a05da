// The keys of a scenario's [expect] table, checked one value at a time.
//
// As in fault_keys.hpp, every check throws std::invalid_argument with the bare message; the
// TOML reader puts the location in front.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inject/expect.hpp"
#include "scenario/fault_keys.hpp"

namespace inject::detail {

enum class ExpectKey : std::uint8_t {
    exit_code,
    signal,
    stdout_text,
    stderr_text,
    injected,
    timeout
};

// The name as written in a scenario: "exit_code", "stdout", ...
std::string_view expect_key_name(ExpectKey key);

// The key named `key`; throws `unknown key "exit_cod" (did you mean "exit_code"?)`.
ExpectKey expect_key(std::string_view key);

// 0..255: what a process can exit with.
int checked_exit_code(std::int64_t code);

// A substring, or "/regex/" (RE2, searched, ^ and $ at line ends); "" means that the output
// must be empty. A regex that RE2 refuses, or that is out of bounds (report::check_text_regex),
// is refused with the reason.
TextExpectation checked_text(std::string_view key, std::string_view text);

// A duration as text::checked_duration (syscalls/durations.hpp) reads it ("10s"), greater than 0.
// Microseconds are rounded up to whole milliseconds.
std::chrono::milliseconds checked_timeout(std::string_view text);

std::uint64_t checked_injected(std::int64_t count);

}  // namespace inject::detail
