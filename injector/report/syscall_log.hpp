// The syscall log's lines (-o FILE), made from a SyscallRecord without a tracee: pure, so the
// unit tests cover every kind of argument.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "inject/syscall_log.hpp"
#include "syscalls/catalogue.hpp"

namespace inject::report {

// Bytes as strace shows them, without the quotes: \t \n \v \f \r \" \\ by name, other bytes
// outside printable ASCII (and those in `also_escaped`) in octal, three digits only when an
// octal digit follows.
std::string escape_bytes(std::string_view bytes, std::string_view also_escaped = {});

// "O_WRONLY|O_CREAT|O_TRUNC", bits no flag names as a trailing "|0x...".
std::string open_flags_text(std::uint64_t flags);

// Whether a dirfd argument is AT_FDCWD (relative to the working directory).
bool is_at_fdcwd(std::uint64_t dirfd);

// The record's line, its arguments read by `signature` (nullptr: all shown in hex).
std::string format_syscall_line(const SyscallRecord& record, const catalogue::Signature* signature);

}  // namespace inject::report
