// Registers per ABI. inject runs as an x86_64 process; the kernel shows it the registers of
// every tracee, 64-bit or i386, in the 64-bit `struct user` layout. Adding an architecture
// means one more file like x86.cpp behind these functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "inject/abi.hpp"

namespace inject::arch {

// The ABI of a syscall from the AUDIT_ARCH_* value PTRACE_GET_SYSCALL_INFO reports, or nullopt
// for one inject does not handle (x32 calls carry AUDIT_ARCH_X86_64 and a marked number).
std::optional<Abi> abi_from_audit_arch(std::uint32_t audit_arch, std::uint64_t syscall_number);

// Offsets into `struct user` for PTRACE_POKEUSER.
std::size_t syscall_number_offset(Abi abi);
std::size_t return_value_offset(Abi abi);

// A syscall number no kernel implements: writing it at syscall entry makes the kernel skip the
// call (it returns -ENOSYS, which inject overwrites at the exit stop).
constexpr long kSkippedSyscallNumber = -1;

// The register value that makes the tracee see `value` as the call's result.
std::uint64_t encode_return_value(Abi abi, std::int64_t value);

}  // namespace inject::arch
