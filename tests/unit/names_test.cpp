// Syscall names per ABI (libseccomp), errno names (the C library), "did you mean".
#include <gtest/gtest.h>

#include <cerrno>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "inject/names.hpp"

namespace inject {
namespace {

TEST(SyscallNames, WriteDiffersByAbi) {
    EXPECT_EQ(syscall_number(Abi::x86_64, "write"), 1);
    EXPECT_EQ(syscall_number(Abi::i386, "write"), 4);
    EXPECT_EQ(syscall_name(Abi::x86_64, 1), "write");
    EXPECT_EQ(syscall_name(Abi::i386, 4), "write");
    EXPECT_EQ(syscall_name(Abi::x86_64, 0), "read");
    EXPECT_EQ(syscall_name(Abi::i386, 3), "read");
}

TEST(SyscallNames, SomeExistOnOneAbiOnly) {
    EXPECT_EQ(syscall_number(Abi::x86_64, "newfstatat"), 262);
    EXPECT_EQ(syscall_number(Abi::i386, "newfstatat"), std::nullopt);
    EXPECT_TRUE(is_known_syscall("newfstatat"));

    EXPECT_EQ(syscall_number(Abi::x86_64, "socketcall"), std::nullopt);
    EXPECT_EQ(syscall_number(Abi::i386, "socketcall"), 102);
    EXPECT_TRUE(is_known_syscall("socketcall"));
}

// libseccomp gives these i386 calls pseudo-numbers (it filters them with socketcall and
// ipc); the kernel numbers must come through all the same.
TEST(SyscallNames, I386SocketAndIpcCallsHaveTheirKernelNumbers) {
    EXPECT_EQ(syscall_number(Abi::i386, "socket"), 359);
    EXPECT_EQ(syscall_number(Abi::i386, "sendmmsg"), 345);
    EXPECT_EQ(syscall_number(Abi::i386, "semget"), 393);
    EXPECT_EQ(syscall_name(Abi::i386, 359), "socket");
    EXPECT_EQ(syscall_number(Abi::x86_64, "socket"), 41);
    // i386 has accept only through socketcall.
    EXPECT_EQ(syscall_number(Abi::i386, "accept"), std::nullopt);
    EXPECT_EQ(syscall_number(Abi::x86_64, "accept"), 43);
}

TEST(SyscallNames, UnknownNamesAndNumbers) {
    EXPECT_EQ(syscall_number(Abi::x86_64, "wrte"), std::nullopt);
    EXPECT_EQ(syscall_number(Abi::x86_64, ""), std::nullopt);
    EXPECT_EQ(syscall_number(Abi::x86_64, "WRITE"), std::nullopt);
    EXPECT_FALSE(is_known_syscall("wrte"));
    EXPECT_FALSE(is_known_syscall(""));
    EXPECT_EQ(syscall_name(Abi::x86_64, -1), std::nullopt);
    EXPECT_EQ(syscall_name(Abi::x86_64, 5000), std::nullopt);
    EXPECT_EQ(syscall_name(Abi::i386, 100000), std::nullopt);
}

TEST(SyscallNames, AllSyscallsAreSortedUniqueAndResolveBack) {
    for (Abi abi : kAllAbis) {
        const std::vector<SyscallEntry> all = all_syscalls(abi);
        ASSERT_GT(all.size(), 300u) << abi_name(abi);
        EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) {
            return a.number < b.number;
        }));
        std::set<std::string> names;
        for (const SyscallEntry& entry : all) {
            EXPECT_TRUE(names.insert(entry.name).second) << entry.name;
            EXPECT_EQ(syscall_number(abi, entry.name), entry.number) << entry.name;
        }
    }
    const std::vector<SyscallEntry> x86_64 = all_syscalls(Abi::x86_64);
    EXPECT_EQ(x86_64.front().number, 0);
    EXPECT_EQ(x86_64.front().name, "read");
    EXPECT_EQ(x86_64[1].name, "write");
    // A second call answers from the cache with the same list.
    EXPECT_EQ(all_syscalls(Abi::x86_64).size(), x86_64.size());
}

TEST(ErrnoNames, FromText) {
    EXPECT_EQ(errno_from_text("ENOSPC"), 28);
    EXPECT_EQ(errno_from_text("EIO"), 5);
    EXPECT_EQ(errno_from_text("EPERM"), 1);
    EXPECT_EQ(errno_from_text("28"), 28);
    EXPECT_EQ(errno_from_text("1"), 1);
    EXPECT_EQ(errno_from_text("4095"), 4095);
    // A number the C library has no name for is still an errno the kernel can return.
    EXPECT_EQ(errno_from_text("4000"), 4000);
}

