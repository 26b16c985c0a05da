// inject against strace, which injects faults by the same mechanism: where the two count
// alike (one thread, or inject told per=thread: strace counts per thread, and per syscall),
// the same spec must give the same program output, the same exit status and the same files.
// Each of strace's -e inject= and -e fault= forms has a case here (the sets, the values, the
// tampering keys), in both of inject's stop modes. Skipped when strace is not installed.

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
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
    // Given to both: to strace as -e inject=SPEC (or as written, "fault=SPEC"), to inject as
    // -e SPEC. Several specs are separated by spaces.
    std::string spec;
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
    // Whether the rule changes what the program sees (false for a rule that picks nothing).
    bool changes = true;
};

std::vector<std::string> specs_of(const Case& c) {
    std::vector<std::string> specs;
    std::istringstream words(c.spec);
    for (std::string spec; words >> spec;) {
        specs.push_back(spec);
    }
    return specs;
}

// What the program wrote on stderr, without the tracers' own lines: strace's warnings
// ("/usr/bin/strace: Inadvertent injection of error 5 is possible for retval=..."), inject's notes.
std::string program_stderr(const std::string& err) {
    std::string kept;
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);) {
        const std::string who = line.substr(0, line.find(": "));
        if (!who.ends_with("strace") && who != "inject") {
            kept += line + '\n';
        }
    }
    return kept;
}

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

        // A rule on several syscalls, or a class, counts each apart.
        {"per_syscall", "write,fsync:error=EIO:when=1", "writes", {"@/out", "3"}, {"out"}},
        {"per_syscall_from_nth",
         "write,fsync:error=ENOSPC:when=2+",
         "writes",
         {"@/out", "3"},
         {"out"}},
        {"class_per_syscall", "%desc:error=EBADF:when=2", "writes_static", {"@/out", "3"}, {"out"}},
        {"legacy_class", "desc:error=EBADF:when=3", "writes_static", {"@/out", "3"}, {"out"}},
        // Sets: a trailing comma, a regex, ?name, a number, a personality, negation.
        {"trailing_comma", "write,:error=EIO:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"regex", "/^(write|fsync)$:error=EIO:when=2..3", "writes", {"@/out", "3"}, {"out"}},
        {"optional_name", "?nosuch,write:error=EIO:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"number", "1:error=EIO:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"personality_64", "write@64:error=EIO:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"personality_32", "write@32:error=EIO:when=2", "writes_32", {"@/out", "3"}, {"out"}},
        {"personality_x32",
         "write@x32:error=EIO",
         "writes",
         {"@/out", "3"},
         {"out"},
         "",
         "",
         false},
        {"negated",
         "!%process,%memory,arch_prctl,set_tid_address,writev,openat:error=EIO:when=2",
         "writes_static",
         {"@/out", "3"},
         {"out"}},
        // Values and grammar.
        {"errno_lowercase", "write:error=enospc:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"errno_strtol", "write:error=+28:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"errno_kernel", "write:error=ERESTARTSYS:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"when_range_plus", "write:error=EIO:when=2..3+", "writes", {"@/out", "4"}, {"out"}},
        {"when_strtol", "write:error=EIO:when=+2", "writes", {"@/out", "3"}, {"out"}},
        {"when_twice_last_wins",
         "write:when=3:when=2:error=EIO",
         "writes",
         {"@/out", "3"},
         {"out"}},
        {"empty_fields", "write::error=EIO:when=2:", "writes", {"@/out", "3"}, {"out"}},
        {"retval_hex", "geteuid:retval=0x2a", "tamper", {"geteuid"}, {}},
        {"retval_octal", "geteuid:retval=052", "tamper", {"geteuid"}, {}},
        {"retval_plus", "geteuid:retval=+7", "tamper", {"geteuid"}, {}},
        {"retval_64_bits", "geteuid:retval=18446744073709547520", "tamper", {"geteuid"}, {}},
        {"retval_32_bits", "geteuid:retval=0xfffff000", "tamper_32", {"geteuid"}, {}},
        {"retval_is_an_error", "geteuid:retval=-5", "tamper", {"geteuid"}, {}},
        {"retval_max_is_an_error",
         "geteuid:retval=18446744073709551615",
         "tamper",
         {"geteuid"},
         {}},
        // -e fault=: ENOSYS unless error= says otherwise.
        {"fault", "fault=write:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"fault_error", "fault=fsync:error=EROFS", "writes", {"@/out", "2"}, {"out"}},
        {"fault_syscall", "fault=chdir:syscall=gettid:when=2", "tamper", {"chdir", "3"}, {}},
        // Signals: alone the call runs with it; SIGKILL ends the thread before the call ran.
        {"signal_alone_runs_the_call", "chdir:signal=USR1:when=2+", "tamper", {"chdir", "3"}, {}},
        {"signal_with_error", "chdir:error=ENOENT:signal=SIGUSR1", "tamper", {"chdir", "2"}, {}},
        {"signal_kill", "write:signal=SIGKILL:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"signal_term_after_the_call",
         "write:signal=term:when=2",
         "writes",
         {"@/out", "3"},
         {"out"}},
        {"signal_io", "write:signal=io:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"signal_rt", "write:signal=SIGRT_1:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"signal_rtmin", "write:signal=sigrtmin:when=2", "writes", {"@/out", "3"}, {"out"}},
        {"signal_number", "write:signal=010:when=2", "writes", {"@/out", "3"}, {"out"}},
        // strace's tampering keys.
        {"syscall_instead", "chdir:retval=42:syscall=gettid", "tamper", {"chdir", "2"}, {}},
        {"syscall_instead_error",
         "chdir:error=EACCES:syscall=getpid:when=2",
         "tamper",
         {"chdir", "2"},
         {}},
        {"poke",
         "chdir:poke_enter=@arg1=2f746d7000 getcwd:poke_exit=@arg1=5374726163652100",
         "tamper",
         {"poke"},
         {}},
        {"poke_i386",
         "chdir:poke_enter=@arg1=2f746d7000 getcwd:poke_exit=@arg1=5374726163652100",
         "tamper_32",
         {"poke"},
         {}},
        {"poke_missing_argument",
         "chdir:poke_enter=@arg2=2f746d7000",
         "tamper",
         {"poke"},
         {},
         "",
         "",
         false},
        {"delay_strace_format",
         "write:error=EIO:delay_enter=8e3:delay_exit=+2e6ns:when=2",
         "writes",
         {"@/out", "3"},
         {"out"}},
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
    // Every program is built with the tests, the 32-bit ones too, and runs here.
    ASSERT_TRUE(fs::exists(program(c.program))) << c.program << " was not built";
    fs::create_directory(dir_ / "bare");
    const auto bare = run_command(command(c, dir_ / "bare"), kRunTimeout);
    ASSERT_NE(bare.exit_status, 126)
        << c.program << " does not run on this kernel: " << describe(bare);

    fs::create_directory(dir_ / "strace");
    std::vector<std::string> strace_argv{*strace, "-f", "-qq", "-o", "/dev/null"};
    if (!c.path.empty()) {
        strace_argv.insert(strace_argv.end(), {"-P", (dir_ / "strace") + c.path});
    }
    for (const std::string& spec : specs_of(c)) {
        strace_argv.insert(strace_argv.end(),
                           {"-e", spec.starts_with("fault=") ? spec : "inject=" + spec});
    }
    const auto strace_command = command(c, dir_ / "strace");
    strace_argv.insert(strace_argv.end(), strace_command.begin(), strace_command.end());
    const auto by_strace = run_command(strace_argv, kRunTimeout);

    fs::create_directory(dir_ / "inject");
    const std::string inject_path = c.path.empty() ? "" : ":path=" + (dir_ / "inject") + c.path;
    std::vector<std::string> inject_argv{inject_binary(), "-q"};
    for (const std::string& spec : specs_of(c)) {
        inject_argv.insert(inject_argv.end(), {"-e", spec + c.inject_suffix + inject_path});
    }
    if (mode == Mode::kNoSeccomp) {
        inject_argv.emplace_back("--no-seccomp");
    }
    inject_argv.emplace_back("--");
    const auto inject_command = command(c, dir_ / "inject");
    inject_argv.insert(inject_argv.end(), inject_command.begin(), inject_command.end());
    const auto by_inject = run_command(inject_argv, kRunTimeout);

    // The injection must have changed something, or the comparison proves little.
    if (c.changes) {
        EXPECT_NE(by_strace.out, bare.out) << "strace injected nothing:\n" << describe(by_strace);
    } else {
        EXPECT_EQ(by_strace.out, bare.out) << describe(by_strace);
    }
    EXPECT_EQ(by_inject.out, by_strace.out);
    EXPECT_EQ(by_inject.exit_status, by_strace.exit_status)
        << "inject: " << describe(by_inject) << "\nstrace: " << describe(by_strace);
    EXPECT_EQ(program_stderr(by_inject.err), program_stderr(by_strace.err));
    for (const std::string& file : c.files) {
        SCOPED_TRACE(file);
        ASSERT_TRUE(fs::exists(dir_.path() / "strace" / file));
        ASSERT_TRUE(fs::exists(dir_.path() / "inject" / file));
        EXPECT_EQ(read_file(dir_.path() / "inject" / file),
                  read_file(dir_.path() / "strace" / file));
    }
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<Mode, Case>>& param) {
    return std::get<1>(param.param).name + "_" +
           (std::get<0>(param.param) == Mode::kSeccomp ? "seccomp" : "no_seccomp");
}

INSTANTIATE_TEST_SUITE_P(Cases, StraceCompareTest,
                         ::testing::Combine(::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                                            ::testing::ValuesIn(cases())),
                         case_name);

}  // namespace
}  // namespace inject::testing
