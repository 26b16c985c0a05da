// The syscall catalogue, generated from the kernel headers: what it says of calls whose
// arguments everyone knows, and strace's classes built from it.
#include "syscalls/catalogue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "inject/names.hpp"
#include "inject/scenario.hpp"

namespace inject::catalogue {
namespace {

const Signature& signature_of(Abi abi, std::string_view name) {
    const auto number = syscall_number(abi, name);
    EXPECT_TRUE(number.has_value()) << name;
    const Signature* found = signature(abi, number.value_or(-1));
    EXPECT_NE(found, nullptr) << name;
    static const Signature kNone{};
    return found != nullptr ? *found : kNone;
}

std::vector<ArgKind> kinds(const Signature& signature) {
    std::vector<ArgKind> result;
    for (unsigned i = 0; i < signature.arg_count; ++i) {
        result.push_back(signature.args[i].kind);
    }
    return result;
}

using enum ArgKind;

TEST(Catalogue, ReadAndWriteHaveAnFdABufferAndItsLength) {
    for (Abi abi : kAllAbis) {
        const Signature& write = signature_of(abi, "write");
        EXPECT_EQ(kinds(write), (std::vector<ArgKind>{fd, buffer_in, length}));
        EXPECT_EQ(write.args[1].length_arg, 2);
        EXPECT_EQ(write.source, "fs/read_write.c");
        EXPECT_EQ(kinds(signature_of(abi, "read")), (std::vector<ArgKind>{fd, buffer_out, length}));
    }
}

TEST(Catalogue, PathsAndDirectoryDescriptors) {
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "openat")),
              (std::vector<ArgKind>{dirfd, path, open_flags, integer}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "open")),
              (std::vector<ArgKind>{path, open_flags, integer}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "rename")), (std::vector<ArgKind>{path, path}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "renameat2")),
              (std::vector<ArgKind>{dirfd, path, dirfd, path, integer}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "truncate")), (std::vector<ArgKind>{path, integer}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "execve")),
              (std::vector<ArgKind>{path, pointer, pointer}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "readlink")),
              (std::vector<ArgKind>{path, buffer_out, length}));
    // The link's contents are not a file the call touches; the link is.
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "symlink")), (std::vector<ArgKind>{string, path}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "symlinkat")),
              (std::vector<ArgKind>{string, dirfd, path}));
    // An attribute name next to a path is not a path.
    EXPECT_EQ(signature_of(Abi::x86_64, "setxattr").args[1].kind, string);
    EXPECT_EQ(signature_of(Abi::x86_64, "umount2").args[0].kind, path);
}

TEST(Catalogue, VectoredCallsKnowTheirDirection) {
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "readv")),
              (std::vector<ArgKind>{fd, iovec_out, length}));
    EXPECT_EQ(kinds(signature_of(Abi::x86_64, "writev")),
              (std::vector<ArgKind>{fd, iovec_in, length}));
    EXPECT_EQ(signature_of(Abi::x86_64, "pwritev2").args[1].kind, iovec_in);
}

TEST(Catalogue, CallsThatMoveBytesBetweenDescriptorsHaveAByteCount) {
    // No buffer passes through the program, but the count is what a short transfer cuts, as
    // cp's copy_file_range and sendfile loops must handle.
    for (Abi abi : kAllAbis) {
        for (const auto& [name, count] :
             {std::pair{"copy_file_range", 4U}, {"splice", 4U}, {"tee", 2U}, {"sendfile", 3U}}) {
            const auto number = syscall_number(abi, name);
            ASSERT_TRUE(number.has_value()) << name;
            const auto found = byte_count(abi, *number);
            ASSERT_TRUE(found.has_value()) << name;
            EXPECT_EQ(found->length_arg, count) << name;
            EXPECT_FALSE(found->iovec_arg.has_value()) << name;
        }
        EXPECT_EQ(kinds(signature_of(abi, "tee")),
                  (std::vector<ArgKind>{fd, fd, transfer_length, integer}));
    }
    // vmsplice's array counts its entries in nr_segs.
    const auto vmsplice = byte_count(Abi::x86_64, *syscall_number(Abi::x86_64, "vmsplice"));
    ASSERT_TRUE(vmsplice.has_value());
    EXPECT_EQ(vmsplice->iovec_arg, 1U);
    EXPECT_EQ(vmsplice->length_arg, 2U);
    // A msghdr's iovecs are not what short cuts (sendmsg and recvmsg are refused).
    EXPECT_FALSE(has_byte_count(Abi::x86_64, "sendmsg"));
    EXPECT_FALSE(has_byte_count(Abi::x86_64, "readahead"));
}

