// The shipped examples under the shipped scenarios: what scripts/demo shows, checked. Each
// example first runs bare (it must work, or the injected runs prove nothing), then under
// inject in the three modes of modes.hpp (notifications, the default; the filter with ptrace
// stops alone; no filter, where every syscall stops): all paths must count and inject the same
// calls.

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace {

namespace fs = std::filesystem;
namespace it = inject::testing;
using it::describe;

// copy_file copies in chunks of this size; the scenarios count its writes.
constexpr std::size_t kChunk = 4096;

// Bytes that do not repeat from one chunk to the next, so that a lost, doubled or reordered
// chunk changes the copy. Not a multiple of the chunk size: the last write is a short one.
std::string sample_data() {
    std::string data(16 * kChunk + 123, '\0');
    std::uint32_t x = 2463534242u;
    for (char& c : data) {
        x ^= x << 13;  // xorshift32
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    return data;
}

std::size_t chunks_of(const std::string& data) {
    return (data.size() + kChunk - 1) / kChunk;
}

// The summary's first words; "1 fault" matches whether or not the count is pluralized.
std::string injected_count(std::size_t n) {
    return "inject: " + std::to_string(n) + " fault";
}

// A run that hangs must fail the test, not the whole suite's time budget.
constexpr std::chrono::seconds kTimeout{30};

TEST(ExamplesBare, CopyFileCopies) {
    const it::TempDir dir;
    const std::string data = sample_data();
    it::write_file(dir / "in", data);

    const auto r = it::run_command({it::example("copy_file"), dir / "in", dir / "out"}, kTimeout);

    ASSERT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.err, "") << "success must be silent";
    EXPECT_TRUE(it::read_file(dir / "out") == data) << "the copy differs from the original";
}

TEST(ExamplesBare, ConfigWriterWrites) {
    const it::TempDir dir;
    it::write_file(dir / "app.conf", "old=1\n");

    const auto r = it::run_command(
        {it::example("config_writer"), dir / "app.conf", "name=demo", "size=3"}, kTimeout);

    ASSERT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(it::read_file(dir / "app.conf"), "name=demo\nsize=3\n");
    EXPECT_FALSE(fs::exists(dir / "app.conf.tmp"));
}

// The parameter: how the picked calls reach inject (see modes.hpp).
class ExamplesInjected : public ::testing::TestWithParam<it::Mode> {
  protected:
    static it::CommandResult run_with(const std::vector<std::string>& rules,
                                      const std::vector<std::string>& program) {
        std::vector<std::string> argv{it::inject_binary()};
        const std::vector<std::string> mode = it::mode_options(GetParam());
        argv.insert(argv.end(), mode.begin(), mode.end());
        argv.insert(argv.end(), rules.begin(), rules.end());
        argv.emplace_back("--");
        argv.insert(argv.end(), program.begin(), program.end());
        return it::run_command(argv, kTimeout);
    }
    static it::CommandResult run_under(const std::string& scenario_name,
                                       const std::vector<std::string>& program) {
        return run_with({"--scenario", it::scenario(scenario_name)}, program);
    }
};

// What scripts/demo shows first: one short write finds the bug planted in careless_copy (it
// takes a short write for the whole chunk), which a bare run never shows and which copy_file,
// writing the rest of each chunk, does not have.
TEST_P(ExamplesInjected, ShortWriteFindsTheBugPlantedInCarelessCopy) {
    const it::TempDir dir;
    const std::string data = sample_data();
    it::write_file(dir / "in", data);
    const std::vector<std::string> short_second_write{"-e", "write:short=1000:when=2:path=**/out"};

    const auto bare =
        it::run_command({it::example("careless_copy"), dir / "in", dir / "out"}, kTimeout);
    ASSERT_EQ(bare.exit_status, 0) << describe(bare);
    ASSERT_TRUE(it::read_file(dir / "out") == data) << "run bare, the planted bug shows already";

    const auto careless =
        run_with(short_second_write, {it::example("careless_copy"), dir / "in", dir / "out"});
    EXPECT_EQ(careless.exit_status, 0) << describe(careless);  // it believes it succeeded
    EXPECT_NE(careless.err.find(injected_count(1)), std::string::npos) << describe(careless);
    EXPECT_EQ(it::read_file(dir / "out").size(), data.size() - (kChunk - 1000))
        << "the rest of the second chunk should be lost";

    const auto careful =
        run_with(short_second_write, {it::example("copy_file"), dir / "in", dir / "out"});
    EXPECT_EQ(careful.exit_status, 0) << describe(careful);
    EXPECT_NE(careful.err.find(injected_count(1)), std::string::npos) << describe(careful);
    EXPECT_TRUE(it::read_file(dir / "out") == data) << "copy_file lost the rest of a short write";
}

TEST_P(ExamplesInjected, CopyFileMeetsFullDiskAndRemovesItsOutput) {
    const it::TempDir dir;
    it::write_file(dir / "in", sample_data());

    const auto r = run_under("enospc.toml", {it::example("copy_file"), dir / "in", dir / "out"});

    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("copy_file: writing " + (dir / "out") + ": No space left on device"),
              std::string::npos)
        << describe(r);
    EXPECT_NE(r.err.find(injected_count(1)), std::string::npos) << describe(r);
    EXPECT_FALSE(fs::exists(dir / "out")) << "the partial copy was left behind";
    EXPECT_TRUE(fs::exists(dir / "in"));
}

