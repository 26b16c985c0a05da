// How a value the user wrote is shown back in a message: quoted, and with the nearest valid
// word when it was not one. Every layer above words its messages with these, so that the same
// mistake reads the same wherever it is made.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace inject::text {

// "\"text\"", for messages.
std::string quoted(std::string_view text);

// " (did you mean "word"?)" when a candidate is close enough (nearest_word), else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "0x1a2b": an address or an offset as strace and the tools of the field write it.
std::string hex(std::uint64_t value);

}  // namespace inject::text