TEST(Catalogue, SocketCallsTakeParameterNamesFromSocketH) {
    const Signature& sendto = signature_of(Abi::x86_64, "sendto");
    EXPECT_EQ(sendto.args[0].name, "fd");
    EXPECT_EQ(kinds(sendto),
              (std::vector<ArgKind>{fd, buffer_in, length, integer, pointer, integer}));
    EXPECT_EQ(signature_of(Abi::x86_64, "recvfrom").args[1].kind, buffer_out);
    // socket's first argument is a family, not a descriptor.
    EXPECT_EQ(signature_of(Abi::x86_64, "socket").args[0].kind, integer);
}

TEST(Catalogue, EntryPointsTheHeadersDeclareUnderAnotherName) {
    // x86_64's mmap has mmap_pgoff's arguments; i386's pread64 is a wrapper of pread64.
    EXPECT_EQ(signature_of(Abi::x86_64, "mmap").args[4].kind, fd);
    const Signature& pread = signature_of(Abi::i386, "pread64");
    EXPECT_EQ(pread.entry, "sys_ia32_pread64");
    EXPECT_EQ(kinds(pread), (std::vector<ArgKind>{fd, buffer_out, length, integer, integer}));
    // Nothing to say about rt_sigreturn's arguments: no signature rather than a wrong one.
    EXPECT_EQ(signature(Abi::x86_64, *syscall_number(Abi::x86_64, "rt_sigreturn")), nullptr);
}

TEST(Catalogue, SixtyFourBitArgumentsTakeTwoSlotsOnI386) {
    const Signature& fallocate64 = signature_of(Abi::x86_64, "fallocate");
    const Signature& fallocate32 = signature_of(Abi::i386, "fallocate");
    EXPECT_EQ(fallocate64.arg_count, 4);  // fd, mode, offset, len
    EXPECT_EQ(fallocate32.arg_count, 6);
}

TEST(Catalogue, NumbersNoAbiHas) {
    EXPECT_EQ(signature(Abi::x86_64, -1), nullptr);
    EXPECT_EQ(signature(Abi::x86_64, 100000), nullptr);
}

bool member(std::string_view class_name, std::string_view name, Abi abi = Abi::x86_64) {
    const auto members = class_members(class_name, abi);
    EXPECT_TRUE(members.has_value()) << class_name;
    return members && std::binary_search(members->begin(), members->end(), std::string(name));
}

