// Call sites: what identifies the code that made a call, and what it is called. Pure: the
// unit tests feed them hand-made frames.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inject/stack.hpp"

namespace inject::trace {

// One frame of a call site: the module (its build ID, or its path when it has none) and the
// offset in its file.
struct SiteFrame {
    std::string module;
    std::uint64_t offset = 0;
    auto operator<=>(const SiteFrame&) const = default;
};

// A call site: where every frame of a stack is, innermost first. The same in every run of the
// same binaries, whatever the ASLR: offsets are taken in the files, never in the process.
struct CallSite {
    std::vector<SiteFrame> frames;
    auto operator<=>(const CallSite&) const = default;
};

CallSite call_site_of(std::span<const StackFrame> stack);

// "MODULE+0xOFFSET" per frame, innermost first, separated by spaces.
std::string to_string(const CallSite& site);

struct CallSiteHash {
    std::size_t operator()(const CallSite& site) const noexcept;
};

// The frame a site is named after: the innermost one outside the C library, the dynamic
// loader and the vDSO; the innermost frame when every frame is in them (calls the loader
// makes while it maps libraries). Needs a non-empty stack.
const StackFrame& naming_frame(std::span<const StackFrame> stack);

// "notes::save (notes.cpp:42)", "save_config" without debug info, "writes+0x11b0" without a
// symbol; "" for an empty stack.
std::string site_name(std::span<const StackFrame> stack);

// A frame as a site name shows it (see site_name).
std::string frame_name(const StackFrame& frame);

// The function's name in a demangled symbol, without what callers do not write: the parameter
// list and the qualifiers after it, the return type of a template function, ABI tags and GCC's
// clone suffixes (" [clone .isra.0]" in C++, ".constprop.0" in C).
// "void notes::Journal<int>::append<char>(char const*) const [clone .cold]" ->
// "notes::Journal<int>::append<char>".
std::string function_name_of(std::string_view demangled_symbol);

// What the C-library test needs to know of a frame's module beyond its path.
struct ModuleTraits {
    // An executable without a dynamic loader (static, or static-pie): the C library is linked
    // into it, so its path says nothing.
    bool static_program = false;
    // The module has DWARF line information for some of its code.
    bool has_line_info = false;
};

// Whether a module is the C library, the dynamic loader or the vDSO by its file name: libc.so*,
// ld-linux*, the musl equivalents, glibc's libpthread, librt and libdl, and "[vdso]".
bool is_c_library_module(std::string_view module_path);

// Whether a frame is the C library's, the dynamic loader's or the vDSO's: in a dynamic
// program by its module (is_c_library_module); in a static program by the frame having no
// source line while the module has line information (the program was built with -g, the C
// library's archive has none), or, in a static program without any, by a function name
// reserved to the implementation by the C standard ("__libc_write", "_IO_new_file_write").
bool in_c_library(std::string_view module_path, const ModuleTraits& module,
                  std::string_view function, bool has_line);

// The last component of a path ("libc.so.6" for "/usr/lib/x86_64-linux-gnu/libc.so.6").
std::string_view base_name(std::string_view path);

}  // namespace inject::trace