TEST_P(ExamplesInjected, CopyFileTakesAZeroByteWriteForAFullDisk) {
    const it::TempDir dir;
    it::write_file(dir / "in", sample_data());

    const auto r =
        run_under("write-returns-zero.toml", {it::example("copy_file"), dir / "in", dir / "out"});

    // A copier that retried forever would be killed at the timeout: 128+SIGKILL, not 1.
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << describe(r);
    EXPECT_NE(r.err.find(injected_count(1)), std::string::npos) << describe(r);
    EXPECT_FALSE(fs::exists(dir / "out")) << "the partial copy was left behind";
}

TEST_P(ExamplesInjected, CopyFileLoopsOnShortWritesAndCopiesEveryByte) {
    const it::TempDir dir;
    const std::string data = sample_data();
    it::write_file(dir / "in", data);

    const auto r =
        run_under("short-writes.toml", {it::example("copy_file"), dir / "in", dir / "out"});

    EXPECT_EQ(r.exit_status, 0) << describe(r);  // the scenario's [expect] held
    EXPECT_NE(r.err.find("PASS"), std::string::npos) << describe(r);
    EXPECT_EQ(it::read_file(dir / "out"), data) << "a short write was taken for the whole";
}

TEST_P(ExamplesInjected, CopyFileRetriesInterruptedWrites) {
    const it::TempDir dir;
    const std::string data = sample_data();
    it::write_file(dir / "in", data);

    const auto r =
        run_under("eintr-on-write.toml", {it::example("copy_file"), dir / "in", dir / "out"});

    EXPECT_EQ(r.exit_status, 0) << describe(r);
    // Every chunk's first attempt is interrupted (calls 1, 3, 5...), its retry succeeds.
    EXPECT_NE(r.err.find(injected_count(chunks_of(data))), std::string::npos) << describe(r);
    EXPECT_TRUE(fs::exists(dir / "out"));
    EXPECT_TRUE(it::read_file(dir / "out") == data) << "the copy differs from the original";
}

TEST_P(ExamplesInjected, ConfigWriterKeepsOldConfigWhenFsyncFails) {
    const it::TempDir dir;
    it::write_file(dir / "app.conf", "old=1\n");

    const auto r = run_under("eio-on-fsync.toml",
                             {it::example("config_writer"), dir / "app.conf", "name=demo"});

    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(
        r.err.find("config_writer: syncing " + (dir / "app.conf.tmp") + ": Input/output error"),
        std::string::npos)
        << describe(r);
    EXPECT_NE(r.err.find(injected_count(1)), std::string::npos) << describe(r);
    EXPECT_EQ(it::read_file(dir / "app.conf"), "old=1\n");
    EXPECT_FALSE(fs::exists(dir / "app.conf.tmp")) << "the temporary file was left behind";
}

TEST_P(ExamplesInjected, ConfigWriterKeepsOldConfigWhenRenameFails) {
    const it::TempDir dir;
    it::write_file(dir / "app.conf", "old=1\n");

    const auto r = run_under("rename-ebusy.toml",
                             {it::example("config_writer"), dir / "app.conf", "name=demo"});

    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_NE(r.err.find("config_writer: renaming " + (dir / "app.conf.tmp") + " to " +
                         (dir / "app.conf") + ": Device or resource busy"),
              std::string::npos)
        << describe(r);
    EXPECT_NE(r.err.find(injected_count(1)), std::string::npos) << describe(r);
    EXPECT_EQ(it::read_file(dir / "app.conf"), "old=1\n");
    EXPECT_FALSE(fs::exists(dir / "app.conf.tmp")) << "the temporary file was left behind";
}

TEST_P(ExamplesInjected, ConfigWriterRetriesInterruptedWrite) {
    const it::TempDir dir;
    it::write_file(dir / "app.conf", "old=1\n");

    const auto r = run_under("eintr-on-write.toml",
                             {it::example("config_writer"), dir / "app.conf", "name=demo"});

    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.err.find(injected_count(1)), std::string::npos) << describe(r);
    EXPECT_EQ(it::read_file(dir / "app.conf"), "name=demo\n");
    EXPECT_FALSE(fs::exists(dir / "app.conf.tmp"));
}

INSTANTIATE_TEST_SUITE_P(Modes, ExamplesInjected, ::testing::ValuesIn(it::kAllModes),
                         it::mode_name);

}  // namespace