TEST(Catalogue, Classes) {
    EXPECT_EQ(class_names().size(), 17U);
    for (const char* name : {"open", "openat", "stat", "execve", "unlink", "rename", "statx"}) {
        EXPECT_TRUE(member("file", name)) << name;
    }
    EXPECT_FALSE(member("file", "read"));
    EXPECT_TRUE(member("file", "symlink"));  // by the link it makes
    for (const char* name : {"read", "write", "close", "openat", "mmap", "fsync", "dup", "pipe2"}) {
        EXPECT_TRUE(member("desc", name)) << name;
    }
    EXPECT_FALSE(member("desc", "getpid"));
    EXPECT_FALSE(member("desc", "sendto"));  // strace: a socket call is %net only
    for (const char* name : {"socket", "connect", "sendto", "recvmsg", "accept4"}) {
        EXPECT_TRUE(member("net", name)) << name;
    }
    EXPECT_FALSE(member("net", "write"));
    for (const char* name : {"msgsnd", "semop", "shmget"}) {
        EXPECT_TRUE(member("ipc", name)) << name;
    }
    EXPECT_FALSE(member("ipc", "mq_open"));
    for (const char* name : {"mmap", "munmap", "brk", "mprotect", "madvise"}) {
        EXPECT_TRUE(member("memory", name)) << name;
    }
    for (const char* name : {"kill", "tgkill", "rt_sigaction", "rt_sigreturn", "signalfd4"}) {
        EXPECT_TRUE(member("signal", name)) << name;
    }
    for (const char* name : {"execve", "clone", "clone3", "fork", "vfork", "exit_group", "wait4"}) {
        EXPECT_TRUE(member("process", name)) << name;
    }
    EXPECT_TRUE(member("process", "kill"));  // as strace: it can end a process
    EXPECT_FALSE(member("process", "set_tid_address"));
    for (const char* name : {"getuid", "setresuid", "setgroups", "capget"}) {
        EXPECT_TRUE(member("creds", name)) << name;
    }
    EXPECT_FALSE(member("creds", "getpid"));
    EXPECT_TRUE(member("creds", "getuid32", Abi::i386));
    for (const char* name : {"clock_gettime", "gettimeofday", "time", "adjtimex"}) {
        EXPECT_TRUE(member("clock", name)) << name;
    }
    EXPECT_FALSE(member("clock", "clock_nanosleep"));
    // strace's %pure (syscall='s calls), and its stat families.
    for (const char* name : {"getpid", "getppid", "gettid", "getuid", "geteuid", "getpgrp"}) {
        EXPECT_TRUE(member("pure", name)) << name;
    }
    EXPECT_FALSE(member("pure", "getcwd"));
    EXPECT_FALSE(member("pure", "get_thread_area", Abi::i386));  // undeclared, not argument-less
    EXPECT_TRUE(member("pure", "getuid32", Abi::i386));
    EXPECT_TRUE(member("stat", "stat"));
    EXPECT_TRUE(member("stat", "oldstat", Abi::i386));
    EXPECT_TRUE(member("lstat", "lstat64", Abi::i386));
    EXPECT_TRUE(member("fstat", "newfstatat"));
    EXPECT_TRUE(member("fstat", "statx"));
    EXPECT_TRUE(member("%stat", "lstat"));
    EXPECT_FALSE(member("%stat", "statfs"));
    EXPECT_TRUE(member("statfs", "statfs64", Abi::i386));
    EXPECT_TRUE(member("fstatfs", "fstatfs"));
    EXPECT_TRUE(member("%statfs", "ustat"));
    EXPECT_FALSE(class_members("files", Abi::x86_64).has_value());
}

TEST(Catalogue, NamesInARuleStandForSyscallsPerAbi) {
    EXPECT_EQ(syscalls_named("write", Abi::i386), (std::vector<std::string>{"write"}));
    EXPECT_TRUE(syscalls_named("newfstatat", Abi::i386).empty());
    const auto file64 = syscalls_named("%file", Abi::x86_64);
    const auto file32 = syscalls_named("%file", Abi::i386);
    EXPECT_TRUE(std::find(file64.begin(), file64.end(), "newfstatat") != file64.end());
    EXPECT_TRUE(std::find(file32.begin(), file32.end(), "stat64") != file32.end());
}

TEST(Catalogue, RulesAcceptClasses) {
    const Rule rule = parse_spec("%net,write:error=EACCES");
    EXPECT_EQ(rule.syscalls.elements, (std::vector<std::string>{"%net", "write"}));
    EXPECT_EQ(to_spec(rule), "%net,write:error=EACCES");
    const Scenario scenario =
        parse_scenario("[[fault]]\nsyscall = [\"%file\", \"%desc\"]\nerror = \"EIO\"\n", "s.toml");
    EXPECT_EQ(scenario.rules.at(0).syscalls.elements, (std::vector<std::string>{"%file", "%desc"}));
}

}  // namespace
}  // namespace inject::catalogue
