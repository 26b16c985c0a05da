// -o FILE, the syscall log, on real tracees: a known run line by line, every call without the
// filter, whole lines from threads, the file's own rules (created before the program starts,
// not inherited), the library's RunOptions::syscall_log, and the same lines as `strace -y`.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "harness.hpp"
#include "inject/inject.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

// "[pid 4242] write(...)" -> "[pid P] write(...)": pids differ from run to run.
std::vector<std::string> without_pids(const std::vector<std::string>& lines) {
    static const std::regex kPid(R"(^\[pid [0-9]+\] )");
    std::vector<std::string> result;
    for (const std::string& line : lines) {
        result.push_back(std::regex_replace(line, kPid, "[pid P] "));
    }
    return result;
}

// The syscall's name on a log line.
std::string call_name(const std::string& line) {
    const std::size_t start = line.find("] ") + 2;
    return line.substr(start, line.find('(', start) - start);
}

std::vector<std::string> only_calls(const std::vector<std::string>& lines,
                                    const std::set<std::string>& names) {
    std::vector<std::string> kept;
    std::copy_if(lines.begin(), lines.end(), std::back_inserter(kept),
                 [&](const std::string& line) { return names.contains(call_name(line)); });
    return kept;
}

// What every line looks like: the thread, the call, its result, the mark.
bool well_formed(const std::string& line) {
    static const std::regex kLine(
        R"(^\[pid [0-9]+\] [a-z0-9_]+\(.*\) = (-?[0-9]+|\?|-1 (E[A-Z0-9]+ \(.+\)|[0-9]+))( \(INJECTED\))?$)");
    return std::regex_match(line, kLine);
}

// The descriptor a traced program's first open() gets when inject passes it none of its own:
// the lowest that this test does not pass on to what it runs (ctest may pass some down to it).
int first_free_descriptor() {
    for (int fd = 3;; ++fd) {
        const int flags = ::fcntl(fd, F_GETFD);
        if (flags < 0 || (flags & FD_CLOEXEC) != 0) {
            return fd;
        }
    }
}

class SyscallLogTest : public ModeTest {
  protected:
    std::vector<std::string> log_lines() const { return split_lines(read_file(dir_ / "log")); }

    // The file's name as /proc/PID/fd shows it (the temporary directory may be a symlink).
    std::string real(const std::string& name) const {
        return (fs::canonical(dir_.path()) / name).string();
    }

