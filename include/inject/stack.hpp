// A call's stack, as inject unwinds it from a stopped thread: where each frame is (the mapped
// file and the offset in it, the same in every run whatever the ASLR) and what it is called
// (the function, the source line when the file has debug info).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace inject {

// Stacks are unwound this deep at most, which is where a recursion's callers stop mattering.
inline constexpr std::size_t kMaxStackFrames = 64;

struct StackFrame {
    // In the process: for the innermost frame the instruction after the syscall, for every
    // other one the return address (as strace -k and gdb show them).
    std::uint64_t address = 0;
    // The mapped file, as /proc/PID/maps names it ("[vdso]" for the vDSO); empty for code in
    // no file (generated at run time).
    std::string module;
    // The module's GNU build ID in lowercase hex; empty when it has none.
    std::string build_id;
    // Where `address` lies in the module's file: what `strace -k` shows in brackets, and what
    // `module+0xOFFSET` means. The absolute address for a frame in no file.
    std::uint64_t offset = 0;
    // The function, demangled, without parameters, return type or clone suffix:
    // "notes::Store<int>::flush". Empty when no symbol covers the address (a stripped binary).
    std::string function;
    // The symbol demangled in full, as `strace -k` prints it:
    // "notes::Store<int>::flush(int) [clone .isra.0]". Empty with `function`.
    std::string symbol;
    // `address` minus the start of `symbol`.
    std::uint64_t symbol_offset = 0;
    // The source file and line of the call, from the module's DWARF; empty and 0 without.
    std::string file;
    unsigned line = 0;
    // Code of the C library, the dynamic loader or the vDSO, which no site is named after (see
    // docs/call-sites.md for how this is told in a static binary).
    bool in_c_library = false;

    bool operator==(const StackFrame&) const = default;
};

}  // namespace inject
