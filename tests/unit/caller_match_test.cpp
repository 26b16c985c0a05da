// `caller` decided on hand-made stacks: functions by their demangled names, source files and
// lines, module offsets.
#include "engine/caller_match.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace inject::engine {
namespace {

StackFrame function_frame(std::string_view function, std::string_view symbol,
                          std::string_view file = "", unsigned line = 0) {
    StackFrame frame;
    frame.module = "/home/u/notes/build/notes";
    frame.function = function;
    frame.symbol = symbol;
    frame.file = file;
    frame.line = line;
    return frame;
}

StackFrame offset_frame(std::string_view module, std::uint64_t offset) {
    StackFrame frame;
    frame.module = module;
    frame.offset = offset;
    return frame;
}

bool matches(std::string_view caller, const StackFrame& frame) {
    return frame_matches(glob::parse_caller_glob(caller), frame);
}

TEST(CallerMatch, FunctionGlobsMatchTheNameCallersWrite) {
    const auto flush =
        function_frame("notes::Store<int>::flush", "notes::Store<int>::flush(int) [clone .isra.0]");
    EXPECT_TRUE(matches("*::flush", flush));
    EXPECT_TRUE(matches("notes::*", flush));
    EXPECT_TRUE(matches("notes::Store<int>::flush", flush));
    EXPECT_FALSE(matches("flush", flush));
    EXPECT_FALSE(matches("notes::Store", flush));
    const auto save = function_frame("notes::save", "notes::save(int)");
    EXPECT_TRUE(matches("notes::save*", save));
    EXPECT_FALSE(matches("notes::sav", save));
    EXPECT_TRUE(matches("save_config", function_frame("save_config", "save_config.constprop.0")));
}

TEST(CallerMatch, FunctionGlobsAlsoMatchTheWholeSymbol) {
    const auto save = function_frame("notes::save", "notes::save(int)");
    EXPECT_TRUE(matches("notes::save(int)", save));
    EXPECT_FALSE(matches("notes::save(long)", save));
}

TEST(CallerMatch, AFrameWithoutASymbolMatchesNoFunction) {
    EXPECT_FALSE(matches("*", offset_frame("/home/u/notes/build/notes", 0x11b0)));
}

TEST(CallerMatch, SourceFilesMatchTheEndOfThePath) {
    const auto frame =
        function_frame("notes::save", "notes::save(int)", "/home/u/notes/src/notes.cpp", 42);
    EXPECT_TRUE(matches("notes.cpp", frame));
    EXPECT_TRUE(matches("src/notes.cpp", frame));
    EXPECT_TRUE(matches("src/*.cpp", frame));
    EXPECT_TRUE(matches("/home/u/notes/src/notes.cpp", frame));
    EXPECT_TRUE(matches("*.cpp", frame));
    EXPECT_FALSE(matches("tes.cpp", frame));     // part of a name is not a file
    EXPECT_FALSE(matches("home/*.cpp", frame));  // '*' spans no '/'
    EXPECT_FALSE(matches("notes.c", frame));
    EXPECT_TRUE(matches(
        "write.c", function_frame("__write", "__write", "../sysdeps/unix/sysv/linux/write.c", 26)));
}

TEST(CallerMatch, SourceLinesMatchTheFileAndTheLine) {
    const auto frame =
        function_frame("notes::save", "notes::save(int)", "/home/u/notes/src/notes.cpp", 42);
    EXPECT_TRUE(matches("notes.cpp:42", frame));
    EXPECT_TRUE(matches("src/*.cpp:42", frame));
    EXPECT_FALSE(matches("notes.cpp:41", frame));
    EXPECT_FALSE(matches("other.cpp:42", frame));
    EXPECT_FALSE(matches("notes.cpp:42", function_frame("notes::save", "notes::save(int)")));
}

TEST(CallerMatch, ModuleOffsetsMatchTheOffsetInTheModulesFile) {
    const auto frame = offset_frame("/usr/lib/x86_64-linux-gnu/libfoo.so.1", 0x1a2b);
    EXPECT_TRUE(matches("libfoo.so.1+0x1a2b", frame));
    EXPECT_TRUE(matches("libfoo.so*+0x1a2b", frame));
    EXPECT_TRUE(matches("/usr/lib/*/libfoo.so.1+0x1a2b", frame));
    EXPECT_FALSE(matches("libfoo.so.1+0x1a2c", frame));
    EXPECT_FALSE(matches("libfoo.so+0x1a2b", frame));
    EXPECT_FALSE(matches("libbar.so.1+0x1a2b", frame));
}

TEST(CallerMatch, AStackMatchesWhenAnyFrameDoes) {
    const std::vector<StackFrame> stack{
        function_frame("__write", "__write"), function_frame("write_record", "write_record"),
        function_frame("save_config", "save_config"), function_frame("main", "main")};
    EXPECT_TRUE(stack_matches(glob::parse_caller_glob("save_config"), stack));
    EXPECT_TRUE(stack_matches(glob::parse_caller_glob("__write"), stack));
    EXPECT_FALSE(stack_matches(glob::parse_caller_glob("save_journal"), stack));
    EXPECT_FALSE(stack_matches(glob::parse_caller_glob("save_config"), {}));
}

}  // namespace
}  // namespace inject::engine
