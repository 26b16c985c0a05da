// What a scenario's text must not hold when it reaches TOML++.
//
// TOML++ 3.3 (Debian 12's) fails an assertion, or in a release build runs into code it
// assumes unreachable, on some text where it should report a parse error: a table header
// whose name starts with neither a bare-key character nor a quote ("[ #", "[[[a]]]"), a raw
// NUL, a non-ASCII character where it tests for whitespace (outside quotes: "café = 1", which a
// user may well write; after a backslash in a multi-line string; in a number's read-ahead), a
// '}' where an array's element starts, and a date followed by one digit. docs/reliability.md
// lists them. All but one (non-ASCII after a line-ending backslash) are invalid TOML, so
// refusing them first loses nothing; the scan is a light lexer of TOML's strings, comments,
// headers and values, not a second parser.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace inject::detail {

struct TomlTextFault {
    std::size_t line;    // 1-based
    std::size_t column;  // 1-based, in code points, as TOML++ counts them
    std::string message;
};

// The first such place in `text`, if any.
std::optional<TomlTextFault> find_toml_text_fault(std::string_view text);

}  // namespace inject::detail
