// strace's `when=` grammar: what parses, what each mistake says, which calls fire.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "inject/rule.hpp"

namespace inject {
namespace {

constexpr std::uint64_t kMax = When::kNoLast;

// The calls among 1..upto that `when` fires on.
std::vector<std::uint64_t> fired(const When& when, std::uint64_t upto) {
    std::vector<std::uint64_t> calls;
    for (std::uint64_t nth = 1; nth <= upto; ++nth) {
        if (when.matches(nth)) {
            calls.push_back(nth);
        }
    }
    return calls;
}

std::string parse_error(std::string_view text) {
    try {
        When::parse(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(When, DefaultFiresOnEveryCall) {
    const When when;
    EXPECT_EQ(fired(when, 5), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    EXPECT_TRUE(when.matches(kMax));
    EXPECT_FALSE(when.matches(0));
    EXPECT_EQ(when.to_string(), "1+");
    EXPECT_EQ(When::parse("1+"), when);
}

TEST(When, ParsesEachForm) {
    EXPECT_EQ(When::parse("3"), (When{3, 3, 1}));
    EXPECT_EQ(When::parse("2+"), (When{2, kMax, 1}));
    EXPECT_EQ(When::parse("2+3"), (When{2, kMax, 3}));
    EXPECT_EQ(When::parse("1..4"), (When{1, 4, 1}));
    EXPECT_EQ(When::parse("1..4+2"), (When{1, 4, 2}));
    EXPECT_EQ(When::parse("7..7"), (When{7, 7, 1}));
    EXPECT_EQ(When::parse("007"), (When{7, 7, 1}));
    EXPECT_EQ(When::parse("18446744073709551615"), (When{kMax, kMax, 1}));
    EXPECT_EQ(When::parse("1..18446744073709551615"), (When{1, kMax, 1}));
    // strace's N..M+ is every call of the range.
    EXPECT_EQ(When::parse("2..4+"), (When{2, 4, 1}));
}

TEST(When, NumbersAsStracesStrtolReadsThem) {
    // strace reads each number with strtol: blanks and a '+' may come first.
    EXPECT_EQ(When::parse("+3"), (When{3, 3, 1}));
    EXPECT_EQ(When::parse(" 3"), (When{3, 3, 1}));
    EXPECT_EQ(When::parse("3..+5"), (When{3, 5, 1}));
    EXPECT_EQ(When::parse("1++2"), (When{1, kMax, 2}));
}

TEST(When, OnlyTheNth) {
    EXPECT_EQ(fired(When::parse("3"), 10), (std::vector<std::uint64_t>{3}));
    EXPECT_EQ(fired(When::parse("1"), 10), (std::vector<std::uint64_t>{1}));
}

TEST(When, FromNthOn) {
    EXPECT_EQ(fired(When::parse("4+"), 7), (std::vector<std::uint64_t>{4, 5, 6, 7}));
    EXPECT_TRUE(When::parse("4+").matches(kMax));
}

TEST(When, FromNthWithStep) {
    EXPECT_EQ(fired(When::parse("2+3"), 10), (std::vector<std::uint64_t>{2, 5, 8}));
    EXPECT_EQ(fired(When::parse("1+1"), 4), (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST(When, Range) {
    EXPECT_EQ(fired(When::parse("3..6"), 10), (std::vector<std::uint64_t>{3, 4, 5, 6}));
    EXPECT_EQ(fired(When::parse("5..5"), 10), (std::vector<std::uint64_t>{5}));
}

TEST(When, RangeWithStep) {
    EXPECT_EQ(fired(When::parse("1..4+2"), 10), (std::vector<std::uint64_t>{1, 3}));
    EXPECT_EQ(fired(When::parse("2..11+3"), 20), (std::vector<std::uint64_t>{2, 5, 8, 11}));
    EXPECT_EQ(fired(When::parse("1..3+10"), 20), (std::vector<std::uint64_t>{1}));
}

TEST(When, ToStringIsShortest) {
    EXPECT_EQ((When{3, 3, 1}).to_string(), "3");
    EXPECT_EQ((When{2, kMax, 1}).to_string(), "2+");
    EXPECT_EQ((When{2, kMax, 3}).to_string(), "2+3");
    EXPECT_EQ((When{1, 4, 1}).to_string(), "1..4");
    EXPECT_EQ((When{1, 4, 2}).to_string(), "1..4+2");
    EXPECT_EQ((When{kMax, kMax, 1}).to_string(), "18446744073709551615");
}

TEST(When, ToStringParsesBack) {
    for (const char* text : {"3", "2+", "2+3", "1..4", "1..4+2", "3..3+2", "1+", "10..20+5",
                             "1..18446744073709551615+7", "2..5+"}) {
        const When when = When::parse(text);
        EXPECT_EQ(When::parse(when.to_string()), when) << text;
    }
}

TEST(When, Empty) {
    EXPECT_EQ(parse_error(""), "when is empty");
}

TEST(When, NotTheGrammar) {
    for (const char* text : {"abc", "3 ", "-1", "3++", "3+x", "1..", "..3", "1...3", "1.3",
                             "1..3..4", "1..3+2+1", "3x", "0x10", "1,2", "+", "++", "1..3++"}) {
        EXPECT_EQ(parse_error(text), "invalid when \"" + std::string(text) +
                                         "\": expected N, N+, N+STEP, N..M, N..M+ or N..M+STEP")
            << text;
    }
}

TEST(When, CallsAreNumberedFromOne) {
    EXPECT_EQ(parse_error("0"), "invalid when \"0\": calls are numbered from 1");
    EXPECT_EQ(parse_error("0+"), "invalid when \"0+\": calls are numbered from 1");
    EXPECT_EQ(parse_error("0..3"), "invalid when \"0..3\": calls are numbered from 1");
}

TEST(When, RangeEndsBeforeItStarts) {
    EXPECT_EQ(parse_error("5..3"), "invalid when \"5..3\": the range ends before it starts");
    EXPECT_EQ(parse_error("2..1+1"), "invalid when \"2..1+1\": the range ends before it starts");
}

TEST(When, StepAtLeastOne) {
    EXPECT_EQ(parse_error("2+0"), "invalid when \"2+0\": the step must be at least 1");
    EXPECT_EQ(parse_error("1..4+0"), "invalid when \"1..4+0\": the step must be at least 1");
}

TEST(When, NumberTooLarge) {
    EXPECT_EQ(parse_error("99999999999999999999"),
              "invalid when \"99999999999999999999\": number too large");
    EXPECT_EQ(parse_error("18446744073709551616"),
              "invalid when \"18446744073709551616\": number too large");
    EXPECT_EQ(parse_error("1..18446744073709551616"),
              "invalid when \"1..18446744073709551616\": number too large");
    EXPECT_EQ(parse_error("1+18446744073709551616"),
              "invalid when \"1+18446744073709551616\": number too large");
}

}  // namespace
}  // namespace inject
