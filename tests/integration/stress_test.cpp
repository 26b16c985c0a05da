// Stress and faults: a storm of threads, forks and execs under a hot rule; inject killed or
// signalled in the middle of a run; big outputs under rules that never fire. Each is bounded
// in time: a hang fails the test (run_command's timeout, BackgroundProcess's 20 s per line).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// A rule on write that stops every write and never fires: the most stops for no change.
const std::vector<std::string> kNeverFires{"-e", "write:error=EIO:when=1000000000"};

// The state letter of /proc/PID/stat ('R', 'S', 't' traced-stopped, 'T' stopped, 'Z'), or
// nullopt when the process is gone.
std::optional<char> process_state(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const std::size_t paren = text.rfind(')');
    if (paren == std::string::npos || paren + 2 >= text.size()) {
        return std::nullopt;
    }
    return text[paren + 2];
}

// Whether the process ended (gone, or a zombie nobody reaps yet), waiting up to 10 s for it:
// after its tracer died, a tracee killed by PTRACE_O_EXITKILL ends within moments.
bool ends_soon(pid_t pid) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    for (;;) {
        const std::optional<char> state = process_state(pid);
        if (!state || *state == 'Z' || *state == 'X') {
            return true;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// Whether `pid`'s environment holds `entry` ("NAME=VALUE").
bool environment_holds(pid_t pid, const std::string& entry) {
    std::ifstream environ_file("/proc/" + std::to_string(pid) + "/environ");
    std::string variable;
    while (std::getline(environ_file, variable, '\0')) {
        if (variable == entry) {
            return true;
        }
    }
    return false;
}

// The processes named `comm` with `marker` in their environment that are still alive (not
// zombies). The marker tells this test's processes from those of a test run beside it.
std::vector<pid_t> live_processes_named(const std::string& comm, const std::string& marker) {
    std::vector<pid_t> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream comm_file(entry.path() / "comm");
        std::string line;
        std::getline(comm_file, line);
        const pid_t pid = std::stoi(name);
        const std::optional<char> state = process_state(pid);
        if (line == comm && state && *state != 'Z' && *state != 'X' &&
            environment_holds(pid, marker)) {
            found.push_back(pid);
        }
    }
    return found;
}

// --- a storm: 100 threads, 50 forked children that exec, one hot per-thread rule ----------

using StormTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, StormTest, ::testing::ValuesIn(kAllModes), mode_name);

TEST_P(StormTest, EveryThreadAndExecedChildLosesExactlyItsSecondWrite) {
    const std::string report = dir_ / "report.json";
    const std::string marker = "INJECT_STORM_TEST=" + std::string(dir_ / "");
    ::setenv("INJECT_STORM_TEST", (dir_ / "").c_str(), 1);
    const auto r = run_command(
        inject_argv({"-q", "--report", report, "-e", "write:error=EIO:when=2:per=thread"},
                    {program("storm"), "100", "50", "20"}),
        seconds(120));
    ASSERT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, "threads 100 failed 100, children 50 failed 50\n");
    const auto json = nlohmann::json::parse(read_file(report));
    EXPECT_EQ(json["injections_total"], 150) << json.dump(2).substr(0, 2000);
    EXPECT_EQ(live_processes_named("storm", marker), std::vector<pid_t>{}) << "left running";
    ::unsetenv("INJECT_STORM_TEST");
}

// --- inject killed by SIGKILL in the middle of a run ---------------------------------------

// inject running `busy CHILDREN` under `rule`, and the pids busy said it has.
struct BusyRun {
    std::unique_ptr<BackgroundProcess> inject;
    std::vector<pid_t> pids;
};

BusyRun start_busy(const std::vector<std::string>& rule, int children) {
    std::vector<std::string> argv{inject_binary(), "-q"};
    argv.insert(argv.end(), rule.begin(), rule.end());
    argv.insert(argv.end(), {"--", program("busy"), std::to_string(children)});
    BusyRun run{std::make_unique<BackgroundProcess>(argv), {}};
    for (int i = 0; i <= children; ++i) {
        const std::optional<std::string> line = run.inject->next_line();
        if (!line || !line->starts_with("pid ")) {
            ADD_FAILURE() << "busy did not start: " << line.value_or("(end)") << "\n"
                          << run.inject->rest_of_err();
            return run;
        }
        run.pids.push_back(std::stoi(line->substr(4)));
    }
    return run;
}

// What the tracees are doing when inject is killed.
struct KillCase {
    std::string name;
    std::vector<std::string> rule;
};

