// short=N: a read/write-family call runs with its byte count cut to N, so it really moves N
// bytes; the program finds its argument registers as it left them. tests/programs/short_io
// makes each kind of call with the syscall instruction and reports what it saw; the files it
// leaves show what the kernel really did. Every test runs with the seccomp filter and with
// --no-seccomp.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

// short_io's buffer: ten bytes each of 'a' to 'j'.
std::string data(std::size_t length = 100) {
    std::string bytes;
    for (std::size_t i = 0; i < length; ++i) {
        bytes += static_cast<char>('a' + i / 10);
    }
    return bytes;
}

// short_io's file: write, write, writev, then pwrite64 at offset 300, each of which wrote
// the given number of bytes of the buffer; what lies between is a hole, read as zeros.
std::string file_after(std::size_t write1, std::size_t write2, std::size_t writev,
                       std::size_t pwrite64) {
    std::string file = data(write1) + data(write2) + data(writev);
    file.resize(300, '\0');
    return file + data(pwrite64);
}

std::string quoted_data(std::size_t length) {
    return "\"" + data(length) + "\"";
}

// What short_io prints when every call moved all its 100 bytes.
std::vector<std::string> whole_lines() {
    return {"write 1: ok 100, args kept",
            "write 2: ok 100, args kept",
            "writev: ok 100, args kept, iovecs kept",
            "pwrite64: ok 100, args kept",
            "sendto: ok 100, args kept, received 100",
            "read: ok 100, args kept, " + quoted_data(100),
            "readv: ok 100, args kept, iovecs kept, " + quoted_data(100),
            "pread64: ok 100, args kept, " + quoted_data(100),
            "recvfrom: ok 100, args kept, " + quoted_data(100)};
}

class ShortTest : public ModeTest {
  protected:
    void SetUp() override {
        if (!fs::exists(program("short_io"))) {
            GTEST_SKIP() << "short_io is built for x86_64 only";
        }
    }
    std::vector<std::string> command() const { return {program("short_io"), dir_ / "out"}; }
};
INSTANTIATE_TEST_SUITE_P(Modes, ShortTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

TEST_P(ShortTest, TheSecondWriteReallyWritesTenBytes) {
    const auto r = inject({"-e", "write:short=10:when=2"}, command());
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    std::vector<std::string> lines = whole_lines();
    lines[1] = "write 2: ok 10, args kept";
    EXPECT_EQ(split_lines(r.out), lines) << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), file_after(100, 10, 100, 100));

    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    EXPECT_EQ(summary.filter, filter_words());
    ASSERT_EQ(summary.events.size(), 1u) << r.err;
    EXPECT_EQ(summary.events[0], "write call 2 -> short=10  [rule 1: write:short=10:when=2]");
    EXPECT_NE(r.err.find("inject: replay: inject -e write:short=10:when=2 -- "), std::string::npos)
        << r.err;
}

TEST_P(ShortTest, EveryKindOfCallIsCutAndItsArgumentsComeBack) {
    // writev: 30 bytes of its first iovec and 15 of its second. Its when=1 leaves short_io's
    // own report alone, which goes out with writev too.
    const auto r = inject({"-q", "-e", "writev:short=45:when=1", "-e", "pwrite64:short=10", "-e",
                           "sendto:short=10", "-e", "read:short=10", "-e", "readv:short=70", "-e",
                           "pread64:short=0", "-e", "recvfrom:short=10"},
                          command());
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    const std::vector<std::string> lines{
        "write 1: ok 100, args kept",
        "write 2: ok 100, args kept",
        "writev: ok 45, args kept, iovecs kept",
        "pwrite64: ok 10, args kept",
        "sendto: ok 10, args kept, received 10",  // the datagram itself was cut
        "read: ok 10, args kept, " + quoted_data(10),
        "readv: ok 70, args kept, iovecs kept, " + quoted_data(70),  // 60 + 10 of the 2nd
        "pread64: ok 0, args kept, \"\"",                            // end of file
        "recvfrom: ok 10, args kept, " + quoted_data(10)};
    EXPECT_EQ(split_lines(r.out), lines) << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), file_after(100, 100, 45, 10));
}

TEST_P(ShortTest, CallsAlreadyShortEnoughRunUntouchedAndAreNotInjected) {
    // writev only once: short_io's report lines, longer than 100 bytes, go out by writev too.
    const auto r = inject(
        {"-e", "write,read:short=100", "-e", "writev:short=100:when=1", "-e", "pread64:short=1000"},
        command());
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(split_lines(r.out), whole_lines()) << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), file_after(100, 100, 100, 100));
    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    EXPECT_EQ(summary.faults, 0) << r.err;
}

TEST_P(ShortTest, WithSigkillTheProgramDiesRightAfterATornWrite) {
    const auto r = inject({"-q", "-e", "write:short=10:signal=SIGKILL:when=2"}, command());
    EXPECT_EQ(r.exit_status, 128 + 9) << describe(r);
    EXPECT_EQ(r.out, "") << "short_io reports at its end, which it never reached";
    EXPECT_EQ(read_file(dir_ / "out"), data(100) + data(10)) << "10 bytes of write 2, then death";
}

TEST_P(ShortTest, AClassCountsAndCutsOnlyItsCallsWithAByteCount) {
    // %desc also holds open, lseek, fstat and close, which short has nothing to cut: the rule
    // neither counts nor stops them. Each member it cuts counts apart, so when=1 cuts the first
    // call of each of short_io's file calls (sendto and recvfrom are %net), not its 2nd write,
    // nor the writes of its report, which come after.
    const auto r = inject({"-q", "-e", "%desc:short=7:when=1"}, command());
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    const std::vector<std::string> lines{"write 1: ok 7, args kept",
                                         "write 2: ok 100, args kept",
                                         "writev: ok 7, args kept, iovecs kept",
                                         "pwrite64: ok 7, args kept",
                                         "sendto: ok 100, args kept, received 100",
                                         "read: ok 7, args kept, " + quoted_data(7),
                                         "readv: ok 7, args kept, iovecs kept, " + quoted_data(7),
                                         "pread64: ok 7, args kept, " + quoted_data(7),
                                         "recvfrom: ok 100, args kept, " + quoted_data(100)};
    EXPECT_EQ(split_lines(r.out), lines) << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), file_after(7, 100, 7, 7));
}

TEST_P(ShortTest, ShortWriteIsRealWhereStracesRetvalOnlyPretends) {
    // strace has no short write: retval=10 skips the call and returns 10. The program sees the
    // same result under both; only inject's write 2 really wrote its 10 bytes.
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    fs::create_directory(dir_ / "strace");
    const auto by_strace =
        run_command({*strace, "-f", "-qq", "-o", "/dev/null", "-e", "inject=write:retval=10:when=2",
                     program("short_io"), dir_ / "strace/out"},
                    kRunTimeout);
    const auto by_inject = inject({"-q", "-e", "write:short=10:when=2"}, command());

    EXPECT_EQ(by_strace.exit_status, 0) << describe(by_strace);
    EXPECT_EQ(by_inject.exit_status, 0) << describe(by_inject);
    EXPECT_EQ(split_lines(by_strace.out).at(1), "write 2: ok 10, args kept");
    EXPECT_EQ(by_inject.out, by_strace.out);
    EXPECT_EQ(read_file(dir_ / "strace/out"), file_after(100, 0, 100, 100))
        << "under strace write 2 wrote nothing";
    EXPECT_EQ(read_file(dir_ / "out"), file_after(100, 10, 100, 100));
}

}  // namespace
}  // namespace inject::testing
