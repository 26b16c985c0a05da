// The syscall log's lines, made from records written by hand: every kind of argument the
// catalogue knows, strace's escaping and cuts, results, errors and the INJECTED mark. The
// expected texts are what strace 6 prints for the same calls (`strace -y`), but for AT_FDCWD,
// which strace -y follows with the working directory.
#include "report/syscall_log.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "inject/names.hpp"

namespace inject::report {
namespace {

constexpr pid_t kTid = 812;
constexpr std::uint64_t kBuffer = 0x7ffc6fd89404;

// A record of the call `name`, with its registers; what was read is filled in by each test.
SyscallRecord call(std::string name, std::array<std::uint64_t, 6> args, Abi abi = Abi::x86_64) {
    SyscallRecord record;
    record.pid = kTid;
    record.tid = kTid;
    record.abi = abi;
    record.number = syscall_number(abi, name).value();
    record.name = std::move(name);
    record.args = args;
    return record;
}

// A register holding a negative int as a 64-bit program passes it: sign-extended.
std::uint64_t reg(std::int64_t value) {
    return static_cast<std::uint64_t>(value);
}

LoggedBytes bytes(std::string text, bool truncated = false) {
    return LoggedBytes{std::move(text), truncated};
}

TEST(SyscallLogTest, InjectedWriteShowsTheFileTheBytesAndTheMark) {
    SyscallRecord record = call("write", {3, kBuffer, 5});
    record.logged[0].fd_path = "/tmp/out";
    record.logged[1].data = bytes("hello");
    record.result = -ENOSPC;
    record.injected = true;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] write(3</tmp/out>, \"hello\", 5) = -1 ENOSPC (No space left on device) "
              "(INJECTED)");
}

TEST(SyscallLogTest, ACallThatRanHasNoMarkAndItsResultInDecimal) {
    SyscallRecord record = call("write", {1, kBuffer, 6});
    record.logged[1].data = bytes("hello\n");
    record.result = 6;
    EXPECT_EQ(syscall_log_line(record), "[pid 812] write(1, \"hello\\n\", 6) = 6");
}

TEST(SyscallLogTest, AFakeSuccessIsMarkedToo) {
    SyscallRecord record = call("fsync", {3});
    record.result = 0;
    record.injected = true;
    EXPECT_EQ(syscall_log_line(record), "[pid 812] fsync(3) = 0 (INJECTED)");
}

TEST(SyscallLogTest, BytesAreEscapedAsStraceDoes) {
    // strace -y wrote: write(3</tmp/sx/out>, "a\tb\n\"q\\\0012\0017x\377", 13) = 13
    EXPECT_EQ(escape_bytes(std::string("a\tb\n\"q\\\0012\0017x\377", 13)),
              R"(a\tb\n\"q\\\0012\0017x\377)");
    // Octal is as short as it can be unless an octal digit follows; 8 and 9 are not octal.
    EXPECT_EQ(escape_bytes(std::string("\0\0"
                                       "8\x1f"
                                       "a\x7f\r\v\f\0"
                                       "1",
                                       11)),
              R"(\0\08\37a\177\r\v\f\0001)");
    EXPECT_EQ(escape_bytes("x<y>z", "<>"), R"(x\74y\76z)");
}

TEST(SyscallLogTest, BuffersAndStringsAreCutAt32BytesWithDotsAfterTheQuote) {
    SyscallRecord record = call("write", {3, kBuffer, 40});
    record.logged[1].data = bytes("01234567890123456789012345678901", true);
    record.result = 40;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] write(3, \"01234567890123456789012345678901\"..., 40) = 40");

    SyscallRecord exact = call("write", {3, kBuffer, 32});
    exact.logged[1].data = bytes("01234567890123456789012345678901");
    exact.result = 32;
    EXPECT_EQ(syscall_log_line(exact),
              "[pid 812] write(3, \"01234567890123456789012345678901\", 32) = 32");

    SyscallRecord xattr = call("getxattr", {0x1000, 0x2000, kBuffer, 10});
    xattr.logged[0].data = bytes("/tmp/sx/out");
    xattr.logged[1].data = bytes("user.abcdefghijklmnopqrstuvwxyz0", true);
    xattr.result = -ENODATA;
    EXPECT_EQ(syscall_log_line(xattr),
              "[pid 812] getxattr(\"/tmp/sx/out\", \"user.abcdefghijklmnopqrstuvwxyz0\"..., "
              "0x7ffc6fd89404, 10) = -1 ENODATA (No data available)");
}

