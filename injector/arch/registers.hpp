// Registers per ABI. inject runs as an x86_64 process; the kernel shows it the registers of
// every tracee, 64-bit or i386, in the 64-bit `struct user` layout. Adding an architecture
// means one more file like x86.cpp behind these functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "inject/abi.hpp"

namespace inject::arch {

// The ABI of a syscall from the AUDIT_ARCH_* value PTRACE_GET_SYSCALL_INFO reports, or nullopt
// for one inject does not handle (x32 calls carry AUDIT_ARCH_X86_64 and a marked number).
std::optional<Abi> abi_from_audit_arch(std::uint32_t audit_arch, std::uint64_t syscall_number);

// Offsets into `struct user` for PTRACE_POKEUSER.
std::size_t syscall_number_offset(Abi abi);
std::size_t return_value_offset(Abi abi);
// Of syscall argument `index` (0..5) in the ABI's calling convention.
std::size_t argument_offset(Abi abi, unsigned index);

// The register value of a syscall argument: an i386 tracee has 32-bit registers.
std::uint64_t encode_argument(Abi abi, std::uint64_t value);
// An argument as the kernel reads it for that ABI (the low 32 bits for i386).
std::uint64_t decode_argument(Abi abi, std::uint64_t register_value);

// The tracee's struct iovec: a pointer and a length, 16 bytes on x86_64 and 8 on i386.
std::size_t iovec_size(Abi abi);
std::uint64_t iovec_length(Abi abi, std::span<const std::byte> entry);
void set_iovec_length(Abi abi, std::span<std::byte> entry, std::uint64_t length);

// Bytes below the stack pointer that code may use without moving it (x86_64's red zone),
// which inject must leave alone when it puts something on a tracee's stack.
std::uint64_t red_zone_size(Abi abi);
// The alignment of what inject puts on a tracee's stack.
inline constexpr std::uint64_t kStackAlignment = 16;

// A syscall number no kernel implements: writing it at syscall entry makes the kernel skip the
// call (it returns -ENOSYS, which inject overwrites at the exit stop).
constexpr long kSkippedSyscallNumber = -1;

// Of the instruction pointer, and the length of the instruction that made the call: syscall,
// int $0x80 and sysenter are all two bytes on x86, and the kernel steps back that much to
// restart a call (sysenter returns to an int $0x80 in the vDSO).
std::size_t instruction_pointer_offset(Abi abi);
inline constexpr long kSyscallInstructionSize = 2;

// The register value that makes the tracee see `value` as the call's result.
std::uint64_t encode_return_value(Abi abi, std::int64_t value);

// The registers a stack unwinder starts from, in the DWARF numbering of the thread's ABI (the
// psABIs' tables): x86_64's 17, rax rdx rcx rbx rsi rdi rbp rsp r8..r15 and rip as the return
// address column, or i386's 9, eax ecx edx ebx esp ebp esi edi and eip.
struct UnwindRegisters {
    Abi abi = Abi::x86_64;
    std::array<std::uint64_t, 17> values{};
    std::size_t count = 0;
};

// Room for the NT_PRSTATUS regset that PTRACE_GETREGSET gives, in either ABI.
inline constexpr std::size_t kMaxPrstatusSize = 27 * sizeof(std::uint64_t);

// From that regset. Unlike PTRACE_GETREGS, PTRACE_GETREGSET gives an i386 thread its own
// 32-bit layout, so the size it returned tells the ABI; nullopt for any other size.
std::optional<UnwindRegisters> unwind_registers(std::span<const std::byte> prstatus);

}  // namespace inject::arch
