// The globs of `caller`: which form each is read as, and the ones refused when read.
#include "engine/caller_glob.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace inject::glob {
namespace {

using Kind = CallerGlob::Kind;

std::string caller_error(std::string_view text) {
    try {
        parse_caller_glob(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(CallerGlob, FunctionsAreNamesWithoutDotsOrSlashes) {
    EXPECT_EQ(parse_caller_glob("save_config"), (CallerGlob{Kind::function, "save_config"}));
    EXPECT_EQ(parse_caller_glob("notes::save*"), (CallerGlob{Kind::function, "notes::save*"}));
    EXPECT_EQ(parse_caller_glob("*::flush"), (CallerGlob{Kind::function, "*::flush"}));
    EXPECT_EQ(parse_caller_glob("notes::name\\[abi:cxx11\\]"),
              (CallerGlob{Kind::function, "notes::name\\[abi:cxx11\\]"}));
    EXPECT_EQ(parse_caller_glob("*[abi:cxx11]").kind, Kind::function);
}

TEST(CallerGlob, SourceFilesHaveADotOrASlash) {
    EXPECT_EQ(parse_caller_glob("notes.cpp"), (CallerGlob{Kind::source_file, "notes.cpp"}));
    EXPECT_EQ(parse_caller_glob("src/*"), (CallerGlob{Kind::source_file, "src/*"}));
}

TEST(CallerGlob, SourceLinesAreAFileAColonAndANumber) {
    EXPECT_EQ(parse_caller_glob("notes.cpp:42"), (CallerGlob{Kind::source_line, "notes.cpp", 42}));
    EXPECT_EQ(parse_caller_glob("src/*.c:7"), (CallerGlob{Kind::source_line, "src/*.c", 7}));
    // The last single colon splits; "::" is a C++ scope, not a separator.
    EXPECT_EQ(parse_caller_glob("notes::save.cpp:3"),
              (CallerGlob{Kind::source_line, "notes::save.cpp", 3}));
    // An escaped colon splits nothing: it is one the name holds.
    EXPECT_EQ(parse_caller_glob("odd\\:name"), (CallerGlob{Kind::function, "odd\\:name"}));
}

TEST(CallerGlob, ModuleOffsetsAreAModuleAndAHexOffset) {
    EXPECT_EQ(parse_caller_glob("libfoo.so+0x1a2b"),
              (CallerGlob{Kind::module_offset, "libfoo.so", 0, 0x1a2b}));
    EXPECT_EQ(parse_caller_glob("writes+0X11B0"),
              (CallerGlob{Kind::module_offset, "writes", 0, 0x11b0}));
    EXPECT_EQ(parse_caller_glob("/usr/lib/libfoo.so.*+0x10"),
              (CallerGlob{Kind::module_offset, "/usr/lib/libfoo.so.*", 0, 0x10}));
    // Not hex after "+0x": a function's glob after all.
    EXPECT_EQ(parse_caller_glob("notes::operator+0xg").kind, Kind::function);
}

TEST(CallerGlob, RefusesAnEmptyGlob) {
    EXPECT_EQ(caller_error(""),
              "caller is empty: give a function (\"save_config\", \"notes::save*\"), a source "
              "location (\"notes.cpp:42\", \"notes.cpp\") or an offset in a module "
              "(\"libfoo.so+0x1a2b\")");
}

TEST(CallerGlob, RefusesALineThatIsNotANumber) {
    EXPECT_EQ(caller_error("notes.cpp:4x2"),
              "caller \"notes.cpp:4x2\": line \"4x2\" is not a number (write FILE:LINE as "
              "\"notes.cpp:42\", and C++ scopes with \"::\")");
    EXPECT_EQ(caller_error("notes.cpp:"),
              "caller \"notes.cpp:\": line \"\" is not a number (write FILE:LINE as "
              "\"notes.cpp:42\", and C++ scopes with \"::\")");
    EXPECT_EQ(caller_error("store:flush"),
              "caller \"store:flush\": line \"flush\" is not a number (write FILE:LINE as "
              "\"notes.cpp:42\", and C++ scopes with \"::\")");
    EXPECT_EQ(caller_error("notes.cpp:0"),
              "caller \"notes.cpp:0\": line \"0\" is no line of a file (lines are numbered "
              "from 1)");
    EXPECT_EQ(caller_error("notes.cpp:99999999999"),
              "caller \"notes.cpp:99999999999\": line \"99999999999\" is no line of a file "
              "(lines are numbered from 1)");
}

TEST(CallerGlob, RefusesALineWithoutAFile) {
    EXPECT_EQ(caller_error(":42"),
              "caller \":42\" has no file before \":42\" (write FILE:LINE as \"notes.cpp:42\")");
}

TEST(CallerGlob, RefusesAnOffsetWithoutAModuleOrTooBig) {
    EXPECT_EQ(caller_error("+0x1a2b"),
              "caller \"+0x1a2b\" names no module before the offset (write it as "
              "\"libfoo.so+0x1a2b\")");
    EXPECT_EQ(caller_error("libfoo.so+0x10000000000000000"),
              "caller \"libfoo.so+0x10000000000000000\": the offset is larger than any file");
}

TEST(CallerGlob, RefusesANulByte) {
    EXPECT_EQ(caller_error(std::string_view("save\0x", 6)),
              "caller \"save\\x00x\" holds a NUL byte, which no function or file name can hold");
}

TEST(CallerGlob, RefusesATrailingBackslash) {
    EXPECT_EQ(caller_error("save\\"),  // quoted as a C string is: the '\\' escaped
              "caller \"save\\\\\" ends with '\\', which escapes nothing (write \"\\\\\" for a "
              "'\\')");
    EXPECT_EQ(caller_error("save\\\\").find("no error"), 0u);
}

}  // namespace
}  // namespace inject::glob
