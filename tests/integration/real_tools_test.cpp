// Real programs meeting the errors they were written to handle: coreutils cp, gzip and GNU
// tar under inject, checked by their exit status and their own error messages. Which calls
// they make was looked up with strace on Debian 12 (coreutils 9.1, gzip 1.12, tar 1.34); the
// tests run them with LC_ALL=C so that the messages are the untranslated ones.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

class RealToolTest : public ModeTest {
  protected:
    void SetUp() override {
        // 300000 bytes: several reads and writes whatever the tools' buffer sizes.
        std::string data(300000, '\0');
        unsigned x = 2463534242u;
        for (char& c : data) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            c = static_cast<char>(x & 0xffu);
        }
        write_file(dir_ / "in", data);
    }

    // env(1) sets the locale for inject, which passes its environment on to the tool.
    CommandResult run_tool(const std::vector<std::string>& options,
                           const std::vector<std::string>& command) const {
        std::vector<std::string> argv{"env", "LC_ALL=C"};
        const auto rest = inject_argv(options, command);
        argv.insert(argv.end(), rest.begin(), rest.end());
        return run_command(argv, kRunTimeout);
    }
};
INSTANTIATE_TEST_SUITE_P(Modes, RealToolTest, ::testing::ValuesIn(kAllModes), mode_name);

TEST_P(RealToolTest, CpMeetsAFullDiskInCopyFileRange) {
    // cp 9.1 first tries ioctl(FICLONE) (EOPNOTSUPP on ext4 and tmpfs), then copies with
    // copy_file_range, falling back to read/write only for errors like EXDEV.
    const auto r =
        run_tool({"-q", "-e", "copy_file_range:error=ENOSPC"}, {"cp", dir_ / "in", dir_ / "out"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
}

TEST_P(RealToolTest, CpMeetsAFullDiskInWriteAfterFallingBack) {
    // EXDEV sends cp to its read/write loop (128 KiB buffers); its 2nd write hits the disk
    // limit, and the 3rd write, its error message, goes through.
    const auto r =
        run_tool({"-q", "-e", "copy_file_range:error=EXDEV", "-e", "write:error=ENOSPC:when=2"},
                 {"cp", dir_ / "in", dir_ / "out"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("error writing"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
    EXPECT_EQ(fs::file_size(dir_ / "out"), 131072u);
}

TEST_P(RealToolTest, GzipMeetsAnIoErrorReadingItsInput) {
    // The dynamic loader's one read (libc's ELF header) is read 1; from read 4 on, every read
    // fails: gzip's reads of its input (about ten here), whatever it read first.
    const auto r = run_tool({"-q", "-e", "read:error=EIO:when=4+"}, {"gzip", "-c", dir_ / "in"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("Input/output error"), std::string::npos) << r.err;
}

TEST_P(RealToolTest, TarMeetsAFullDiskWritingTheArchive) {
    const auto r = run_tool({"-q", "-e", "write:error=ENOSPC:when=2"},
                            {"tar", "-C", dir_.path().string(), "-cf", dir_ / "a.tar", "in"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_NE(r.err.find("Cannot write: No space left on device"), std::string::npos) << r.err;
    EXPECT_EQ(fs::file_size(dir_ / "a.tar"), 10240u);  // the first 10 KiB record only
}

TEST_P(RealToolTest, GzipMeetsAFullDiskOnlyOnItsOutputFile) {
    // Every write to the .gz file fails, from the first: no `when` to find by trial, and gzip's
    // own error message on stderr still goes through.
    const std::string archive = dir_ / "in.gz";
    const auto r =
        run_tool({"-q", "-e", "write:error=ENOSPC:path=" + archive}, {"gzip", "-k", dir_ / "in"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find(archive + ": No space left on device"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(archive));  // gzip removes what it could not finish
}

TEST_P(RealToolTest, TarMeetsAnErrorOnOneExtractedFileOnly) {
    // Extract two files; only the writes to one of them fail (tar reports it, goes on with
    // the other and exits 2).
    fs::create_directory(dir_ / "src");
    write_file(dir_ / "src/a", std::string(20000, 'a'));
    write_file(dir_ / "src/b", std::string(20000, 'b'));
    const auto packed =
        run_command({"tar", "-C", dir_ / "src", "-cf", dir_ / "two.tar", "a", "b"}, kRunTimeout);
    ASSERT_EQ(packed.exit_status, 0) << describe(packed);
    fs::create_directory(dir_ / "dst");
    const auto r = run_tool({"-q", "-e", "write:error=EIO:path=" + (dir_ / "dst/a")},
                            {"tar", "-C", dir_ / "dst", "-xf", dir_ / "two.tar"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_NE(r.err.find("a: Cannot write: Input/output error"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(dir_ / "dst/b"), std::string(20000, 'b'));
}

TEST_P(RealToolTest, CpLoopsOnShortWritesAndStillCopiesEveryByte) {
    // Each of cp's 128 KiB writes really writes 1000 bytes; cp writes the rest itself, as a
    // careful program must, so the copy is whole. A fake `retval=1000` would leave holes.
    const auto r = run_tool({"-e", "copy_file_range:error=EXDEV", "-e", "write:short=1000"},
                            {"cp", dir_ / "in", dir_ / "out"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), read_file(dir_ / "in"));
    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    // 300000 bytes by at most 1000 a write: hundreds of cut calls (those of 1000 bytes or
    // less, the ends of cp's buffers, ran whole).
    EXPECT_GT(summary.faults, 250) << r.err;
    ASSERT_GE(summary.events.size(), 2u) << r.err;
    EXPECT_EQ(summary.events[1], "write call 1 -> short=1000  [rule 2: write:short=1000]");
}

TEST_P(RealToolTest, CpLoopsOnShortCopyFileRangesAndStillCopiesEveryByte) {
    // cp copies with copy_file_range, which moves bytes between the two files without passing
    // them through cp: each call really copies at most 4096 bytes, and cp asks again.
    const auto r =
        run_tool({"-e", "copy_file_range:short=4096"}, {"cp", dir_ / "in", dir_ / "out"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), read_file(dir_ / "in"));
    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    EXPECT_GE(summary.faults, 300000 / 4096) << r.err;
    ASSERT_GE(summary.events.size(), 1u) << r.err;
    EXPECT_EQ(summary.events[0],
              "copy_file_range call 1 -> short=4096  [rule 1: copy_file_range:short=4096]");
}

TEST_P(RealToolTest, Md5sumReadsThroughShortReads) {
    // Read 1 is the dynamic loader's (libc's ELF header); md5sum's own reads, each cut to 999
    // bytes, still add up to the same file.
    const auto bare = run_command({"md5sum", dir_ / "in"}, kRunTimeout);
    const auto r = run_tool({"-e", "read:short=999:when=2+"}, {"md5sum", dir_ / "in"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, bare.out);
    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    EXPECT_GT(summary.faults, 250) << r.err;
}

}  // namespace
}  // namespace inject::testing
