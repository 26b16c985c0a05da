#include "report/stack_lines.hpp"

#include <array>
#include <cstdio>

#include "syscalls/text.hpp"

namespace inject::report {

using text::hex;

std::string stack_frame_line(const StackFrame& frame) {
    const std::string module = frame.module.empty() ? "?" : frame.module;
    const std::string symbol =
        frame.symbol.empty() ? std::string() : frame.symbol + "+" + hex(frame.symbol_offset);
    return " > " + module + "(" + symbol + ") [" + hex(frame.offset) + "]";
}

std::string stack_lines(std::span<const StackFrame> stack) {
    std::string lines;
    for (const StackFrame& frame : stack) {
        lines += stack_frame_line(frame);
        lines += '\n';
    }
    return lines;
}

}  // namespace inject::report
