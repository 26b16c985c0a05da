// inject against strace, which injects faults by the same mechanism: where the two count
// alike (one thread, or inject told per=thread: strace counts per thread, and per syscall),
// the same spec must give the same program output, the same exit status and the same files.
// Skipped when strace is not installed.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

struct Case {
    std::string name;
    std::string spec;                // given to both, as -e inject=SPEC and -e SPEC
    std::string program;             // in tests/programs
    std::vector<std::string> args;   // "@" stands for the run's output directory
    std::vector<std::string> files;  // left in that directory, compared after the runs
    // Appended to inject's spec: ":per=thread" makes inject count as strace does, which lets
    // multi-threaded and forking programs be compared too.
    std::string inject_suffix = "";
    // A file in the run's directory ("/app.log"): strace gets `-P FILE`, which restricts
    // tracing, and so injecting and counting, to the calls touching it; inject gets
    // ":path=FILE".
    std::string path = "";
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
    return os << c.name;
}

const std::vector<Case>& cases() {
    static const std::vector<Case> all{
        {"third_write", "write:error=ENOSPC:when=3", "writes", {"@/out", "6"}, {"out"}},
        {"every_other", "write:error=EIO:when=2+2", "writes", {"@/out", "7"}, {"out"}},
        {"range_step", "write:error=EIO:when=2..6+2", "writes", {"@/out", "8"}, {"out"}},
        {"fake_success", "write:retval=0:when=2..3", "writes", {"@/out", "5"}, {"out"}},
        {"errno_number", "write:error=28:when=1", "writes", {"@/out", "2"}, {"out"}},
        {"fsync", "fsync:error=EIO", "writes", {"@/out", "3"}, {"out"}},
        {"open_fails", "openat:error=EACCES", "writes", {"@/out", "3"}, {}},
        {"static", "write:error=ENOSPC:when=2+", "writes_static", {"@/out", "4"}, {"out"}},
        {"i386", "write:error=ENOSPC:when=3", "writes_32", {"@/out", "5"}, {"out"}},
        {"i386_fsync", "fsync:error=EROFS", "writes_32", {"@/out", "2"}, {"out"}},
        {"i386_static",
         "write:error=ENOSPC:when=1..2",
         "writes_32_static",
         {"@/out", "3"},
         {"out"}},
        {"across_exec",
         "write:error=ENOSPC:when=3",
         "exec_writes",
         {"@/before", "2", "%writes", "@/after", "3"},
         {"before", "after"}},
        {"failed_exec",
         "execve:error=ENOENT",
         "exec_writes",
         {"@/before", "1", "%writes", "@/after", "3"},
         {"before"}},
        {"eintr", "clock_nanosleep:error=EINTR:when=2", "signals", {"3"}, {}},
        {"delay_enter_error",
         "write:error=ENOSPC:delay_enter=20ms:when=2",
         "writes",
         {"@/out", "3"},
         {"out"}},
        {"delay_exit_retval",
         "write:retval=0:delay_exit=20000:when=2..3",
         "writes",
         {"@/out", "4"},
         {"out"}},
        {"segv", "write:error=ENOSPC", "segv", {"@/out"}, {"out"}},
        {"threads_per_thread",
         "write:error=ENOSPC:when=2",
         "threads",
         {"@/out", "3", "3"},
         {},  // the threads' lines land in the file in any order
         ":per=thread"},
        {"fork_per_thread",
         "write:error=ENOSPC:when=2..3",
         "forks",
         {"@/out", "3"},
         {"out"},
         ":per=thread"},
        {"exec_from_thread_per_thread",  // the execing thread's counter carries on
         "write:error=ENOSPC:when=3",
         "thread_exec",
         {"@/before", "1", "%writes", "@/after", "3"},
         {"before", "after"},
         ":per=thread"},
        {"path_filter",
         "write:error=ENOSPC",
         "files",
         {"@"},
         {"app.log", "data.bin", "rel.log", "sub/reused.bin"},
         "",
         "/app.log"},
        {"path_filter_counts_only_its_calls",
         "write:error=ENOSPC:when=2",
         "files",
         {"@"},
         {"app.log", "data.bin"},
         "",
         "/app.log"},
        {"path_filter_through_dup2",  // its 3rd write to the log goes through a dup2'd fd
         "write:error=ENOSPC:when=3",
         "files",
         {"@"},
         {"app.log", "sub/reused.bin"},
         "",
         "/app.log"},
    };
    return all;
}

