// Durations: inject's own format ([expect] timeout, a fault's delay) and strace's
// (delay_enter, delay_exit), each value read and each mistake refused with its message.
#include "syscalls/durations.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace inject::text {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::string duration_error(std::string_view text) {
    try {
        checked_duration("delay", text, "50ms");
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

std::string strace_error(std::string_view text) {
    try {
        checked_strace_duration("delay_enter", text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

TEST(Duration, WholeNumberAndUnit) {
    EXPECT_EQ(checked_duration("delay", "50ms", "50ms"), milliseconds(50));
    EXPECT_EQ(checked_duration("delay", "250us", "50ms"), microseconds(250));
    EXPECT_EQ(checked_duration("delay", "3s", "50ms"), seconds(3));
    EXPECT_EQ(checked_duration("delay", "2m", "50ms"), minutes(2));
    EXPECT_EQ(checked_duration("delay", "0ms", "50ms"), microseconds(0));
}

TEST(Duration, MistakesSayWhatIsExpected) {
    const std::string usage =
        ": expected a whole number and a unit, us, ms, s or m (such as \"50ms\")";
    EXPECT_EQ(duration_error("50"), "invalid delay \"50\"" + usage);
    EXPECT_EQ(duration_error("ms"), "invalid delay \"ms\"" + usage);
    EXPECT_EQ(duration_error("1.5s"), "invalid delay \"1.5s\"" + usage);
    EXPECT_EQ(duration_error("-1s"), "invalid delay \"-1s\"" + usage);
    EXPECT_EQ(duration_error(""), "invalid delay \"\"" + usage);
    // One letter is too little to guess from: "h" is as near to "s" as to "m".
    EXPECT_EQ(duration_error("1h"), "invalid delay \"1h\"" + usage);
    EXPECT_EQ(duration_error("1000000m"), "delay \"1000000m\" is too long");
    EXPECT_EQ(duration_error("99999999999999999999s"),
              "delay \"99999999999999999999s\" is too long");
}

TEST(Duration, AUnitSpelledAnotherWayGetsADidYouMean) {
    EXPECT_EQ(duration_error("5sec"),
              "invalid delay \"5sec\": unknown unit \"sec\" (did you mean \"5s\"?)");
    EXPECT_EQ(duration_error("50msec"),
              "invalid delay \"50msec\": unknown unit \"msec\" (did you mean \"50ms\"?)");
    EXPECT_EQ(duration_error("2minutes"),
              "invalid delay \"2minutes\": unknown unit \"minutes\" (did you mean \"2m\"?)");
    EXPECT_EQ(duration_error("50mss"),
              "invalid delay \"50mss\": unknown unit \"mss\" (did you mean \"50ms\"?)");
    EXPECT_EQ(duration_error("50MS"),
              "invalid delay \"50MS\": unknown unit \"MS\" (did you mean \"50ms\"?)");
}

TEST(StraceDuration, ReadsWhatStraceReads) {
    // A bare number is microseconds, as in strace's -e inject=...:delay_enter=.
    EXPECT_EQ(checked_strace_duration("delay_enter", "300000"), milliseconds(300));
    EXPECT_EQ(checked_strace_duration("delay_enter", "300ms"), milliseconds(300));
    EXPECT_EQ(checked_strace_duration("delay_enter", "2s"), seconds(2));
    EXPECT_EQ(checked_strace_duration("delay_enter", "70us"), microseconds(70));
    EXPECT_EQ(checked_strace_duration("delay_enter", "1.5ms"), microseconds(1'500));
    EXPECT_EQ(checked_strace_duration("delay_enter", ".5s"), milliseconds(500));
    EXPECT_EQ(checked_strace_duration("delay_enter", "2e3"), milliseconds(2));
    // Not a hair over: 0.1 and 0.3 are not exact in binary, the delays are.
    EXPECT_EQ(checked_strace_duration("delay_enter", "0.1s"), milliseconds(100));
    EXPECT_EQ(checked_strace_duration("delay_enter", "0.3ms"), microseconds(300));
    EXPECT_EQ(checked_strace_duration("delay_enter", "1.1"), microseconds(2));
    EXPECT_EQ(checked_strace_duration("delay_enter", "+5"), microseconds(5));
    EXPECT_EQ(checked_strace_duration("delay_enter", "0"), microseconds(0));
    // Nanoseconds are rounded up to whole microseconds: never shorter than asked.
    EXPECT_EQ(checked_strace_duration("delay_enter", "1500ns"), microseconds(2));
    EXPECT_EQ(checked_strace_duration("delay_enter", "1ns"), microseconds(1));
    EXPECT_EQ(checked_strace_duration("delay_enter", "2000ns"), microseconds(2));
}

TEST(StraceDuration, Mistakes) {
    const std::string usage =
        ": expected a number and an optional unit, s, ms, us or ns (microseconds without one, as "
        "strace reads it)";
    EXPECT_EQ(strace_error(""), "invalid delay_enter \"\"" + usage);
    EXPECT_EQ(strace_error("-5"), "invalid delay_enter \"-5\"" + usage);
    EXPECT_EQ(strace_error("inf"), "invalid delay_enter \"inf\"" + usage);
    EXPECT_EQ(strace_error("ms"), "invalid delay_enter \"ms\"" + usage);
    EXPECT_EQ(strace_error("5m"), "invalid delay_enter \"5m\"" + usage);  // no minutes in strace
    EXPECT_EQ(strace_error("1e"), "invalid delay_enter \"1e\"" + usage);
    EXPECT_EQ(strace_error("5sec"),
              "invalid delay_enter \"5sec\": unknown unit \"sec\" (did you mean \"5s\"?)");
    EXPECT_EQ(strace_error("1.5usec"),
              "invalid delay_enter \"1.5usec\": unknown unit \"usec\" (did you mean \"1.5us\"?)");
    EXPECT_EQ(strace_error("1e400"), "delay_enter \"1e400\" is too long");
    EXPECT_EQ(strace_error("99999999999999999999"),
              "delay_enter \"99999999999999999999\" is too long");
}

TEST(Duration, TextIsTheShortestExactForm) {
    EXPECT_EQ(duration_text(minutes(2)), "2m");
    EXPECT_EQ(duration_text(seconds(90)), "90s");
    EXPECT_EQ(duration_text(milliseconds(1'500)), "1500ms");
    EXPECT_EQ(duration_text(microseconds(2'500)), "2500us");
    EXPECT_EQ(duration_text(microseconds(0)), "0ms");
    for (const char* text : {"2m", "90s", "1500ms", "2500us", "0ms"}) {
        EXPECT_EQ(duration_text(checked_duration("delay", text, "50ms")), text);
    }
}

}  // namespace
}  // namespace inject::text
