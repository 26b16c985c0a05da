// The frames of a call's stack as the syscall log shows them after the call's line with -k:
// strace -k's own format, so that a test can compare the two logs of one program. Pure.
#pragma once

#include <span>
#include <string>

#include "inject/stack.hpp"

namespace inject::report {

// " > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]": the module, the symbol
// and the return address's distance from it, and in brackets the offset in the module's file
// (strace -k shows that offset there, not the address in the process). A frame without a
// symbol: " > /path/prog() [0x11b0]"; one in no file: " > ?() [0x7f...]", its address.
std::string stack_frame_line(const StackFrame& frame);

// Every frame's line, each ending in '\n'.
std::string stack_lines(std::span<const StackFrame> stack);

}  // namespace inject::report
