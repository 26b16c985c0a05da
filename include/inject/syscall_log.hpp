// The syscall log (-o FILE): one record per call that stopped, with what inject read of its
// arguments, and the strace-like line made of it.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inject/abi.hpp"
#include "inject/stack.hpp"

namespace inject {

// Strings, buffers and iovec arrays are shown up to this many bytes (or entries), then "...",
// as strace does by default; inject reads no more of them. Paths are shown whole.
inline constexpr std::size_t kLoggedBytes = 32;

// Bytes read from the program's memory.
struct LoggedBytes {
    // A string or path without its NUL, or a buffer's first bytes; nullopt when the memory
    // could not be read (the line then shows the pointer in hex, as strace does).
    std::optional<std::string> bytes;
    // The string or buffer goes on past `bytes` (the line shows "..." after the quote).
    bool truncated = false;
};

// One struct iovec of an array argument (readv, writev).
struct LoggedIovec {
    std::uint64_t base = 0;
    std::uint64_t length = 0;
    LoggedBytes data;
};

// What inject read for one argument; which member means something depends on what the kernel's
// declaration of the call says the argument is (a descriptor, a path, a buffer, an iovec array).
struct LoggedArgument {
    LoggedBytes data;                    // a path, string or buffer
    std::optional<std::string> fd_path;  // a file descriptor: the file /proc/PID/fd/N names
    std::vector<LoggedIovec> iovecs;     // an iovec array: its first entries (kLoggedBytes)
    bool iovecs_read = false;            // false: the array itself could not be read
};

// A call that stopped, handed over once it has returned, or once its thread is gone when it
// never returns (exit_group, a thread killed in the call).
struct SyscallRecord {
    pid_t pid = 0;  // the process
    pid_t tid = 0;  // the thread that made the call
    Abi abi = Abi::x86_64;
    long number = -1;
    std::string name;                     // libseccomp's; empty for a number it does not know
    std::array<std::uint64_t, 6> args{};  // the registers, as the kernel saw them at entry
    std::array<LoggedArgument, 6> logged{};
    std::optional<std::int64_t> result;  // nullopt: the call never returned
    bool injected = false;               // a rule decided the call's fate
    // With RunOptions::log_stacks: where the call came from, innermost frame first.
    std::vector<StackFrame> stack{};
};

// The record as one line, without the newline:
//   [pid 812] write(3</tmp/out>, "hello\n", 6) = -1 ENOSPC (No space left on device) (INJECTED)
// Arguments are shown by what the kernel declares them to be: file descriptors with their file,
// paths and strings quoted and escaped as strace does, open flags by name, byte counts and
// other integers in decimal, pointers and the arguments of calls it does not declare in hex.
std::string syscall_log_line(const SyscallRecord& record);

}  // namespace inject
