#include <linux/audit.h>
#include <sys/user.h>

#include <array>
#include <cstddef>
#include <cstring>

#include "arch/registers.hpp"

namespace inject::arch {

namespace {
// x32 syscalls are AUDIT_ARCH_X86_64 calls with this bit set in the number.
constexpr std::uint64_t kX32SyscallBit = 0x40000000;
}  // namespace

std::optional<Abi> abi_from_audit_arch(std::uint32_t audit_arch, std::uint64_t syscall_number) {
    switch (audit_arch) {
        case AUDIT_ARCH_X86_64:
            if ((syscall_number & kX32SyscallBit) != 0 && syscall_number != ~std::uint64_t{0}) {
                return std::nullopt;
            }
            return Abi::x86_64;
        case AUDIT_ARCH_I386:
            return Abi::i386;
        default:
            return std::nullopt;
    }
}

// i386 tracees are seen through the same 64-bit layout: orig_eax lives in orig_rax and eax in
// rax, so one set of offsets serves both ABIs.
std::size_t syscall_number_offset(Abi /*abi*/) {
    return offsetof(struct user, regs) + offsetof(struct user_regs_struct, orig_rax);
}

std::size_t return_value_offset(Abi /*abi*/) {
    return offsetof(struct user, regs) + offsetof(struct user_regs_struct, rax);
}

std::size_t instruction_pointer_offset(Abi /*abi*/) {
    return offsetof(struct user, regs) + offsetof(struct user_regs_struct, rip);
}

std::size_t argument_offset(Abi abi, unsigned index) {
    // The syscall ABIs' argument registers, as the 64-bit `struct user` names them: an i386
    // tracee's ebx lives in rbx, and so on.
    static constexpr std::array<std::size_t, 6> kX86_64{
        offsetof(user_regs_struct, rdi), offsetof(user_regs_struct, rsi),
        offsetof(user_regs_struct, rdx), offsetof(user_regs_struct, r10),
        offsetof(user_regs_struct, r8),  offsetof(user_regs_struct, r9)};
    static constexpr std::array<std::size_t, 6> kI386{
        offsetof(user_regs_struct, rbx), offsetof(user_regs_struct, rcx),
        offsetof(user_regs_struct, rdx), offsetof(user_regs_struct, rsi),
        offsetof(user_regs_struct, rdi), offsetof(user_regs_struct, rbp)};
    return offsetof(struct user, regs) + (abi == Abi::i386 ? kI386 : kX86_64).at(index);
}

std::uint64_t encode_argument(Abi abi, std::uint64_t value) {
    return abi == Abi::i386 ? static_cast<std::uint32_t>(value) : value;
}

std::uint64_t decode_argument(Abi abi, std::uint64_t register_value) {
    // Only the low half of an i386 tracee's register is its own.
    return abi == Abi::i386 ? static_cast<std::uint32_t>(register_value) : register_value;
}

std::size_t iovec_size(Abi abi) {
    return abi == Abi::i386 ? 2 * sizeof(std::uint32_t) : 2 * sizeof(std::uint64_t);
}

// The length is the second half of an entry; x86 is little-endian, as is inject.
std::uint64_t iovec_length(Abi abi, std::span<const std::byte> entry) {
    if (abi == Abi::i386) {
        std::uint32_t length = 0;
        std::memcpy(&length, entry.data() + sizeof length, sizeof length);
        return length;
    }
    std::uint64_t length = 0;
    std::memcpy(&length, entry.data() + sizeof length, sizeof length);
    return length;
}

void set_iovec_length(Abi abi, std::span<std::byte> entry, std::uint64_t length) {
    if (abi == Abi::i386) {
        const auto narrow = static_cast<std::uint32_t>(length);
        std::memcpy(entry.data() + sizeof narrow, &narrow, sizeof narrow);
        return;
    }
    std::memcpy(entry.data() + sizeof length, &length, sizeof length);
}

// The i386 ABI has no red zone; the same margin costs nothing there.
std::uint64_t red_zone_size(Abi /*abi*/) {
    return 128;
}

std::uint64_t encode_return_value(Abi abi, std::int64_t value) {
    if (abi == Abi::i386) {
        // The kernel hands an i386 tracee only eax; keep the upper half clean so the value
        // reads back the same through either view of the register.
        return static_cast<std::uint32_t>(value);
    }
    return static_cast<std::uint64_t>(value);
}

namespace {

// An i386 thread's NT_PRSTATUS regset: the kernel's struct user_regs_struct32.
struct I386Registers {
    std::uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
    std::uint32_t ds, es, fs, gs, orig_eax;
    std::uint32_t eip, cs, eflags, esp, ss;
};

static_assert(sizeof(user_regs_struct) == kMaxPrstatusSize);
static_assert(sizeof(I386Registers) == 17 * sizeof(std::uint32_t));

template <typename Registers>
Registers copy_registers(std::span<const std::byte> prstatus) {
    Registers registers{};
    std::memcpy(&registers, prstatus.data(), sizeof registers);
    return registers;
}

}  // namespace

std::optional<UnwindRegisters> unwind_registers(std::span<const std::byte> prstatus) {
    UnwindRegisters unwind;
    if (prstatus.size() == sizeof(user_regs_struct)) {
        const auto r = copy_registers<user_regs_struct>(prstatus);
        unwind.values = {r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8,
                         r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip};
        unwind.count = 17;
        return unwind;
    }
    if (prstatus.size() == sizeof(I386Registers)) {
        const auto r = copy_registers<I386Registers>(prstatus);
        unwind.abi = Abi::i386;
        unwind.values = {r.eax, r.ecx, r.edx, r.ebx, r.esp, r.ebp, r.esi, r.edi, r.eip};
        unwind.count = 9;
        return unwind;
    }
    return std::nullopt;
}

}  // namespace inject::arch
