#include <linux/audit.h>
#include <sys/user.h>

#include <cstddef>

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

std::uint64_t encode_return_value(Abi abi, std::int64_t value) {
    if (abi == Abi::i386) {
        // The kernel hands an i386 tracee only eax; keep the upper half clean so the value
        // reads back the same through either view of the register.
        return static_cast<std::uint32_t>(value);
    }
    return static_cast<std::uint64_t>(value);
}

}  // namespace inject::arch
