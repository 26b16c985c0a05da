// How values are echoed in messages (syscalls/text.hpp): always one line that is safe on a
// terminal, whatever the value holds.
#include "syscalls/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace inject::text {
namespace {

TEST(Escaped, PrintableTextAndUtf8StayAsTheyAre) {
    EXPECT_EQ(escaped("/tmp/out.log"), "/tmp/out.log");
    EXPECT_EQ(escaped("/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80"),
              "/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80");
    EXPECT_EQ(escaped(""), "");
}

TEST(Escaped, QuotesBackslashesAndControlsAreCEscaped) {
    EXPECT_EQ(escaped("a\"b\\c"), "a\\\"b\\\\c");
    EXPECT_EQ(escaped("wr\nte\tx\ry"), "wr\\nte\\tx\\ry");
    EXPECT_EQ(escaped("\x1b[2J"), "\\x1b[2J");
    EXPECT_EQ(escaped(std::string("a\0b", 3)), "a\\x00b");
    EXPECT_EQ(escaped("\x7f"), "\\x7f");
}

// A C1 control (U+009B is CSI) is obeyed by some terminals as ESC [ is; bytes that are not
// UTF-8 are shown as bytes.
TEST(Escaped, C1ControlsAndInvalidUtf8AreHex) {
    EXPECT_EQ(escaped("\xc2\x9b"
                      "2J"),
              "\\xc2\\x9b2J");
    EXPECT_EQ(escaped("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(escaped("\xc3"), "\\xc3");                             // cut short
    EXPECT_EQ(escaped("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
    EXPECT_EQ(escaped("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
    EXPECT_EQ(escaped("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
    EXPECT_EQ(escaped("\xc2\xa0"), "\xc2\xa0");                      // U+00A0 is no control
}

TEST(Quoted, IsEscapedBetweenQuotes) {
    EXPECT_EQ(quoted("wrte"), "\"wrte\"");
    EXPECT_EQ(quoted("wr\nte"), "\"wr\\nte\"");
    EXPECT_EQ(quoted("\x1b]0;pwn\a"), "\"\\x1b]0;pwn\\x07\"");
}

TEST(OneLine, EscapesControlsButKeepsTheWording) {
    EXPECT_EQ(one_line("expected 'nan', saw 'n\n'"), "expected 'nan', saw 'n\\n'");
    EXPECT_EQ(one_line("a \"quoted\" \\ word"), "a \"quoted\" \\ word");
    EXPECT_EQ(one_line("\x1b[31mred\xc2\x9b"), "\\x1b[31mred\\xc2\\x9b");
}

}  // namespace
}  // namespace inject::text