std::string kill_case_name(const ::testing::TestParamInfo<KillCase>& info) {
    return info.param.name;
}

class KilledInjectTest : public ::testing::TestWithParam<KillCase> {};
INSTANTIATE_TEST_SUITE_P(Stops, KilledInjectTest,
                         ::testing::Values(KillCase{"stopping_constantly", kNeverFires},
                                           KillCase{"held_by_a_delay", {"-e", "write:delay=60s"}},
                                           KillCase{"mid_short_write", {"-e", "write:short=1"}}),
                         kill_case_name);

TEST_P(KilledInjectTest, NoTraceeIsLeftStoppedOrRunning) {
    BusyRun run = start_busy(GetParam().rule, 3);
    ASSERT_EQ(run.pids.size(), 4u);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // well into the stops
    run.inject->signal(SIGKILL);
    EXPECT_EQ(run.inject->wait(), 128 + SIGKILL);
    for (const pid_t pid : run.pids) {
        EXPECT_TRUE(ends_soon(pid))
            << "pid " << pid << " is in state " << process_state(pid).value_or('?');
    }
}

TEST(KilledAttachedInjectTest, TheProcessRunsOnUntraced) {
    TempDir dir;
    BackgroundProcess target({program("write_loop"), dir / "out"});
    ASSERT_EQ(target.next_line(), "ready");
    std::vector<std::string> argv{inject_binary(), "-q", "-p", std::to_string(target.pid())};
    argv.insert(argv.end(), kNeverFires.begin(), kNeverFires.end());
    BackgroundProcess inject(argv);
    ASSERT_TRUE(inject.next_err_line().value_or("").starts_with("inject: note: attached to"));
    target.send("batch 3\n");
    ASSERT_EQ(target.next_line(), "batch: ok ok ok");
    inject.signal(SIGKILL);
    EXPECT_EQ(inject.wait(), 128 + SIGKILL);
    target.send("batch 2\n");
    EXPECT_EQ(target.next_line(), "batch: ok ok") << "the process must run on";
    EXPECT_NE(process_state(target.pid()), 't');
    std::ifstream status("/proc/" + std::to_string(target.pid()) + "/status");
    std::string line;
    while (std::getline(status, line) && !line.starts_with("TracerPid:")) {
    }
    EXPECT_EQ(line, "TracerPid:\t0");
    target.close_stdin();
    EXPECT_EQ(target.wait(), 0);
}

// --- signals to inject during each kind of stop, as the README says -------------------------
// Without -p, inject survives SIGINT (a terminal sends it to the program too) and passes
// SIGTERM and SIGHUP on to the program, whose status then is inject's.

class SignalDuringStopTest : public ::testing::TestWithParam<int> {};
std::string signal_case_name(const ::testing::TestParamInfo<int>& info) {
    return sigabbrev_np(info.param);
}
INSTANTIATE_TEST_SUITE_P(Signals, SignalDuringStopTest, ::testing::Values(SIGTERM, SIGHUP),
                         signal_case_name);

TEST_P(SignalDuringStopTest, AtSyscallStopsItReachesTheProgram) {
    BusyRun run = start_busy(kNeverFires, 0);
    ASSERT_EQ(run.pids.size(), 1u);
    run.inject->signal(SIGINT);  // survived
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_NE(process_state(run.inject->pid()).value_or('Z'), 'Z') << "SIGINT ended inject";
    run.inject->signal(GetParam());
    EXPECT_EQ(run.inject->wait(), 128 + GetParam());
    EXPECT_TRUE(ends_soon(run.pids[0]));
}

