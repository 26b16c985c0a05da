// notes::save under faults: inject::gtest::run_function makes a syscall fail inside the
// function under test, in a forked child, with no mocks and no changes to the code; an EXPECT
// that fails in the child fails the test. The last test runs the program under a scenario and
// checks its [expect] table with inject::check, as `inject -s` would.

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>
#include <inject/gtest.hpp>
#include <inject/inject.hpp>

#include "notes.hpp"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Each test gets its own empty directory, so "nothing left behind" can be checked.
class SaveTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string name = (fs::temp_directory_path() / "notes_test.XXXXXX").string();
        ASSERT_NE(::mkdtemp(name.data()), nullptr) << "mkdtemp: " << std::strerror(errno);
        dir_ = name;
        path_ = dir_ / "notes.txt";
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Runs notes::save in a child traced under the fault. The child is a fork, so its
    // verdict comes back as its exit code: the errno value save returned (0 for success).
    // Whatever the outcome, no temporary file may be left, which the child checks itself.
    inject::RunResult save_under(const char* fault, const std::string& text) {
        return inject::gtest::run_function(inject::scenario_from_spec(fault), [&] {
            const std::error_code error = notes::save(path_, text);
            EXPECT_FALSE(fs::exists(path_.string() + ".tmp")) << "after: " << error.message();
            return error.value();
        });
    }

    fs::path dir_;
    fs::path path_;
};

TEST_F(SaveTest, SavesTheText) {
    ASSERT_FALSE(notes::save(path_, "buy milk\n"));
    EXPECT_EQ(read_file(path_), "buy milk\n");
}

TEST_F(SaveTest, ReportsAFullDiskAndLeavesNoFileBehind) {
    const inject::RunResult result = save_under("write:error=ENOSPC", "buy milk\n");

    EXPECT_EQ(result.exit_code, ENOSPC);
    EXPECT_EQ(result.injections.size(), 1u);  // else the error path never ran
    EXPECT_TRUE(fs::is_empty(dir_)) << "neither notes.txt nor notes.txt.tmp may be left";
}

TEST_F(SaveTest, KeepsTheOldNotesWhenTheyCannotBeMadeDurable) {
    ASSERT_FALSE(notes::save(path_, "old\n"));

    const inject::RunResult result = save_under("fsync:error=EIO", "new\n");

    EXPECT_EQ(result.exit_code, EIO);
    EXPECT_EQ(result.injections.size(), 1u);
    EXPECT_EQ(read_file(path_), "old\n");
    EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
}

// The program itself under a scenario from C++: inject::check gives the lines `inject -s`
// prints for the expectations that failed, none here.
TEST_F(SaveTest, TheProgramFailsAsItsScenarioExpects) {
    const inject::Scenario scenario =
        inject::load_scenario_file(fs::path(SCENARIOS_DIR) / "fsync-fails.toml");
    inject::RunOptions options;
    options.pass_through = false;
    const inject::RunResult result =
        inject::run(scenario, {SAVE_NOTES, path_.string(), "buy", "milk"}, options);
    EXPECT_EQ(inject::check(*scenario.expect, result), std::vector<std::string>{});
}

}  // namespace
