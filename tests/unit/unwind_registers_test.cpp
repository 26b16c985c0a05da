// The registers an unwinder starts from, out of PTRACE_GETREGSET's NT_PRSTATUS regset, whose
// size says which ABI the thread runs.
#include <sys/user.h>

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "arch/registers.hpp"

namespace inject::arch {
namespace {

TEST(UnwindRegisters, X86_64InDwarfOrder) {
    user_regs_struct regs{};
    regs.rax = 1, regs.rdx = 2, regs.rcx = 3, regs.rbx = 4, regs.rsi = 5, regs.rdi = 6;
    regs.rbp = 7, regs.rsp = 8, regs.r8 = 9, regs.r15 = 16, regs.rip = 17;
    regs.orig_rax = 99;
    std::array<std::byte, sizeof regs> bytes{};
    std::memcpy(bytes.data(), &regs, sizeof regs);
    const auto unwind = unwind_registers(bytes);
    ASSERT_TRUE(unwind);
    EXPECT_EQ(unwind->abi, Abi::x86_64);
    ASSERT_EQ(unwind->count, 17u);
    EXPECT_EQ(unwind->values[0], 1u);
    EXPECT_EQ(unwind->values[7], 8u);    // rsp is DWARF register 7
    EXPECT_EQ(unwind->values[8], 9u);    // r8
    EXPECT_EQ(unwind->values[15], 16u);  // r15
    EXPECT_EQ(unwind->values[16], 17u);  // rip, the return address column
}

TEST(UnwindRegisters, I386InItsOwnLayoutAndDwarfOrder) {
    // ebx ecx edx esi edi ebp eax ds es fs gs orig_eax eip cs eflags esp ss
    const std::array<std::uint32_t, 17> regs{4, 2, 3, 7, 8, 6, 1, 0, 0, 0, 0, 99, 9, 0, 0, 5, 0};
    std::array<std::byte, sizeof regs> bytes{};
    std::memcpy(bytes.data(), regs.data(), sizeof regs);
    const auto unwind = unwind_registers(bytes);
    ASSERT_TRUE(unwind);
    EXPECT_EQ(unwind->abi, Abi::i386);
    ASSERT_EQ(unwind->count, 9u);
    // eax ecx edx ebx esp ebp esi edi eip
    EXPECT_EQ(std::vector<std::uint64_t>(unwind->values.begin(), unwind->values.begin() + 9),
              (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(UnwindRegisters, RefusesAnyOtherSize) {
    const std::array<std::byte, 12> bytes{};
    EXPECT_FALSE(unwind_registers(bytes));
}

}  // namespace
}  // namespace inject::arch
