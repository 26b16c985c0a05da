// The filters path=, fd= and process= on real programs: tests/programs/files opens its files
// every way a path filter must see through (an absolute path, a dirfd, a relative path after
// chdir, an fd number closed and reused, dup2), and each rule must hit exactly the calls it
// names. Every test runs with the seccomp filter and with --no-seccomp.

#include <gtest/gtest.h>

#include <filesystem>
#include <list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What tests/programs/files prints when every call succeeds, one line per call.
const std::vector<std::pair<std::string, std::string>> kFilesCalls{
    {"open app.log", "fd 3"},    {"open dir", "fd 4"},        {"openat data.bin", "fd 5"},
    {"log write 1", "ok 12"},    {"log write 2", "ok 12"},    {"data write 1", "ok 13"},
    {"data write 2", "ok 13"},   {"stdout write 1", "ok 15"}, {"stdout write 2", "ok 15"},
    {"chdir", "ok 0"},           {"mkdir sub", "ok 0"},       {"open sub/../rel.log", "fd 6"},
    {"rel write 1", "ok 12"},    {"close log", "ok 0"},       {"openat sub/reused.bin", "fd 3"},
    {"reused write 1", "ok 15"}, {"reopen app.log", "fd 7"},  {"dup2", "ok 3"},
    {"dup2 write 1", "ok 13"},
};

// Its output with the results of some calls changed ("log write 1" -> "ENOSPC"). A write to
// stdout that fails does not print its own line.
std::string files_output(const std::map<std::string, std::string>& changed) {
    std::string out;
    for (const auto& [call, result] : kFilesCalls) {
        const auto change = changed.find(call);
        const std::string& shown = change == changed.end() ? result : change->second;
        if (call.starts_with("stdout write") && shown.starts_with("ok")) {
            out += call + "\n";
        }
        out += call + ": " + shown + "\n";
    }
    return out;
}