class StraceCompareTest : public ::testing::TestWithParam<std::tuple<Mode, Case>> {
  protected:
    // The command line of the case, with its files in `dir`.
    static std::vector<std::string> command(const Case& c, const fs::path& dir) {
        std::vector<std::string> argv{program(c.program)};
        for (const std::string& arg : c.args) {
            if (arg.starts_with('@')) {
                argv.push_back(dir.string() + arg.substr(1));
            } else if (arg.starts_with('%')) {
                argv.push_back(program(arg.substr(1)));
            } else {
                argv.push_back(arg);
            }
        }
        return argv;
    }

    TempDir dir_;
};

TEST_P(StraceCompareTest, SameObservationsAsStrace) {
    const auto& [mode, c] = GetParam();
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    if (!fs::exists(program(c.program))) {
        GTEST_SKIP() << c.program << " was not built (no -m32 toolchain)";
    }
    fs::create_directory(dir_ / "bare");
    const auto bare = run_command(command(c, dir_ / "bare"), kRunTimeout);
    if (bare.exit_status == 126) {
        GTEST_SKIP() << c.program << " does not run on this kernel: " << describe(bare);
    }

    fs::create_directory(dir_ / "strace");
    std::vector<std::string> strace_argv{*strace, "-f", "-qq", "-o", "/dev/null"};
    if (!c.path.empty()) {
        strace_argv.insert(strace_argv.end(), {"-P", (dir_ / "strace") + c.path});
    }
    strace_argv.insert(strace_argv.end(), {"-e", "inject=" + c.spec});
    const auto strace_command = command(c, dir_ / "strace");
    strace_argv.insert(strace_argv.end(), strace_command.begin(), strace_command.end());
    const auto by_strace = run_command(strace_argv, kRunTimeout);

    fs::create_directory(dir_ / "inject");
    const std::string inject_path = c.path.empty() ? "" : ":path=" + (dir_ / "inject") + c.path;
    std::vector<std::string> inject_argv{inject_binary(), "-q", "-e",
                                         c.spec + c.inject_suffix + inject_path};
    const std::vector<std::string> options = mode_options(mode);
    inject_argv.insert(inject_argv.end(), options.begin(), options.end());
    inject_argv.emplace_back("--");
    const auto inject_command = command(c, dir_ / "inject");
    inject_argv.insert(inject_argv.end(), inject_command.begin(), inject_command.end());
    const auto by_inject = run_command(inject_argv, kRunTimeout);

    // The injection must have changed something, or the comparison proves little.
    EXPECT_NE(by_strace.out, bare.out) << "strace injected nothing:\n" << describe(by_strace);
    EXPECT_EQ(by_inject.out, by_strace.out);
    EXPECT_EQ(by_inject.exit_status, by_strace.exit_status)
        << "inject: " << describe(by_inject) << "\nstrace: " << describe(by_strace);
    EXPECT_EQ(by_inject.err, by_strace.err);
    for (const std::string& file : c.files) {
        SCOPED_TRACE(file);
        ASSERT_TRUE(fs::exists(dir_.path() / "strace" / file));
        ASSERT_TRUE(fs::exists(dir_.path() / "inject" / file));
        EXPECT_EQ(read_file(dir_.path() / "inject" / file),
                  read_file(dir_.path() / "strace" / file));
    }
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<Mode, Case>>& param) {
    return std::get<1>(param.param).name + "_" + mode_suffix(std::get<0>(param.param));
}

INSTANTIATE_TEST_SUITE_P(Cases, StraceCompareTest,
                         ::testing::Combine(::testing::ValuesIn(kAllModes),
                                            ::testing::ValuesIn(cases())),
                         case_name);

}  // namespace
}  // namespace inject::testing
