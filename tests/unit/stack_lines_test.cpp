// Frames as strace -k prints them, for the syscall log's -k.
#include "report/stack_lines.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace inject::report {
namespace {

StackFrame frame(std::string_view module, std::uint64_t offset, std::string_view symbol,
                 std::uint64_t symbol_offset) {
    StackFrame made;
    made.module = module;
    made.offset = offset;
    made.address = 0x7f0000000000 + offset;
    made.symbol = symbol;
    made.symbol_offset = symbol_offset;
    return made;
}

TEST(StackLines, AFrameWithASymbol) {
    EXPECT_EQ(
        stack_frame_line(frame("/usr/lib/x86_64-linux-gnu/libc.so.6", 0xf8350, "__write", 0x10)),
        " > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]");
    EXPECT_EQ(stack_frame_line(
                  frame("/tmp/cpp", 0x121e, "notes::Store<int>::flush(int) [clone .isra.0]", 0x1e)),
              " > /tmp/cpp(notes::Store<int>::flush(int) [clone .isra.0]+0x1e) [0x121e]");
    EXPECT_EQ(stack_frame_line(frame("/tmp/p", 0x1000, "main", 0)), " > /tmp/p(main+0x0) [0x1000]");
}

TEST(StackLines, AFrameWithoutASymbol) {
    EXPECT_EQ(stack_frame_line(frame("/tmp/stripped", 0x11b0, "", 0)),
              " > /tmp/stripped() [0x11b0]");
}

TEST(StackLines, AFrameInNoFileShowsItsAddress) {
    StackFrame generated = frame("", 0, "", 0);
    generated.offset = 0x7f1234567000;
    EXPECT_EQ(stack_frame_line(generated), " > ?() [0x7f1234567000]");
}

TEST(StackLines, AStackIsOneLinePerFrame) {
    const std::vector<StackFrame> stack{frame("/lib/libc.so.6", 0xf8350, "__write", 0x10),
                                        frame("/tmp/p", 0x121e, "save_config", 0x1e)};
    EXPECT_EQ(stack_lines(stack),
              " > /lib/libc.so.6(__write+0x10) [0xf8350]\n > /tmp/p(save_config+0x1e) [0x121e]\n");
    EXPECT_EQ(stack_lines(std::vector<StackFrame>{}), "");
}

}  // namespace
}  // namespace inject::report
