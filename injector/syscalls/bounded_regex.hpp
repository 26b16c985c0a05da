// What every regex inject compiles is compiled with: RE2, whose match time is linear in the
// text, here also bounded in the memory its compiled form may take, so that no pattern a user
// writes (a set's /REGEX, an [expect] "/regex/") can make inject take the machine's memory.
// Callers choose the syntax; the messages are theirs to word.
#pragma once

#include <re2/re2.h>

#include <cstdint>

namespace inject::text {

inline constexpr std::int64_t kMaxRegexMemory = std::int64_t{8} << 20;

// No logging (the caller words the error), no captures (only whether it matches), at most
// kMaxRegexMemory compiled.
RE2::Options bounded_regex_options();

}  // namespace inject::text
