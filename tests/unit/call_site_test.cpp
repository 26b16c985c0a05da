// Call sites from hand-made frames: the key that stays the same across runs, the frame a site
// is named after, what is the C library's, and the function names callers write.
#include "trace/call_site.hpp"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>
#include <vector>

namespace inject::trace {
namespace {

constexpr std::string_view kLibc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
constexpr std::string_view kProgram = "/home/u/notes/build/notes";

StackFrame frame(std::string_view module, std::uint64_t offset, std::string_view function = "",
                 bool c_library = false) {
    StackFrame made;
    made.module = module;
    made.offset = offset;
    made.address = 0x7f0000000000 + offset;
    made.function = function;
    made.symbol = function;
    made.in_c_library = c_library;
    return made;
}

TEST(FunctionName, CNamesLoseCloneSuffixesAndVersions) {
    EXPECT_EQ(function_name_of("save_config"), "save_config");
    EXPECT_EQ(function_name_of("save_config.constprop.0"), "save_config");
    EXPECT_EQ(function_name_of("main.cold"), "main");
    EXPECT_EQ(function_name_of("__libc_start_main@@GLIBC_2.34"), "__libc_start_main");
}

TEST(FunctionName, CxxNamesLoseParametersQualifiersAndClones) {
    EXPECT_EQ(function_name_of("notes::save(int)"), "notes::save");
    EXPECT_EQ(function_name_of("notes::Store<int>::flush(int) [clone .isra.0]"),
              "notes::Store<int>::flush");
    EXPECT_EQ(function_name_of("notes::Store::size() const"), "notes::Store::size");
    EXPECT_EQ(function_name_of("notes::Store::take() && [clone .cold] [clone .part.0]"),
              "notes::Store::take");
    EXPECT_EQ(function_name_of("(anonymous namespace)::helper(char const*)"),
              "(anonymous namespace)::helper");
}

TEST(FunctionName, TemplateFunctionsLoseTheirReturnType) {
    EXPECT_EQ(function_name_of("void notes::Journal<int>::append<char>(char const*)"),
              "notes::Journal<int>::append<char>");
    EXPECT_EQ(function_name_of("std::vector<int, std::allocator<int> > notes::make<int>(int)"),
              "notes::make<int>");
    EXPECT_EQ(function_name_of("unsigned long notes::count<long>(std::function<void (int)>)"),
              "notes::count<long>");
}

TEST(FunctionName, OperatorsKeepTheirSymbols) {
    EXPECT_EQ(function_name_of("notes::Writer::operator()(int)"), "notes::Writer::operator()");
    EXPECT_EQ(function_name_of("notes::operator<<(std::ostream&, notes::Line const&)"),
              "notes::operator<<");
    EXPECT_EQ(function_name_of("notes::Line::operator<(notes::Line const&) const"),
              "notes::Line::operator<");
    EXPECT_EQ(function_name_of("notes::Line::operator->()"), "notes::Line::operator->");
    EXPECT_EQ(function_name_of("operator new(unsigned long)"), "operator new");
    EXPECT_EQ(function_name_of("operator delete[](void*)"), "operator delete[]");
    EXPECT_EQ(function_name_of("notes::Line::operator bool() const"), "notes::Line::operator bool");
    EXPECT_EQ(function_name_of("bool notes::operator< <int>(notes::Key<int> const&)"),
              "notes::operator< <int>");
}

TEST(FunctionName, LambdasKeepTheirEnclosingFunctionAsAScope) {
    EXPECT_EQ(function_name_of("notes::save(int)::{lambda(int)#1}::operator()(int) const"),
              "notes::save::{lambda(int)#1}::operator()");
}

TEST(FunctionName, AbiTagsAreLeftOut) {
    EXPECT_EQ(function_name_of("notes::name[abi:cxx11](int)"), "notes::name");
}

TEST(CLibrary, IsToldByTheFileNameInADynamicProgram) {
    const ModuleTraits dynamic;
    for (const char* path :
         {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2",
          "/usr/lib32/ld-linux.so.2", "/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1",
          "/lib/x86_64-linux-gnu/libpthread.so.0", "[vdso]"}) {
        EXPECT_TRUE(in_c_library(path, dynamic, "anything", true)) << path;
    }
    for (const char* path : {"/home/u/notes", "/usr/lib/libcrypto.so.3", "/usr/lib/libcurl.so"}) {
        EXPECT_FALSE(in_c_library(path, dynamic, "__libc_write", false)) << path;
    }
    EXPECT_FALSE(in_c_library("", dynamic, "", false));  // generated code
}

TEST(CLibrary, IsTheCodeWithoutLinesInAStaticProgramBuiltWithDebugInfo) {
    const ModuleTraits with_lines{.static_program = true, .has_line_info = true};
    EXPECT_TRUE(in_c_library(kProgram, with_lines, "new_do_write", false));
    EXPECT_FALSE(in_c_library(kProgram, with_lines, "save_config", true));
    EXPECT_FALSE(in_c_library(kProgram, with_lines, "__reserved_but_mine", true));
}

TEST(CLibrary, IsTheReservedNamesInAStaticProgramWithoutDebugInfo) {
    const ModuleTraits no_lines{.static_program = true, .has_line_info = false};
    EXPECT_TRUE(in_c_library(kProgram, no_lines, "__libc_write", false));
    EXPECT_TRUE(in_c_library(kProgram, no_lines, "_IO_new_file_write", false));
    EXPECT_FALSE(in_c_library(kProgram, no_lines, "save_config", false));
    EXPECT_FALSE(in_c_library(kProgram, no_lines, "_start_here", false));
    EXPECT_FALSE(in_c_library(kProgram, no_lines, "notes::save", false));
    // A static program's path says nothing, whatever it is called.
    EXPECT_FALSE(in_c_library("/tmp/libc.so.6", no_lines, "save_config", false));
}

TEST(CallSite, IsTheModulesAndOffsetsNotTheAddresses) {
    std::vector<StackFrame> run1{frame(kLibc, 0xf8350, "__write", true),
                                 frame(kProgram, 0x121e, "save_config")};
    std::vector<StackFrame> run2 = run1;
    run2[0].address += 0x1000000;  // another load address
    run2[1].address += 0x2000;
    EXPECT_EQ(call_site_of(run1), call_site_of(run2));
    run2[1].offset = 0x1230;
    EXPECT_NE(call_site_of(run1), call_site_of(run2));
}

TEST(CallSite, NamesAModuleByItsBuildIdWhenItHasOne) {
    std::vector<StackFrame> stack{frame(kLibc, 0xf8350, "__write", true),
                                  frame(kProgram, 0x121e, "save_config")};
    stack[0].build_id = "93ac61ec";
    const CallSite site = call_site_of(stack);
    ASSERT_EQ(site.frames.size(), 2u);
    EXPECT_EQ(site.frames[0], (SiteFrame{"93ac61ec", 0xf8350}));
    EXPECT_EQ(site.frames[1], (SiteFrame{std::string(kProgram), 0x121e}));
    EXPECT_EQ(to_string(site), "93ac61ec+0xf8350 " + std::string(kProgram) + "+0x121e");
    // The same binary at another path is the same site.
    std::vector<StackFrame> moved = stack;
    moved[0].module = "/lib/x86_64-linux-gnu/libc.so.6";
    EXPECT_EQ(call_site_of(moved), site);
}

TEST(CallSite, HashesEqualSitesAlike) {
    const std::vector<StackFrame> one{frame(kProgram, 0x121e, "save_config")};
    const std::vector<StackFrame> other{frame(kProgram, 0x1230, "save_journal")};
    std::unordered_set<CallSite, CallSiteHash> sites{call_site_of(one), call_site_of(one),
                                                     call_site_of(other)};
    EXPECT_EQ(sites.size(), 2u);
}

TEST(SiteName, IsTheInnermostFrameOutsideTheCLibrary) {
    std::vector<StackFrame> stack{
        frame("[vdso]", 0x5e9, "__kernel_vsyscall", true), frame(kLibc, 0xf8350, "__write", true),
        frame(kProgram, 0x121e, "notes::save"), frame(kProgram, 0x10ca, "main")};
    stack[2].file = "/home/u/notes/src/notes.cpp";
    stack[2].line = 42;
    EXPECT_EQ(&naming_frame(stack), &stack[2]);
    EXPECT_EQ(site_name(stack), "notes::save (notes.cpp:42)");
}

TEST(SiteName, IsTheInnermostFrameWhenAllAreTheCLibrarys) {
    const std::vector<StackFrame> loader{
        frame("/lib64/ld-linux-x86-64.so.2", 0x1d2a4, "_dl_map_object", true),
        frame("/lib64/ld-linux-x86-64.so.2", 0x3a10, "_dl_start", true)};
    EXPECT_EQ(site_name(loader), "_dl_map_object");
    EXPECT_EQ(site_name(std::vector<StackFrame>{}), "");
}

TEST(SiteName, ShowsWhatIsKnownOfTheFrame) {
    EXPECT_EQ(frame_name(frame(kProgram, 0x121e, "save_config")), "save_config");
    EXPECT_EQ(frame_name(frame(kProgram, 0x11b0)), "notes+0x11b0");
    StackFrame generated = frame("", 0);
    generated.address = 0x7f12345000;
    EXPECT_EQ(frame_name(generated), "0x7f12345000");
}

}  // namespace
}  // namespace inject::trace