TEST(SyscallLogTest, PathsAreShownWhole) {
    const std::string path = "/a/rather/long/directory/name/that/goes/on/and/on/file.txt";
    SyscallRecord record = call("unlink", {0x1000});
    record.logged[0].data = bytes(path);
    record.result = -ENOENT;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] unlink(\"" + path + "\") = -1 ENOENT (No such file or directory)");
}

TEST(SyscallLogTest, OpenFlagsAreNamedAndTheDirectoryIsAtFdcwd) {
    SyscallRecord record =
        call("openat", {reg(AT_FDCWD), 0x1000, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644});
    record.logged[1].data = bytes("/tmp/out");
    record.result = 3;
    EXPECT_EQ(
        syscall_log_line(record),
        "[pid 812] openat(AT_FDCWD, \"/tmp/out\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 420) = 3");
}

TEST(SyscallLogTest, OpenFlagsInStracesOrderWithUnknownBitsInHex) {
    EXPECT_EQ(open_flags_text(O_RDONLY), "O_RDONLY");
    EXPECT_EQ(open_flags_text(O_RDWR | O_APPEND | O_NOFOLLOW | O_CREAT),
              "O_RDWR|O_CREAT|O_APPEND|O_NOFOLLOW");
    EXPECT_EQ(open_flags_text(O_ACCMODE), "O_ACCMODE");
    EXPECT_EQ(open_flags_text(O_RDONLY | 0x4000000), "O_RDONLY|0x4000000");
    // Several bits named as one flag, before their parts.
    EXPECT_EQ(open_flags_text(O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
    EXPECT_EQ(open_flags_text(O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
    EXPECT_EQ(open_flags_text(O_RDONLY | O_DIRECTORY), "O_RDONLY|O_DIRECTORY");
    // The kernel's O_LARGEFILE, which 32-bit programs pass (the C library calls it 0 for
    // 64-bit programs, so this file cannot name it).
    constexpr std::uint64_t kKernelLargefile = 0100000;
    EXPECT_EQ(open_flags_text(O_RDONLY | kKernelLargefile | O_CLOEXEC),
              "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
}

TEST(SyscallLogTest, DirectoryDescriptorsOtherThanAtFdcwdShowTheirFile) {
    SyscallRecord record = call("openat", {3, 0x1000, 3, 0});
    record.logged[0].fd_path = "/tmp/sx/out";
    record.logged[1].data = bytes("rel");
    record.result = -ENOTDIR;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] openat(3</tmp/sx/out>, \"rel\", O_ACCMODE, 0) = -1 ENOTDIR (Not a "
              "directory)");
}

TEST(SyscallLogTest, I386RegistersAreReadAs32BitValues) {
    // AT_FDCWD and -1 as a 32-bit program passes them: zero-extended in the 64-bit register.
    SyscallRecord record = call("openat", {0xffffff9c, 0x1000, O_RDONLY | 0100000, 0}, Abi::i386);
    record.logged[1].data = bytes("x");
    record.result = 3;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] openat(AT_FDCWD, \"x\", O_RDONLY|O_LARGEFILE, 0) = 3");
    SyscallRecord seek = call("lseek", {3, 0xffffffff, SEEK_CUR}, Abi::i386);
    seek.result = -ESPIPE;
    EXPECT_EQ(syscall_log_line(seek), "[pid 812] lseek(3, -1, 1) = -1 ESPIPE (Illegal seek)");
}

TEST(SyscallLogTest, FileNamesWithAngleBracketsAreEscaped) {
    SyscallRecord record = call("close", {4});
    record.logged[0].fd_path = "/tmp/a>b\n";
    record.result = 0;
    EXPECT_EQ(syscall_log_line(record), R"([pid 812] close(4</tmp/a\76b\n>) = 0)");
}

TEST(SyscallLogTest, UnreadableMemoryAndPointersAreHex) {
    SyscallRecord record = call("write", {3, 0x10, 3});
    record.result = -EFAULT;
    EXPECT_EQ(syscall_log_line(record), "[pid 812] write(3, 0x10, 3) = -1 EFAULT (Bad address)");
    SyscallRecord null = call("write", {3, 0, 3});
    null.result = -EFAULT;
    EXPECT_EQ(syscall_log_line(null), "[pid 812] write(3, NULL, 3) = -1 EFAULT (Bad address)");
}

TEST(SyscallLogTest, AFailedReadShowsItsBufferAsAPointer) {
    SyscallRecord record = call("read", {reg(-1), kBuffer, 10});
    record.result = -EBADF;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] read(-1, 0x7ffc6fd89404, 10) = -1 EBADF (Bad file descriptor)");
}

TEST(SyscallLogTest, ACallTheHeadersDoNotDeclareShowsSixRegistersInHex) {
    SyscallRecord record;
    record.tid = kTid;
    record.number = 1000;
    record.args = {1, 2, 0x7f5ba40d42ad, 0, 0x7f5ba41d76d0, 0x7ffc6fd8940e};
    record.result = -ENOSYS;
    // As strace printed it for syscall(1000, 1, 2).
    EXPECT_EQ(format_syscall_line(record, nullptr),
              "[pid 812] syscall_0x3e8(0x1, 0x2, 0x7f5ba40d42ad, 0, 0x7f5ba41d76d0, "
              "0x7ffc6fd8940e) = -1 ENOSYS (Function not implemented)");
}

TEST(SyscallLogTest, ACallThatNeverReturnedHasAQuestionMark) {
    SyscallRecord record = call("exit_group", {0});
    EXPECT_EQ(syscall_log_line(record), "[pid 812] exit_group(0) = ?");
}

TEST(SyscallLogTest, ErrorsTheCLibraryCannotNameShowTheirNumber) {
    SyscallRecord record = call("pause", {});
    record.result = -512;  // ERESTARTSYS: the kernel restarts the call, the program never sees it
    EXPECT_EQ(syscall_log_line(record), "[pid 812] pause() = -1 512");
}

TEST(SyscallLogTest, LengthsAreUnsignedAndIntegersSigned) {
    SyscallRecord record = call("write", {1, kBuffer, reg(-1)});
    record.result = -EFAULT;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] write(1, 0x7ffc6fd89404, 18446744073709551615) = -1 EFAULT (Bad "
              "address)");
    SyscallRecord seek = call("lseek", {3, reg(-5), SEEK_END});
    seek.result = 95;
    EXPECT_EQ(syscall_log_line(seek), "[pid 812] lseek(3, -5, 2) = 95");
}

TEST(SyscallLogTest, IovecsAreShownAsStraceShowsThem) {
    SyscallRecord record = call("writev", {3, kBuffer, 2});
    record.logged[0].fd_path = "/tmp/sx/out";
    record.logged[1].iovecs_read = true;
    record.logged[1].iovecs = {{0x1000, 2, bytes("ab")}, {0x2000, 3, bytes("cde")}};
    record.result = 5;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] writev(3</tmp/sx/out>, [{iov_base=\"ab\", iov_len=2}, "
              "{iov_base=\"cde\", iov_len=3}], 2) = 5");
}

TEST(SyscallLogTest, IovecsBeyondTheFirst32AreDotsAndAnUnreadableArrayIsAPointer) {
    SyscallRecord record = call("writev", {1, kBuffer, 40});
    record.logged[1].iovecs_read = true;
    record.logged[1].iovecs.assign(32, LoggedIovec{0x1000, 1, bytes("x")});
    record.result = 40;
    const std::string line = syscall_log_line(record);
    EXPECT_TRUE(line.ends_with("{iov_base=\"x\", iov_len=1}, ...], 40) = 40")) << line;

    SyscallRecord unreadable = call("readv", {3, kBuffer, 2});
    unreadable.result = -EBADF;
    EXPECT_EQ(syscall_log_line(unreadable),
              "[pid 812] readv(3, 0x7ffc6fd89404, 2) = -1 EBADF (Bad file descriptor)");
}

TEST(SyscallLogTest, AFailedReadvShowsItsEntriesWithPointers) {
    SyscallRecord record = call("readv", {reg(-1), kBuffer, 2});
    record.logged[1].iovecs_read = true;
    record.logged[1].iovecs = {{0x1000, 2, {}}, {0x2000, 10, {}}};
    record.result = -EBADF;
    EXPECT_EQ(syscall_log_line(record),
              "[pid 812] readv(-1, [{iov_base=0x1000, iov_len=2}, {iov_base=0x2000, iov_len=10}], "
              "2) = -1 EBADF (Bad file descriptor)");
}

TEST(SyscallLogTest, TheThreadIdIsThePrefix) {
    SyscallRecord record = call("fsync", {3});
    record.pid = 100;
    record.tid = 101;
    record.result = 0;
    EXPECT_EQ(syscall_log_line(record), "[pid 101] fsync(3) = 0");
}

}  // namespace
}  // namespace inject::report
