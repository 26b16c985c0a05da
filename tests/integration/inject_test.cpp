// inject tracing the programs of tests/programs: each program prints what its system calls
// returned, so every test checks what the traced program itself observed, plus its exit
// status, the files it left and inject's summary. Every test runs with the seccomp filter and
// with --no-seccomp.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

using InjectTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, InjectTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

// --- one thread ---------------------------------------------------------------------------

TEST_P(InjectTest, ThirdWriteFailsAndOnlyIt) {
    const auto r =
        inject({"-e", "write:error=ENOSPC:when=3"}, {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {3}));

    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    EXPECT_EQ(summary.faults, 1);
    EXPECT_EQ(summary.filter, filter_words());
    if (GetParam() == Mode::kSeccomp) {
        // Only the 5 writes stop, at entry; the injected one also at its exit.
        EXPECT_EQ(summary.stops, 6) << r.err;
    } else {
        EXPECT_GT(summary.stops, 20) << r.err;  // the loader alone makes dozens of calls
    }
    ASSERT_EQ(summary.events.size(), 1u) << r.err;
    EXPECT_EQ(summary.events[0],
              "write call 3 -> -1 ENOSPC (No space left on device)  "
              "[rule 1: write:error=ENOSPC:when=3]");
    EXPECT_EQ(r.err.find("1 faults"), std::string::npos) << "singular: " << r.err;
}