    // "3</tmp/.../out>": how the program's first file shows in the log.
    std::string first_file(const std::string& name) const {
        return std::to_string(first_free_descriptor()) + '<' + real(name) + '>';
    }
};
INSTANTIATE_TEST_SUITE_P(Modes, SyscallLogTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

TEST_P(SyscallLogTest, AKnownRunLineByLine) {
    for (const char* name : {"writes_static", "writes"}) {
        SCOPED_TRACE(name);
        const std::string out = dir_ / "out";
        const auto r = inject({"-q", "-o", dir_ / "log", "-e", "write:error=ENOSPC:when=2", "-e",
                               "openat:error=EACCES:when=99"},
                              {program(name), out, "3"});
        EXPECT_EQ(r.exit_status, 1) << describe(r);
        EXPECT_EQ(r.err, "");  // the log goes to its file only
        std::vector<std::string> lines = without_pids(only_calls(log_lines(), {"openat", "write"}));
        // The dynamic loader's own openat calls come first; the program's start at its file.
        const auto own = std::find_if(lines.begin(), lines.end(), [&](const std::string& line) {
            return line.find('"' + out + '"') != std::string::npos;
        });
        for (auto loader = lines.begin(); loader != own; ++loader) {
            EXPECT_TRUE(loader->starts_with("[pid P] openat(AT_FDCWD, \"/")) << *loader;
        }
        lines.erase(lines.begin(), own);
        // The log's own descriptor is close-on-exec: the program's first file gets the
        // descriptor it would get without inject.
        const std::string fd = first_file("out");
        EXPECT_EQ(lines, (std::vector<std::string>{
                             "[pid P] openat(AT_FDCWD, \"" + out +
                                 "\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 420) = " +
                                 std::to_string(first_free_descriptor()),
                             "[pid P] write(" + fd + ", \"line 1\\n\", 7) = 7",
                             "[pid P] write(" + fd +
                                 ", \"line 2\\n\", 7) = -1 ENOSPC (No space left on device) "
                                 "(INJECTED)",
                             "[pid P] write(" + fd + ", \"line 3\\n\", 7) = 7",
                         }));
    }
}

TEST_P(SyscallLogTest, OnlyTheCallsThatStopAreLogged) {
    const auto r = inject({"-o", dir_ / "log", "-e", "fsync:error=EIO"},
                          {program("writes"), dir_ / "out", "2"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    const std::vector<std::string> lines = log_lines();
    for (const std::string& line : lines) {
        EXPECT_TRUE(well_formed(line)) << line;
    }
    EXPECT_EQ(only_calls(lines, {"fsync"}),
              (std::vector<std::string>{"[pid " + std::to_string(parse_summary(r.err).pids.at(0)) +
                                        "] fsync(" + first_file("out") +
                                        ") = -1 EIO (Input/output error) (INJECTED)"}));
    if (GetParam() == Mode::kSeccomp) {
        EXPECT_EQ(lines.size(), 1U);  // the filter stops fsync alone
        return;
    }
    // Without the filter every call stops, and each is logged: the program's writes, its own
    // report through writev, and its end, which never returns.
    EXPECT_GT(lines.size(), 20U);
    const std::vector<std::string> plain = without_pids(lines);
    EXPECT_NE(std::find(plain.begin(), plain.end(),
                        "[pid P] write(" + first_file("out") + ", \"line 2\\n\", 7) = 7"),
              plain.end());
    EXPECT_NE(std::find_if(plain.begin(), plain.end(),
                           [](const std::string& line) {
                               return line.starts_with(
                                   "[pid P] writev(1<pipe:[");  // the test reads its stdout
                           }),
              plain.end());
    EXPECT_EQ(plain.back(), "[pid P] exit_group(1) = ?");
    // The execve that started the program was made by inject's child before it was traced.
    EXPECT_FALSE(plain.front().starts_with("[pid P] execve(")) << plain.front();
}

TEST_P(SyscallLogTest, ThreadsLogWholeLines) {
    const auto r = inject({"-o", dir_ / "log", "-e", "write:error=EIO:when=3"},
                          {program("threads"), dir_ / "out", "4", "5"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    const std::vector<std::string> lines = only_calls(log_lines(), {"write"});
    ASSERT_EQ(lines.size(), 20U);
    std::set<std::string> seen;
    int injected = 0;
    for (const std::string& line : lines) {
        EXPECT_TRUE(well_formed(line)) << line;
        static const std::regex kWrite(
            R"(write\([0-9]+<[^>]+>, "(thread [1-4] write [1-5])\\n", 1[0-9]\))");
        std::smatch match;
        ASSERT_TRUE(std::regex_search(line, match, kWrite)) << line;
        seen.insert(match[1]);
        injected += line.ends_with(" (INJECTED)") ? 1 : 0;
    }
    EXPECT_EQ(seen.size(), 20U);  // each write once, on a line of its own
    EXPECT_EQ(injected, 1);
}

TEST_P(SyscallLogTest, ALogThatCannotBeWrittenStopsInjectBeforeTheProgram) {
    const auto r = inject({"-o", dir_ / "no/such/log", "-e", "write:error=EIO"},
                          {program("writes"), dir_ / "out", "1"});
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "inject: cannot write --output " + (dir_ / "no/such/log") +
                         ": No such file or directory\n");
    EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_P(SyscallLogTest, ALogThatFillsUpEndsButTheProgramRunsOn) {
    const auto r = inject({"-o", "/dev/full", "-e", "write:error=ENOSPC:when=2"},
                          {program("writes"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.out, writes_output(3, {{2, "ENOSPC"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(3, {2}));
    // inject's failure wins, and the line still says how the program ended.
    EXPECT_TRUE(
        r.err.ends_with("inject: the program exited 1; cannot write --output /dev/full: "
                        "No space left on device (the syscall log stops there)\n"))
        << r.err;
}

TEST_P(SyscallLogTest, TheLibraryLogsThroughRunOptions) {
    RunOptions options;
    options.use_seccomp = GetParam() == Mode::kSeccomp;
    options.capture_output = true;
    options.pass_through = false;
    std::vector<SyscallRecord> records;
    options.syscall_log = [&](const SyscallRecord& record) { records.push_back(record); };
    const RunResult result = run(scenario_from_spec("fsync:retval=0").rules,
                                 {program("writes"), dir_ / "out", "1"}, options);
    EXPECT_EQ(result.exit_code, 0);
    const auto fsync =
        std::find_if(records.begin(), records.end(),
                     [](const SyscallRecord& record) { return record.name == "fsync"; });
    ASSERT_NE(fsync, records.end());
    EXPECT_TRUE(fsync->injected);
    EXPECT_EQ(fsync->result, 0);
    EXPECT_EQ(fsync->logged[0].fd_path, real("out"));
    EXPECT_EQ(syscall_log_line(*fsync), "[pid " + std::to_string(fsync->tid) + "] fsync(" +
                                            first_file("out") + ") = 0 (INJECTED)");
}

// strace -y prints what inject's log prints, but for the [pid N] prefix (strace shows it only
// with several processes), the spaces it pads results with, and the working directory after
// AT_FDCWD. Addresses differ from run to run, and so do the pipes of the test's stdout.
std::vector<std::string> comparable(const std::vector<std::string>& lines) {
    static const std::regex kPid(R"(^\[pid [0-9]+\] )");
    static const std::regex kPadding(R"(\) +=)");
    static const std::regex kAddress(R"(0x[0-9a-f]+)");
    static const std::regex kPipe(R"(pipe:\[[0-9]+\])");
    std::vector<std::string> result;
    for (const std::string& line : lines) {
        if (line.starts_with("+++ ") || line.starts_with("--- ")) {
            continue;  // strace's lines about exits and signals
        }
        std::string text = std::regex_replace(line, kPid, "");
        text = std::regex_replace(text, kPadding, ") =");
        text = std::regex_replace(text, kAddress, "0xADDR");
        result.push_back(std::regex_replace(text, kPipe, "pipe:[N]"));
    }
    return result;
}

TEST_P(SyscallLogTest, SameLinesAsStraceWithFilePaths) {
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    struct Case {
        std::string program;
        std::vector<std::string> args;
        std::string calls;  // strace's -e trace=, and what inject's rules name
        std::string spec;   // the fault, given to both
    };
    const std::string file = dir_ / "file";
    const std::vector<Case> cases{
        {"log_calls",
         {file},
         "write,writev,read,readv,unlink,fsync,close",
         "write:error=ENOSPC:when=2"},
        {"writes", {file, "5"}, "write,fsync", "write:error=ENOSPC:when=3"},
        {"writes", {file, "4"}, "write,fsync", "write:retval=0:when=2..3"},
        {"writes_static", {file, "2"}, "write,fsync", "fsync:error=EIO"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.program + " " + c.spec);
        std::vector<std::string> command{program(c.program)};
        command.insert(command.end(), c.args.begin(), c.args.end());

        std::vector<std::string> strace_argv{
            *strace,           "-y", "-o", dir_ / "strace.log", "-e", "trace=" + c.calls, "-e",
            "inject=" + c.spec};
        strace_argv.insert(strace_argv.end(), command.begin(), command.end());
        const auto by_strace = run_command(strace_argv, kRunTimeout);

        // -e trace= as strace's: those calls stop and are logged, and no others.
        const auto by_inject =
            inject({"-q", "-o", dir_ / "log", "-e", "trace=" + c.calls, "-e", c.spec}, command);
        EXPECT_EQ(by_inject.out, by_strace.out);
        EXPECT_EQ(by_inject.exit_status, by_strace.exit_status);

        const std::vector<std::string> expected =
            comparable(split_lines(read_file(dir_ / "strace.log")));
        EXPECT_GT(expected.size(), 2U);
        EXPECT_EQ(comparable(log_lines()), expected);
    }
}

// -e trace=SET names what the log shows; without -o it changes nothing the program sees, and
// nothing stops. The rules pick their calls whatever SET names (strace: only traced calls are
// injected; inject's rules are its own).
TEST_P(SyscallLogTest, TraceNamesTheLoggedCallsAndNothingElse) {
    const std::vector<std::string> command{program("writes"), dir_ / "out", "3"};
    const auto logged =
        inject({"-o", dir_ / "log", "-e", "trace=/^fs", "-e", "write:error=EIO:when=2"}, command);
    EXPECT_EQ(logged.out, writes_output(3, {{2, "EIO"}})) << describe(logged);
    const std::vector<std::string> lines = log_lines();
    ASSERT_EQ(lines.size(), 1U) << read_file(dir_ / "log");
    EXPECT_EQ(call_name(lines[0]), "fsync");

    const auto unlogged = inject({"-e", "trace=fsync"}, command);
    EXPECT_EQ(unlogged.out, writes_output(3, {})) << describe(unlogged);
    EXPECT_NE(unlogged.err.find("inject: 0 faults injected, 0 syscall stops"), std::string::npos)
        << unlogged.err;

    // Only the log's calls: no rule at all, yet they stop and are logged.
    const auto traced_only = inject({"-q", "-o", dir_ / "log", "-e", "trace=write"}, command);
    EXPECT_EQ(traced_only.out, writes_output(3, {}));
    EXPECT_EQ(log_lines().size(), 3U) << read_file(dir_ / "log");
}

}  // namespace
}  // namespace inject::testing
