// How a value the user wrote is shown back in a message: quoted, escaped so that a message is
// always one line that is safe to print on a terminal, and with the nearest valid word when it
// was not one. Every layer above words its messages with these, so that the same mistake reads
// the same wherever it is made, and no value (a name with a newline, a path with an ESC in it)
// can break a message in two or reach the terminal as a control sequence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace inject::text {

// The length of the well-formed UTF-8 sequence at the start of `text` (not empty) and its code
// point, or 0 when it is not one (RFC 3629: overlong forms and surrogates are not).
std::size_t utf8_sequence(std::string_view text, std::uint32_t& code_point);

// `text` as one terminal-safe line: C escapes for '"', '\\' and the control characters
// ("\n", "\t", "\r", else "\x1b"), and "\xNN" for each byte that is not valid UTF-8 or encodes
// a C1 control (U+0080..U+009F, which some terminals obey as ESC sequences). Other UTF-8
// (a "café" path) stays as it is.
std::string escaped(std::string_view text);

// "\"" + escaped(text) + "\"", for messages.
std::string quoted(std::string_view text);

// Text that is already worded (a library's message, a file name in a location) as one
// terminal-safe line: what escaped() does, but quotes and backslashes stay as they are.
std::string one_line(std::string_view message);

// " (did you mean "word"?)" when a candidate is close enough (nearest_word), else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "0x1a2b": an address or an offset as strace and the tools of the field write it.
std::string hex(std::uint64_t value);

}  // namespace inject::text
