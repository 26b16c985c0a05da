// What every fuzz target checks, the product's promise for any input: it is accepted, or
// refused with exactly one line that says where the mistake is. Anything else (a crash, an
// exception of another type, a message that breaks over lines or would put a control sequence
// on the terminal) aborts, which libFuzzer reports with the input that did it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace inject::fuzz {

// Prints what was broken, and the message, then aborts.
[[noreturn]] void broken(std::string_view promise, std::string_view message);

// `message` is one non-empty line that a terminal shows as it is: no C0 control or DEL, no C1
// control, valid UTF-8.
void expect_one_line(std::string_view message);

// The same, and it starts with "FILE:LINE:COL: " (LINE and COL numbers from 1) and says
// something after it.
void expect_located(std::string_view message, std::string_view file);

// The same, and it starts with `prefix` and says something after it.
void expect_prefixed(std::string_view message, std::string_view prefix);

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace inject::fuzz
