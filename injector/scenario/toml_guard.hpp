// What a scenario's text must not hold when it reaches TOML++.
//
// TOML++ 3.3 (Debian 12's) reaches an assertion, or in a release build code it assumes
// unreachable, on three kinds of invalid text, where it should report a parse error: a raw
// NUL byte after "[[", a table header whose name starts with neither a bare-key character nor
// a quote ("[ #", "[!x]"), and a non-ASCII character outside quotes and comments ("café = 1",
// which a user may well write). Each is invalid TOML, so refusing it first loses nothing; the
// scan is a light lexer of TOML's strings, comments and headers, not a second parser.
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