class FiltersTest : public ModeTest {
  protected:
    CommandResult files(const std::vector<std::string>& options) const {
        return inject(options, {program("files"), dir_.path().string()});
    }
    // A second run, in a fresh directory of its own.
    CommandResult files_again(const std::vector<std::string>& options) const {
        const TempDir& dir = again_.emplace_back();
        return inject(options, {program("files"), dir.path().string()});
    }
    mutable std::list<TempDir> again_;
    std::string file(std::string_view name) const { return read_file(dir_ / name); }
};
INSTANTIATE_TEST_SUITE_P(Modes, FiltersTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

TEST_P(FiltersTest, PathOfAnFdHitsOnlyThatFilesWrites) {
    const auto r = files({"-q", "-e", "write:error=ENOSPC:path=" + (dir_ / "app.log")});
    // Not the write to reused.bin, although it reuses the log's fd number; the write through
    // the fd dup2'd onto that number is the log's again.
    EXPECT_EQ(r.out, files_output({{"log write 1", "ENOSPC"},
                                   {"log write 2", "ENOSPC"},
                                   {"dup2 write 1", "ENOSPC"}}))
        << describe(r);
    EXPECT_EQ(r.exit_status, 3);
    EXPECT_EQ(file("app.log"), "");
    EXPECT_EQ(file("data.bin"), "data write 1\ndata write 2\n");
    EXPECT_EQ(file("sub/reused.bin"), "reused write 1\n");
}

// Two processes sharing one fd table (clone with CLONE_FILES, not CLONE_THREAD): the child
// closes the parent's fd and reopens it on another file, and the parent's next write goes
// there. Each rule hits the write to its own file, and only that one.
// What shared_fds prints, on whichever fd number its first open got (the lowest free one,
// which depends on what the test runner left open).
std::string shared_fds_output(const std::string& out, const std::string& on_a,
                              const std::string& on_b) {
    const std::string fd = out.substr(0, out.find('\n'));
    return fd + "\nwrite to A.log: " + on_a + "\nchild: B.log is " + fd +
           "\nwrite to B.log: " + on_b + "\n";
}

TEST_P(FiltersTest, ProcessesSharingAnFdTableSeeWhatTheOtherClosedAndOpened) {
    const auto on_b = inject({"-q", "-e", "write:error=EIO:path=**/B.log"},
                             {program("shared_fds"), dir_.path().string()});
    EXPECT_EQ(on_b.exit_status, 1) << describe(on_b);
    ASSERT_TRUE(on_b.out.starts_with("fd ")) << describe(on_b);
    EXPECT_EQ(on_b.out, shared_fds_output(on_b.out, "ok 2", "EIO"));
    const TempDir& other = again_.emplace_back();
    const auto on_a = inject({"-q", "-e", "write:error=EIO:path=**/A.log"},
                             {program("shared_fds"), other.path().string()});
    EXPECT_EQ(on_a.exit_status, 1) << describe(on_a);
    ASSERT_TRUE(on_a.out.starts_with("fd ")) << describe(on_a);
    EXPECT_EQ(on_a.out, shared_fds_output(on_a.out, "EIO", "ok 2"));
    EXPECT_EQ(read_file(other.path() / "B.log"), "x\n");
}

TEST_P(FiltersTest, WhenCountsOnlyTheCallsThatPassTheFilter) {
    const auto r = files({"-q", "-e", "write:error=ENOSPC:when=2:path=**/app.log"});
    EXPECT_EQ(r.out, files_output({{"log write 2", "ENOSPC"}})) << describe(r);
    EXPECT_EQ(r.exit_status, 1);
}

TEST_P(FiltersTest, AnyDepthGlob) {
    const auto r = files({"-q", "-e", "write:error=EIO:path=" + (dir_ / "**/*.bin")});
    EXPECT_EQ(
        r.out,
        files_output({{"data write 1", "EIO"}, {"data write 2", "EIO"}, {"reused write 1", "EIO"}}))
        << describe(r);
    EXPECT_EQ(r.exit_status, 3);
}

TEST_P(FiltersTest, ARelativePathIsTakenFromTheCwd) {
    // open("sub/../rel.log") after chdir: the kernel's openat(AT_FDCWD, ...).
    const auto r = files({"-q", "-e", "openat:error=EACCES:path=" + (dir_ / "rel.log")});
    EXPECT_EQ(r.out, files_output({{"open sub/../rel.log", "EACCES"},
                                   {"rel write 1", "EBADF"},
                                   {"reopen app.log", "fd 6"}}))
        << describe(r);
    EXPECT_EQ(r.exit_status, 2);
    EXPECT_FALSE(fs::exists(dir_ / "rel.log"));
}

TEST_P(FiltersTest, ARelativePathIsTakenFromItsDirfd) {
    const auto r = files({"-q", "-e", "openat:error=EACCES:path=" + (dir_ / "sub/*")});
    EXPECT_EQ(r.out, files_output({{"openat sub/reused.bin", "EACCES"},
                                   {"reused write 1", "EBADF"},
                                   {"reopen app.log", "fd 3"},
                                   {"dup2", "EBADF"},
                                   {"dup2 write 1", "EBADF"}}))
        << describe(r);
    EXPECT_EQ(r.exit_status, 4);
}

TEST_P(FiltersTest, PathFiltersOtherCallsWithAPath) {
    const auto r = files({"-q", "-e", "mkdir,chdir:error=EPERM:path=" + (dir_ / "sub")});
    EXPECT_EQ(r.exit_status, 7) << describe(r);
    // chdir(DIR) does not pass; mkdir("sub") does. Without sub, "sub/.." cannot be resolved.
    EXPECT_EQ(r.out, files_output({{"mkdir sub", "EPERM"},
                                   {"open sub/../rel.log", "ENOENT"},
                                   {"rel write 1", "EBADF"},
                                   {"openat sub/reused.bin", "ENOENT"},
                                   {"reused write 1", "EBADF"},
                                   {"reopen app.log", "fd 3"},
                                   {"dup2", "EBADF"},
                                   {"dup2 write 1", "EBADF"}}))
        << describe(r);
}

TEST_P(FiltersTest, FdFilter) {
    const auto to_stdout = files({"-q", "-e", "write:error=EIO:fd=1"});
    EXPECT_EQ(to_stdout.out, files_output({{"stdout write 1", "EIO"}, {"stdout write 2", "EIO"}}))
        << describe(to_stdout);
    EXPECT_EQ(to_stdout.exit_status, 2);

    // fd 3 is the log, then reused.bin, then the log again through dup2: the number is all
    // that counts.
    const auto three = files_again({"-q", "-e", "write:error=EIO:fd=3:when=2+"});
    EXPECT_EQ(
        three.out,
        files_output({{"log write 2", "EIO"}, {"reused write 1", "EIO"}, {"dup2 write 1", "EIO"}}))
        << describe(three);
}

TEST_P(FiltersTest, TheReportNamesEachInjectionsFile) {
    const std::string report_path = dir_ / "report.json";
    const auto r =
        files({"-q", "--report", report_path, "-e", "write:error=ENOSPC:path=" + (dir_ / "*.bin"),
               "-e", "write:error=EIO:fd=1:when=1"});
    ASSERT_EQ(r.exit_status, 3) << describe(r);
    const json report = json::parse(read_file(report_path));
    EXPECT_EQ(report["rules"][0]["path"], dir_ / "*.bin");
    EXPECT_TRUE(report["rules"][0]["fd"].is_null());
    EXPECT_EQ(report["rules"][1]["fd"], 1);
    ASSERT_EQ(report["injections"].size(), 3U);
    EXPECT_EQ(report["injections"][0]["path"], dir_ / "data.bin");
    EXPECT_EQ(report["injections"][1]["path"], dir_ / "data.bin");
    // stdout is the pipe run_command reads: /proc names it, and so does the report.
    EXPECT_TRUE(report["injections"][2]["path"].get<std::string>().starts_with("pipe:["))
        << report["injections"][2];
}

TEST_P(FiltersTest, TheReplayLineKeepsTheFilters) {
    const std::string rule = "write:error=ENOSPC:path=" + (dir_ / "app.log");
    const auto r = files({"-e", rule});
    EXPECT_NE(
        r.err.find("inject: replay: inject -e " + std::string("write:error=ENOSPC:when=1..3:") +
                   "path=" + (dir_ / "app.log")),
        std::string::npos)
        << r.err;
}

TEST_P(FiltersTest, ProcessFilterFailsOnlyTheNamedProgramsCalls) {
    // vfork_exec writes, starts `writes` (vfork + execve) and writes again.
    const std::vector<std::string> command{program("vfork_exec"), dir_ / "parent",
                                           program("writes"), dir_ / "child", "2"};
    const auto child = inject({"-q", "-e", "write:error=EIO:process=writes"}, command);
    EXPECT_EQ(child.out,
              "parent write 1: ok 15\nwrite 1: EIO\nwrite 2: EIO\nfsync: ok 0\nchild exit: 2\n"
              "parent write 2: ok 15\n")
        << describe(child);
    EXPECT_EQ(child.exit_status, 2);

    const auto parent = inject({"-q", "-e", "write:error=EIO:process=vfork_ex*"}, command);
    EXPECT_EQ(parent.out,
              "parent write 1: EIO\nwrite 1: ok 7\nwrite 2: ok 7\nfsync: ok 0\nchild exit: 0\n"
              "parent write 2: EIO\n")
        << describe(parent);
    EXPECT_EQ(parent.exit_status, 2);
}

TEST_P(FiltersTest, CheckPrintsTheFilters) {
    const auto r = run_command(
        {inject_binary(), "--check", "-e", "write:process=app:fd=2:path=/tmp/a\\:b/**:error=EIO"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.out.find("write:error=EIO:path=/tmp/a\\:b/**:fd=2:process=app"), std::string::npos)
        << r.out;
}

TEST_P(FiltersTest, AFilterThatCanNeverPassIsAMistake) {
    const auto r = files({"-e", "getpid:error=EPERM:path=/tmp/*"});
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "--inject getpid:error=EPERM:path=/tmp/*: \"path\" never matches: getpid takes no "
              "path or file descriptor\n");
}

}  // namespace
}  // namespace inject::testing
