// notes::save under faults: inject::run_function makes a syscall fail inside the function
// under test, in a forked child, with no mocks and no changes to the code.

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
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
    inject::RunResult save_under(const char* fault, const std::string& text) {
        return inject::run_function(inject::scenario_from_spec(fault),
                                    [&] { return notes::save(path_, text).value(); });
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

}  // namespace