TEST_P(InjectTest, EveryOtherWriteFromTheSecond) {
    const auto r =
        inject({"-q", "-e", "write:error=EIO:when=2+2"}, {program("writes"), dir_ / "out", "7"});
    EXPECT_EQ(r.exit_status, 3) << describe(r);
    EXPECT_EQ(r.out, writes_output(7, {{2, "EIO"}, {4, "EIO"}, {6, "EIO"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(7, {2, 4, 6}));
    EXPECT_EQ(r.err, "") << "-q prints no summary";
}

TEST_P(InjectTest, RangeOfWrites) {
    const auto r = inject({"-q", "-e", "write:error=ENOSPC:when=2..3"},
                          {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{2, "ENOSPC"}, {3, "ENOSPC"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {2, 3}));
}

TEST_P(InjectTest, FakeSuccessWritesNothing) {
    // retval=0: the call never runs but the program is told it succeeded with 0 bytes.
    const auto r = inject({"-e", "inject=write:retval=0:when=2"},  // the "inject=" form too
                          {program("writes"), dir_ / "out", "4"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, writes_output(4, {{2, "ok 0"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(4, {2}));
    const Summary summary = parse_summary(r.err);
    ASSERT_EQ(summary.events.size(), 1u) << r.err;
    EXPECT_EQ(summary.events[0], "write call 2 -> 0  [rule 1: write:retval=0:when=2]");
}

TEST_P(InjectTest, TwoRulesOnOneSyscallBothCountFirstDecides) {
    // Call 2 is picked by both rules: the first decides (ENOSPC). Rule 2 counted call 2 as
    // well, so its 3rd call is the program's 3rd write; were call 2 not counted by rule 2,
    // writes 3 and 4 would both fail with EIO.
    const auto r = inject({"-e", "write:error=ENOSPC:when=2", "-e", "write:error=EIO:when=2..3"},
                          {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{2, "ENOSPC"}, {3, "EIO"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {2, 3}));
    const Summary summary = parse_summary(r.err);
    EXPECT_EQ(summary.faults, 2) << r.err;
    ASSERT_EQ(summary.events.size(), 2u) << r.err;
    EXPECT_NE(summary.events[0].find("write call 2 -> -1 ENOSPC"), std::string::npos) << r.err;
    EXPECT_NE(summary.events[0].find("[rule 1:"), std::string::npos) << r.err;
    EXPECT_NE(summary.events[1].find("write call 3 -> -1 EIO"), std::string::npos) << r.err;
    EXPECT_NE(summary.events[1].find("[rule 2:"), std::string::npos) << r.err;
}

TEST_P(InjectTest, ScenarioAndCommandLineRulesCombine) {
    write_file(dir_ / "disk.toml",
               "description = \"the disk fills up on the second write\"\n"
               "[[fault]]\n"
               "syscall = \"write\"\n"
               "error = \"ENOSPC\"\n"
               "when = \"2\"\n");
    const auto r = inject({"-s", dir_ / "disk.toml", "-e", "fsync:error=EIO"},
                          {program("writes"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, writes_output(3, {{2, "ENOSPC"}}, "EIO"));
    EXPECT_EQ(parse_summary(r.err).faults, 2) << r.err;
}

TEST_P(InjectTest, OneCounterPerSyscallOfARule) {
    // As strace: a rule counts each of its syscalls apart, so the fsync is its call 1.
    const auto r =
        inject({"-e", "write,fsync:error=ENOSPC:when=4+"}, {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{4, "ENOSPC"}, {5, "ENOSPC"}}));
    const Summary summary = parse_summary(r.err);
    ASSERT_EQ(summary.events.size(), 2U) << r.err;
    EXPECT_TRUE(summary.events[0].starts_with("write call 4 -> ")) << r.err;
    EXPECT_TRUE(summary.events[1].starts_with("write call 5 -> ")) << r.err;
    EXPECT_NE(r.err.find("inject: replay: inject -e write:error=ENOSPC:when=4..5 -- "),
              std::string::npos)
        << r.err;
}

// The same in a scenario, where the set is a list: each syscall counts apart.
TEST_P(InjectTest, AScenarioListCountsEachSyscallApart) {
    write_file(dir_ / "both.toml",
               "[[fault]]\nsyscall = [\"write\", \"fsync\"]\nerror = \"EIO\"\nwhen = 1\n");
    const auto r = inject({"-s", dir_ / "both.toml", "--report", dir_ / "report.json"},
                          {program("writes"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, writes_output(3, {{1, "EIO"}}, "EIO"));
    const Summary summary = parse_summary(r.err);
    ASSERT_EQ(summary.events.size(), 2U) << r.err;
    EXPECT_TRUE(summary.events[0].starts_with("write call 1 -> ")) << r.err;
    EXPECT_TRUE(summary.events[1].starts_with("fsync call 1 -> ")) << r.err;
    EXPECT_NE(r.err.find("inject: replay: inject -e write,fsync:error=EIO:when=1 -- "),
              std::string::npos)
        << r.err;
    const std::string report = read_file(dir_ / "report.json");
    EXPECT_EQ(count_occurrences(report, "\"nth\": 1"), 2U) << report;

    const auto check = inject({"--check", "-s", dir_ / "both.toml"}, {program("writes")});
    EXPECT_NE(check.out.find("fails write or fsync calls 1 (counted per tree, each syscall apart)"),
              std::string::npos)
        << check.out;
}

TEST_P(InjectTest, StaticBinary) {
    const auto r =
        inject({"-e", "write:error=ENOSPC:when=3"}, {program("writes_static"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}}));
    EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {3}));
    EXPECT_EQ(parse_summary(r.err).faults, 1) << r.err;
}

// The 32-bit programs are always built with the tests (gcc-multilib), and the kernel runs
// them (IA32 emulation, on in Debian's): a machine where either fails must fail these tests,
// not skip them, or i386 tracing would go untested without anyone noticing.
void expect_runnable(const std::string& binary, const TempDir& dir) {
    ASSERT_TRUE(fs::exists(binary)) << binary << " was not built";
    const auto bare = run_command({binary, dir / "bare", "1"}, kRunTimeout);
    ASSERT_EQ(bare.exit_status, 0) << binary << " does not run on this kernel (no IA32 "
                                   << "emulation?): " << describe(bare);
}

TEST_P(InjectTest, ThirtyTwoBitBinaryGetsItsOwnSyscallNumbers) {
    for (const char* name : {"writes_32", "writes_32_static"}) {
        SCOPED_TRACE(name);
        expect_runnable(program(name), dir_);
        if (HasFatalFailure()) {
            return;
        }
        // i386 write is 4 (x86_64: 1) and i386 fsync is 118 (x86_64: 74): a rule that used
        // the x86_64 numbers would hit the wrong calls or none.
        const auto r = inject({"-e", "write:error=ENOSPC:when=3", "-e", "fsync:error=EIO"},
                              {program(name), dir_ / "out", "5"});
        EXPECT_EQ(r.exit_status, 2) << describe(r);
        EXPECT_EQ(r.out, writes_output(5, {{3, "ENOSPC"}}, "EIO"));
        EXPECT_EQ(read_file(dir_ / "out"), writes_file(5, {3}));
    }
}

// --- threads ------------------------------------------------------------------------------

constexpr int kThreads = 4;
constexpr int kWritesPerThread = 3;

std::vector<std::string> thread_args(const TempDir& dir) {
    return {program("threads"), dir / "out", std::to_string(kThreads),
            std::to_string(kWritesPerThread)};
}

TEST_P(InjectTest, ThreadsShareTheTreeCounter) {
    const auto r = inject({"-e", "write:error=ENOSPC:when=5"}, thread_args(dir_));
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(count_occurrences(r.out, ": ENOSPC\n"), 1u) << r.out;
    EXPECT_EQ(count_occurrences(r.out, ": ok 17\n"), kThreads * kWritesPerThread - 1u) << r.out;
    EXPECT_EQ(split_lines(read_file(dir_ / "out")).size(), kThreads * kWritesPerThread - 1u);
    EXPECT_EQ(parse_summary(r.err).faults, 1) << r.err;
}

TEST_P(InjectTest, ThreadsEachHaveACounterPerThread) {
    const auto r = inject({"-q", "-e", "write:error=ENOSPC:when=2:per=thread"}, thread_args(dir_));
    EXPECT_EQ(r.exit_status, kThreads) << describe(r);
    std::string expected;
    for (int t = 1; t <= kThreads; ++t) {
        for (int k = 1; k <= kWritesPerThread; ++k) {
            expected += "thread " + std::to_string(t) + " write " + std::to_string(k) + ": " +
                        (k == 2 ? "ENOSPC" : "ok 17") + "\n";
        }
    }
    EXPECT_EQ(r.out, expected);
}

TEST_P(InjectTest, ThreadsShareTheProcessCounter) {
    const auto r = inject({"-e", "write:error=ENOSPC:when=2+:per=process"}, thread_args(dir_));
    // Every write of the process but its first fails, whichever thread made it.
    EXPECT_EQ(r.exit_status, kThreads * kWritesPerThread - 1) << describe(r);
    EXPECT_EQ(count_occurrences(r.out, ": ok 17\n"), 1u) << r.out;
    EXPECT_EQ(split_lines(read_file(dir_ / "out")).size(), 1u);
    EXPECT_EQ(parse_summary(r.err).faults, kThreads * kWritesPerThread - 1) << r.err;
}

// --- processes ----------------------------------------------------------------------------

// tests/programs/forks: the child's 3 writes, then (after waitpid) the parent's 3.
std::string forks_output(const std::vector<int>& child_failing,
                         const std::vector<int>& parent_failing) {
    auto line = [](const std::string& who, int k, const std::vector<int>& failing) {
        bool fails = false;
        for (int f : failing) {
            fails = fails || f == k;
        }
        const std::string ok = who == "child" ? "ok 14" : "ok 15";
        return who + " write " + std::to_string(k) + ": " + (fails ? "ENOSPC" : ok) + "\n";
    };
    std::string out;
    for (int k = 1; k <= 3; ++k) {
        out += line("child", k, child_failing);
    }
    out += "child exit: " + std::to_string(child_failing.size()) + "\n";
    for (int k = 1; k <= 3; ++k) {
        out += line("parent", k, parent_failing);
    }
    return out;
}

TEST_P(InjectTest, ForkedChildSharesTheTreeCounter) {
    // Call 4 of the tree is the parent's first write: the child made calls 1 to 3.
    const auto r =
        inject({"-e", "write:error=ENOSPC:when=4"}, {program("forks"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, forks_output({}, {1}));
    const Summary summary = parse_summary(r.err);
    EXPECT_EQ(summary.faults, 1) << r.err;
}

TEST_P(InjectTest, ForkedChildStartsFreshPerProcess) {
    for (const char* per : {"process", "thread"}) {
        SCOPED_TRACE(per);
        const auto r = inject({"-e", std::string("write:error=ENOSPC:when=2:per=") + per},
                              {program("forks"), dir_ / "out", "3"});
        EXPECT_EQ(r.exit_status, 2) << describe(r);
        EXPECT_EQ(r.out, forks_output({2}, {2}));
        const Summary summary = parse_summary(r.err);
        ASSERT_EQ(summary.events.size(), 2u) << r.err;
        EXPECT_NE(summary.pids[0], summary.pids[1]) << "one fault in each process: " << r.err;
    }
}

TEST_P(InjectTest, VforkThenExecCountsInTheTree) {
    // parent write 1 (call 1), the exec'ed child's writes 1..3 (calls 2..4), parent write 2.
    const auto r =
        inject({"-e", "write:error=ENOSPC:when=3"},
               {program("vfork_exec"), dir_ / "parent", program("writes"), dir_ / "child", "3"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, "parent write 1: ok 15\n" + writes_output(3, {{2, "ENOSPC"}}) +
                         "child exit: 1\nparent write 2: ok 15\n");
    EXPECT_EQ(read_file(dir_ / "child"), writes_file(3, {2}));
}

TEST_P(InjectTest, VforkThenExecStartsFreshPerProcess) {
    const auto r =
        inject({"-q", "-e", "write:error=ENOSPC:when=2:per=process"},
               {program("vfork_exec"), dir_ / "parent", program("writes"), dir_ / "child", "3"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, "parent write 1: ok 15\n" + writes_output(3, {{2, "ENOSPC"}}) +
                         "child exit: 1\nparent write 2: ENOSPC\n");
}

// --- exec ---------------------------------------------------------------------------------

std::string exec_output(const std::string& writes_binary) {
    return "exec write 1: ok 13\nexec write 2: ok 13\nexecve " + writes_binary + "\n";
}

TEST_P(InjectTest, CountingCarriesAcrossExec) {
    // Two writes before the execve, so call 4 is the new program's second write; the same
    // for every kind of counter, since the process and the thread stay the same.
    for (const char* per : {"tree", "process", "thread"}) {
        SCOPED_TRACE(per);
        const auto r = inject(
            {"-q", "-e", std::string("write:error=ENOSPC:when=4:per=") + per},
            {program("exec_writes"), dir_ / "before", "2", program("writes"), dir_ / "after", "3"});
        EXPECT_EQ(r.exit_status, 1) << describe(r);
        EXPECT_EQ(r.out, exec_output(program("writes")) + writes_output(3, {{2, "ENOSPC"}}));
        EXPECT_EQ(read_file(dir_ / "after"), writes_file(3, {2}));
    }
}

TEST_P(InjectTest, OnlyTheStartingExecveIsExempt) {
    // Without `when` the rule picks every execve it counts; the one that starts the program
    // is not counted, so the program starts and its own execve fails.
    for (const char* when : {"", ":when=1"}) {
        SCOPED_TRACE(when);
        const auto r = inject(
            {"-e", std::string("execve:error=EACCES") + when},
            {program("exec_writes"), dir_ / "before", "2", program("writes"), dir_ / "after", "3"});
        EXPECT_EQ(r.exit_status, 1) << describe(r);
        EXPECT_EQ(r.out, exec_output(program("writes")) + "execve: EACCES\n");
        EXPECT_FALSE(fs::exists(dir_ / "after"));
        const Summary summary = parse_summary(r.err);
        ASSERT_EQ(summary.events.size(), 1u) << r.err;
        EXPECT_NE(summary.events[0].find("execve call 1 -> -1 EACCES"), std::string::npos) << r.err;
    }
}

TEST_P(InjectTest, ExecFromANonLeaderThread) {
    // main's 2 writes (calls 1, 2), the thread's 2 (calls 3, 4), then that thread execs and
    // takes over the leader's pid: the new program's write 2 is call 6 of the tree and of the
    // process.
    for (const char* per : {"tree", "process"}) {
        SCOPED_TRACE(per);
        const auto r = inject(
            {"-e", std::string("write:error=ENOSPC:when=3+3:per=") + per},
            {program("thread_exec"), dir_ / "before", "2", program("writes"), dir_ / "after", "4"});
        EXPECT_EQ(r.exit_status, 1) << describe(r);
        EXPECT_EQ(r.out,
                  "main write 1: ok 13\nmain write 2: ok 13\n"
                  "thread write 1: ENOSPC\nthread write 2: ok 15\n"
                  "execve " +
                      program("writes") + "\n" + writes_output(4, {{2, "ENOSPC"}}));
        EXPECT_EQ(read_file(dir_ / "after"), writes_file(4, {2}));
        EXPECT_EQ(parse_summary(r.err).faults, 2) << r.err;
    }
}

// --- signals, deaths and exit statuses ----------------------------------------------------

TEST_P(InjectTest, SignalsReachTheProgramWhileItsSleepsStop) {
    // The rule picks clock_nanosleep (glibc's nanosleep) but never fires: every sleep stops
    // at entry, and the SIGALRM that interrupts it must be delivered, once.
    const auto r = inject({"-e", "clock_nanosleep:error=EINTR:when=100"}, {program("signals")});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out,
              "sleep 1: EINTR, handler runs 1\nsleep 2: EINTR, handler runs 1\n"
              "sleep 3: EINTR, handler runs 1\nsleep 4: EINTR, handler runs 1\n"
              "handler runs: 4\ndone\n");
    EXPECT_EQ(parse_summary(r.err).faults, 0) << r.err;
}

TEST_P(InjectTest, InjectedEintrIsNotASignal) {
    const auto r = inject({"-e", "clock_nanosleep:error=EINTR:when=2"}, {program("signals")});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out,
              "sleep 1: EINTR, handler runs 1\nsleep 2: EINTR, handler runs 0\n"
              "sleep 3: EINTR, handler runs 1\nsleep 4: EINTR, handler runs 1\n"
              "handler runs: 3\ndone\n");
    EXPECT_EQ(parse_summary(r.err).faults, 1) << r.err;
}

TEST_P(InjectTest, GroupStopStopsTheProgramAndSigcontEndsIt) {
    // raise(SIGSTOP) must really stop it (a group-stop, held with PTRACE_LISTEN) and the
    // child's SIGCONT must wake it; a tracer that eats either leaves it running early or hung.
    const auto r = inject({"-e", "write:error=ENOSPC:when=2"}, {program("stops"), dir_ / "out"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, "stopping\nparent stopped: yes\ncontinued\nwrite: ok\n");
    EXPECT_EQ(read_file(dir_ / "out"), "x");
}

TEST_P(InjectTest, DeathBySignalIs128PlusN) {
    const auto r = inject({"-e", "write:error=ENOSPC"}, {program("segv"), dir_ / "out"});
    EXPECT_EQ(r.exit_status, 128 + 11) << describe(r);
    EXPECT_EQ(r.out, "write 1: ENOSPC\n");
    EXPECT_EQ(read_file(dir_ / "out"), "");
    EXPECT_EQ(parse_summary(r.err).faults, 1) << r.err;
}

TEST_P(InjectTest, ExitStatusIsTheProgramsOwn) {
    const auto r = inject({"-e", "write:error=ENOSPC"}, {program("exit_status"), "3"});
    EXPECT_EQ(r.exit_status, 3) << describe(r);
    EXPECT_EQ(r.out, "exiting 3\n");
}

TEST_P(InjectTest, ARuleOnASyscallNeverMadeStopsNothingUnderTheFilter) {
    const auto r = inject({"-e", "reboot:error=EPERM"}, {program("writes"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, writes_output(3, {}));
    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    EXPECT_EQ(summary.faults, 0);
    EXPECT_EQ(summary.filter, filter_words());
    if (GetParam() == Mode::kSeccomp) {
        EXPECT_EQ(summary.stops, 0) << r.err;
        EXPECT_NE(r.err.find("inject: 0 faults injected, 0 syscall stops (seccomp filter)"),
                  std::string::npos)
            << r.err;
    } else {
        EXPECT_GT(summary.stops, 20) << r.err;
    }
}

}  // namespace
}  // namespace inject::testing