TEST(ErrnoNames, InAnyCaseAsStraceReadsThem) {
    EXPECT_EQ(errno_from_text("enospc"), ENOSPC);
    EXPECT_EQ(errno_from_text("Enospc"), ENOSPC);
    EXPECT_EQ(errno_from_text("ewouldblock"), EAGAIN);
}

// strace 6.1 refuses these; C programs write them, so inject takes them.
TEST(ErrnoNames, AliasesFromTheCLibraryHeaders) {
    EXPECT_EQ(errno_from_text("EWOULDBLOCK"), EAGAIN);
    EXPECT_EQ(errno_from_text("ENOTSUP"), EOPNOTSUPP);
    EXPECT_EQ(errno_from_text("EDEADLOCK"), EDEADLK);
}

TEST(ErrnoNames, FromTextRejectsEverythingElse) {
    for (const char* text : {"ENOSP", "0", "4096", "99999999999", "", "-5", "+28", " 28", "28 ",
                             "ENOSPC ", "0x1c", "28.0"}) {
        EXPECT_EQ(errno_from_text(text), std::nullopt) << text;
    }
}

TEST(ErrnoNames, Name) {
    EXPECT_EQ(errno_name(28), "ENOSPC");
    EXPECT_EQ(errno_name(5), "EIO");
    EXPECT_EQ(errno_name(0), std::nullopt);
    EXPECT_EQ(errno_name(-28), std::nullopt);
    EXPECT_EQ(errno_name(4000), std::nullopt);
    EXPECT_EQ(errno_name(4096), std::nullopt);
}

TEST(ErrnoNames, AllErrnosRoundTrip) {
    const std::vector<ErrnoEntry> all = all_errnos();
    ASSERT_GT(all.size(), 100u);
    const auto enospc = std::find_if(all.begin(), all.end(),
                                     [](const ErrnoEntry& e) { return e.name == "ENOSPC"; });
    ASSERT_NE(enospc, all.end());
    EXPECT_EQ(enospc->number, 28);
    EXPECT_EQ(enospc->description, "No space left on device");
    for (const ErrnoEntry& entry : all) {
        EXPECT_GE(entry.number, 1);
        EXPECT_LE(entry.number, 4095);
        EXPECT_FALSE(entry.description.empty()) << entry.name;
        EXPECT_EQ(errno_from_text(entry.name), entry.number) << entry.name;
        EXPECT_EQ(errno_name(entry.number), entry.name);
        EXPECT_EQ(errno_from_text(std::to_string(entry.number)), entry.number);
    }
}

TEST(NearestWord, FindsTypos) {
    std::vector<std::string> syscalls;
    for (const SyscallEntry& entry : all_syscalls(Abi::x86_64)) {
        syscalls.push_back(entry.name);
    }
    EXPECT_EQ(nearest_word("wrte", syscalls), "write");
    EXPECT_EQ(nearest_word("wirte", syscalls), "write");  // a transposition is one typo

    std::vector<std::string> errnos;
    for (const ErrnoEntry& entry : all_errnos()) {
        errnos.push_back(entry.name);
    }
    EXPECT_EQ(nearest_word("ENOSP", errnos), "ENOSPC");
    EXPECT_EQ(nearest_word("enospc", errnos), "ENOSPC");

    const std::vector<std::string> keys{"description", "seed", "fault", "expect"};
    EXPECT_EQ(nearest_word("descripton", keys), "description");
    EXPECT_EQ(nearest_word("DESCRIPTION", keys), "description");
    EXPECT_EQ(nearest_word("faults", keys), "fault");
    EXPECT_EQ(nearest_word("xyz", keys), std::nullopt);
    EXPECT_EQ(nearest_word("", keys), std::nullopt);
    EXPECT_EQ(nearest_word("seed", {}), std::nullopt);
}

TEST(NearestWord, DistanceLimitGrowsWithTheWord) {
    // Up to 5 letters: one edit.
    EXPECT_EQ(nearest_word("abcde", {"abcxy"}), std::nullopt);
    EXPECT_EQ(nearest_word("abcde", {"abcdx"}), "abcdx");
    EXPECT_EQ(nearest_word("ab", {"xy"}), std::nullopt);
    EXPECT_EQ(nearest_word("a", {"b"}), "b");
    // Six letters: two edits, not three.
    EXPECT_EQ(nearest_word("abcdef", {"abcdxy"}), "abcdxy");
    EXPECT_EQ(nearest_word("abcdef", {"abcxyz"}), std::nullopt);
}

TEST(NearestWord, ClosestWinsAndTiesGoToTheEarlier) {
    EXPECT_EQ(nearest_word("abcdef", {"abcdxy", "abcdex"}), "abcdex");
    EXPECT_EQ(nearest_word("ab", {"ax", "ay"}), "ax");
    EXPECT_EQ(nearest_word("ab", {"ay", "ax"}), "ay");
}

}  // namespace
}  // namespace inject