TEST_P(SignalDuringStopTest, InAGroupStopItReachesTheProgramWhenItContinues) {
    BusyRun run = start_busy(kNeverFires, 0);
    ASSERT_EQ(run.pids.size(), 1u);
    ::kill(run.pids[0], SIGSTOP);
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (process_state(run.pids[0]) != 't' && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(process_state(run.pids[0]), 't') << "not in its group-stop";
    run.inject->signal(SIGINT);  // survived
    run.inject->signal(GetParam());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // The kernel ends an untraced stopped process at once on a fatal signal, and a traced one
    // when its tracer next lets it take the signal: either way it ends by that signal, now or
    // once continued, and never runs on.
    const std::optional<char> state = process_state(run.pids[0]);
    EXPECT_TRUE(!state || *state == 't' || *state == 'Z') << "it ran on: " << *state;
    ::kill(run.pids[0], SIGCONT);
    EXPECT_EQ(run.inject->wait(), 128 + GetParam());
}

// Issue 15, item 4: a pending delay held SIGTERM/SIGHUP back until it ended.
TEST_P(SignalDuringStopTest, DuringADelayItReachesTheProgramAtOnce) {
    BusyRun run = start_busy({"-e", "write:delay=60s"}, 0);
    ASSERT_EQ(run.pids.size(), 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // both threads held
    run.inject->signal(SIGINT);                                   // survived
    const auto sent = std::chrono::steady_clock::now();
    run.inject->signal(GetParam());
    EXPECT_EQ(run.inject->wait(), 128 + GetParam());
    EXPECT_LT(std::chrono::steady_clock::now() - sent, seconds(30)) << "held until the delay ended";
}

// --- issue 15, item 2: the [expect] regex search forked a child that could outlive inject ----

TEST(OutputSearchTest, InjectStartsNoProcessButTheProgram) {
    const auto strace = strace_binary();
    ASSERT_TRUE(strace) << "strace is installed by scripts/setup";
    TempDir dir;
    write_file(dir.path() / "e.toml", "[expect]\nstdout = \"/(a|aa)*c/\"\n");
    // strace follows inject alone (no -f), so it sees the processes inject itself starts: the
    // program, and before RE2 a child for the search.
    const auto r = run_command(
        {*strace, "-qq", "-o", dir / "calls", "-e", "trace=fork,vfork,clone,clone3", "--",
         inject_binary(), "-q", "-s", dir / "e.toml", "--", "sh", "-c", "echo aaaaaaaaaaaaaaaa"},
        kRunTimeout);
    EXPECT_EQ(r.exit_status, 1) << describe(r);  // the expectation fails: no "c"
    std::size_t started = 0;
    for (const std::string& line : split_lines(read_file(dir.path() / "calls"))) {
        // A thread of inject's own (CLONE_THREAD) is no process.
        started +=
            line.find(" = ") != std::string::npos && line.find("CLONE_THREAD") == std::string::npos;
    }
    EXPECT_EQ(started, 1u) << read_file(dir.path() / "calls");
}

// --- big outputs, byte for byte the same under rules that never fire ------------------------

class BigOutputTest : public ::testing::Test {
  protected:
    // The command's stdout bare and under inject with rules that never fire (every write
    // stops; reads are filtered by a path none has).
    void expect_same_output(const std::vector<std::string>& command) {
        const auto bare = run_command(command, seconds(120));
        ASSERT_EQ(bare.exit_status, 0) << bare.err;
        std::vector<std::string> argv{inject_binary(), "-q"};
        argv.insert(argv.end(), kNeverFires.begin(), kNeverFires.end());
        argv.insert(argv.end(), {"-e", "read:error=EIO:path=/nonexistent/*", "--"});
        argv.insert(argv.end(), command.begin(), command.end());
        const auto traced = run_command(argv, seconds(120));
        ASSERT_EQ(traced.exit_status, 0) << traced.err;
        EXPECT_EQ(traced.out.size(), bare.out.size());
        EXPECT_TRUE(traced.out == bare.out) << "the output differs";
        EXPECT_EQ(std::hash<std::string>{}(traced.out), std::hash<std::string>{}(bare.out));
    }
    TempDir dir_;
};

TEST_F(BigOutputTest, ThreeMillionLinesOfSeq) {
    expect_same_output({"seq", "3000000"});
}

TEST_F(BigOutputTest, GzipOfFiftyMegabytes) {
    // Pseudo-random bytes (a fixed LCG), which gzip cannot shrink: 50 MB out as well.
    {
        std::ofstream data(dir_ / "data", std::ios::binary);
        std::uint64_t state = 42;
        std::string block(1 << 20, '\0');
        for (int mib = 0; mib < 50; ++mib) {
            for (char& byte : block) {
                state = state * 6364136223846793005u + 1442695040888963407u;
                byte = static_cast<char>(state >> 56);
            }
            data << block;
        }
    }
    expect_same_output({"gzip", "-c", "-n", dir_ / "data"});
}

TEST_F(BigOutputTest, TarOfUsrInclude) {
    // All of it but the largest trees, which only make the test slower.
    expect_same_output({"tar", "-cf", "-", "--exclude=./boost", "--exclude=./node",
                        "--exclude=./llvm-*", "-C", "/usr/include", "."});
}

}  // namespace
}  // namespace inject::testing
