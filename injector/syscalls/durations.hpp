// Durations as scenarios and specs write them: one reader for [expect] timeout and a fault's
// delay, and one for strace's delay_enter/delay_exit, so that the same mistake gets the same
// message wherever it is made.
//
// Every check throws std::invalid_argument with the bare message; the caller puts the location
// in front.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace inject::text {

// A whole number and a unit, "us", "ms", "s" or "m": "50ms", "10s". `key` names the value in
// messages ("timeout", "delay") and `example` shows a valid one ("10s"). 0 is accepted (the
// caller refuses it where it makes no sense); more than a year is refused as too long. A unit
// spelled another common way ("sec", "msec") gets a did-you-mean.
std::chrono::microseconds checked_duration(std::string_view key, std::string_view text,
                                           std::string_view example);

// strace's time format, as its -e inject=delay_enter= reads it: a decimal number, possibly
// with a fraction or an exponent ("1.5", "2e3"), and an optional unit, "s", "ms", "us" or
// "ns"; microseconds without one. Kept in whole microseconds: a finer value is rounded up, as
// a delay may be longer than asked but never shorter.
std::chrono::microseconds checked_strace_duration(std::string_view key, std::string_view text);

// The shortest exact way to write a duration in checked_duration's format: "2m", "10s",
// "1500ms", "250us"; zero is "0ms".
std::string duration_text(std::chrono::microseconds duration);
// The same without minutes ("120s"), so that strace's format reads it too.
std::string strace_duration_text(std::chrono::microseconds duration);

}  // namespace inject::text
