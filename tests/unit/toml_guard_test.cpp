// The scan a scenario's text gets before TOML++ reads it: each kind of text TOML++ 3.3 would
// assert on (or, in a release build, run into code it assumes unreachable) is refused with its
// location, and valid TOML that looks like it (quotes, comments, nested arrays) is let through.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "scenario/toml_guard.hpp"
#include "scenario_error.hpp"

namespace inject {
namespace {

using testing::error_of;

std::string fault_in(std::string_view text) {
    const auto fault = detail::find_toml_text_fault(text);
    if (!fault) {
        return "none";
    }
    return std::to_string(fault->line) + ":" + std::to_string(fault->column) + ": " +
           fault->message;
}

constexpr std::string_view kCafe =
    "\"é\" outside quotes, where TOML allows only ASCII (a key that holds it is written in "
    "quotes: \"café\" = ...)";

TEST(TomlGuard, ANonAsciiBareKeyIsRefusedWhereItIs) {
    EXPECT_EQ(error_of("[[fault]]\ncafé = 1\n"), "s.toml:2:4: " + std::string(kCafe));
    EXPECT_EQ(fault_in("a.é = 1"), "1:3: " + std::string(kCafe));
    EXPECT_EQ(fault_in("[[é]]"), "1:3: " + std::string(kCafe));
}

TEST(TomlGuard, ANonAsciiCharacterInAValueIsRefused) {
    EXPECT_EQ(fault_in("a = 1 Ζ").substr(0, 17), "1:7: \"Ζ\" outside");
    EXPECT_EQ(fault_in("a = [1, Ζ]").substr(0, 4), "1:9:");
    EXPECT_EQ(fault_in("a = 1979-05-27TΖ").substr(0, 5), "1:16:");
}

// TOML++ reads a number or a date ahead to its end, quotes and all.
TEST(TomlGuard, ANonAsciiCharacterInANumbersQuotesIsRefused) {
    EXPECT_EQ(fault_in("SIGQ=+\"é\"").substr(0, 10), "1:8: \"é\" ");
    EXPECT_EQ(fault_in("a = [1'é']").substr(0, 4), "1:8:");
    EXPECT_EQ(fault_in("a = { b = -\"é\" }").substr(0, 5), "1:13:");
    for (const std::string_view text : {"a = [1, \"é\"]", "a = 1 # 'é'", "a = 1\nb = \"é\"",
                                        "a = [\n  1,\n  \"é\",\n]", "\"1\" = \"é\""}) {
        EXPECT_EQ(fault_in(text), "none") << text;
    }
}

TEST(TomlGuard, ABraceWhereAnArrayElementStartsIsRefused) {
    const std::string saw = "expected a value or ']' in the array, saw \"}\"";
    EXPECT_EQ(fault_in("a = [}"), "1:6: " + saw);
    EXPECT_EQ(fault_in("a = [1, }"), "1:9: " + saw);
    EXPECT_EQ(fault_in("a = [\n  # none\n}"), "3:1: " + saw);
    EXPECT_EQ(fault_in("a = {b = [}]}").substr(0, 5), "1:11:");
    for (const std::string_view text :
         {"a = [{}]", "a = [{b = 1}, {}]", "a = {b = [1]}", "a = [1 }", "a = {b = 1,}"}) {
        EXPECT_EQ(fault_in(text), "none") << text;
    }
}

// A number that starts a line of a multi-line array is read ahead as well.
TEST(TomlGuard, ANumberOnItsOwnLineInAnArrayIsReadAhead) {
    EXPECT_EQ(fault_in("a = [\n+\"é\"]").substr(0, 4), "2:3:");
}

TEST(TomlGuard, ADateWithOneDigitAfterItsSpaceIsRefused) {
    const std::string saw = "expected a time (HH:MM:SS) after the date and its space, saw \"1\"";
    EXPECT_EQ(fault_in("a = 1979-05-27 1\n"), "1:16: " + saw);
    EXPECT_EQ(fault_in("a = [1979-05-27 1]"), "1:17: " + saw);
    EXPECT_EQ(fault_in("_ = 1\"'(-*^-*b 1\n").substr(0, 5), "1:16:");
    EXPECT_EQ(fault_in("_= 1\"'(-*^-*b 1\v").substr(0, 5), "1:15:");  // \v ends it too
    EXPECT_EQ(fault_in("a = 1979-05-27 1\f").substr(0, 5), "1:16:");
    // Read ahead as a time, through quotes: what follows is outside them for TOML++.
    EXPECT_EQ(fault_in("_= 1\"'h-*^-*_5 1\"\\n\xef\xbb\xaf").substr(0, 5), "1:20:");
    for (const std::string_view text :
         {"a = 1979-05-27 07:32:00\n", "a = 1979-05-27\n", "a = 1979-05-27 # a date\n",
          "a = 1979-05-27 1", "a = 1979-05-27 12\n", "a = 1_000 1\n"}) {
        EXPECT_EQ(fault_in(text), "none") << text;
    }
}

TEST(TomlGuard, ADateAndItsTWithoutATimeAreRefused) {
    EXPECT_EQ(fault_in("_4._= 2222-12-11t:5"),
              "1:18: expected a time (HH:MM:SS) after the date and its \"t\", saw \":\"");
    EXPECT_EQ(fault_in("a = 1979-05-27T\"x\"").substr(0, 5), "1:16:");
    for (const std::string_view text : {"a = 1979-05-27T07:32:00\n", "a = 1979-05-27t07:32:00Z\n",
                                        "a = 1979-05-27T", "a = \"1979-05-27Tx\"\n"}) {
        EXPECT_EQ(fault_in(text), "none") << text;
    }
}

TEST(TomlGuard, ColumnsCountCodePointsAsTomlPlusPlusDoes) {
    EXPECT_EQ(fault_in("a = \"éé\" Ζ").substr(0, 5), "1:10:");
    EXPECT_EQ(fault_in("a = 'x'\nb = \"€\" \xce\x96").substr(0, 5), "2:9: ");
}

TEST(TomlGuard, AByteThatIsNotUtf8IsShownEscaped) {
    EXPECT_EQ(fault_in("a = 1 \xff").substr(0, 16), "1:7: \"\\xff\" outs");
}

TEST(TomlGuard, ATableHeaderMustStartWithAName) {
    EXPECT_EQ(error_of("[ #x\n"), "s.toml:1:3: expected a table name after '[', saw \"#\"");
    EXPECT_EQ(fault_in("[!x]"), "1:2: expected a table name after '[', saw \"!\"");
    EXPECT_EQ(fault_in("[[\t=]]"), "1:4: expected a table name after '[', saw \"=\"");
    EXPECT_EQ(fault_in("[ .a]"), "1:3: expected a table name after '[', saw \".\"");
    EXPECT_EQ(fault_in("[[[a]]]"), "1:3: expected a table name after '[', saw \"[\"");
    EXPECT_EQ(fault_in("[[ [a]]"), "1:4: expected a table name after '[', saw \"[\"");
    EXPECT_EQ(fault_in("a = 1\n  [ \n"), "2:5: expected a table name after '[', saw \"\\n\"");
}

TEST(TomlGuard, HeadersTomlPlusPlusWordsItselfAreLeftToIt) {
    for (const std::string_view text : {"[", "[ ", "[ ]", "[]", "[ [a]]", "[a. !]", "[\"é\"]"}) {
        EXPECT_EQ(fault_in(text), "none") << text;
    }
}

TEST(TomlGuard, ANulByteIsRefusedAnywhere) {
    using namespace std::string_view_literals;
    EXPECT_EQ(fault_in("[[\0\0f]]"sv), "1:3: a NUL byte, which a TOML file cannot hold");
    EXPECT_EQ(fault_in("a = \"x\0\""sv).substr(0, 4), "1:7:");
    EXPECT_EQ(fault_in("a = 'x\0'"sv).substr(0, 4), "1:7:");
    EXPECT_EQ(fault_in("# \0"sv).substr(0, 4), "1:3:");
    EXPECT_EQ(fault_in("a = \"\"\"\n\0\"\"\""sv).substr(0, 4), "2:1:");
}

TEST(TomlGuard, NonAsciiAfterABackslashInAMultiLineStringIsRefusedWithItsEscape) {
    const std::string after =
        " after a backslash in a multi-line string, where this TOML "
        "reader (TOML++ 3.3) cannot read it (write it as \\u00E9)";
    EXPECT_EQ(fault_in("a = \"\"\"\\\né\"\"\""), "2:1: \"é\"" + after);
    EXPECT_EQ(fault_in("a = \"\"\"\\\n  \n  é\"\"\""), "3:3: \"é\"" + after);
    EXPECT_EQ(fault_in("a = \"\"\"\\é\"\"\""), "1:9: \"é\"" + after);
    EXPECT_EQ(fault_in("a = \"\"\"\\  é\"\"\""), "1:11: \"é\"" + after);
    EXPECT_EQ(fault_in("a = \"\"\"\\\n\xf0\x9f\x98\x80\"\"\"").substr(0, 4), "2:1:");
    EXPECT_NE(fault_in("a = \"\"\"\\\n\xf0\x9f\x98\x80\"\"\"").find("\\U0001F600"),
              std::string::npos);
    // Elsewhere in the string, and after a backslash in a one-line one, it is read well.
    EXPECT_EQ(fault_in("a = \"\"\"\\\nx é\"\"\""), "none");
    EXPECT_EQ(fault_in("a = \"\\\\é\""), "none");
}

TEST(TomlGuard, NonAsciiInStringsAndCommentsIsValid) {
    for (const std::string_view text : {
             "# café Ζ\n",
             "a = 1 # café\n",
             "a = \"café\"\n",
             "a = 'café'\n",
             "\"café\" = 1\n",
             "'café' = 1\n",
             "[a.\"é\"]\n",
             "a = \"\"\"\nΖ\n\"\"\"\n",
             "a = '''\nΖ\n'''\n",
             "a = \"q\\\"é\"\n",
             "a = \"\"\"x\"\"\"\"\nb = \"é\"\n",
             "a = '''x'''''\nb = 'é'\n",
             "a = \"\"\"\"\"é\"\"\"\n",
             "a = { b = \"é\" }\n",
         }) {
        EXPECT_EQ(fault_in(text), "none") << text;
    }
}

// A '[' that starts a line inside a multi-line array is an element, not a table header.
TEST(TomlGuard, ArraysOverLinesAreValuesNotHeaders) {
    EXPECT_EQ(fault_in("a = [\n  [1, 2],\n  [ \"é\" ],\n  [\n    [],\n  ],\n]\n[b]\n"), "none");
    EXPECT_EQ(fault_in("a = [\n  1,\n]\n[ !]\n").substr(0, 4), "4:3:");
    EXPECT_EQ(fault_in("a = [ # [\n  1 ] # ]\n[ !]\n").substr(0, 4), "3:3:");
}

TEST(TomlGuard, TheShippedScenarioFormsPass) {
    EXPECT_EQ(
        fault_in("description = \"a full disk\"\nseed = 7\n\n[[fault]]\nsyscall = "
                 "\"write\"\nerror = \"ENOSPC\"\nwhen = \"3..\"\n\n[expect]\nexit_code = 1\n"),
        "none");
}

}  // namespace
}  // namespace inject
