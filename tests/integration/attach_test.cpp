// inject -p PID: attaching to processes that run already (started by the test itself, not
// under inject), injecting into them, and letting them go on a signal to inject, after which
// they must run on as if nothing had happened. The programs (write_loop, thread_loop) wait
// for commands on stdin and answer on stdout, so every step is synchronized by a line.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "inject/inject.hpp"

namespace inject::testing {
namespace {

using nlohmann::json;

int ptrace_scope() {
    std::ifstream file("/proc/sys/kernel/yama/ptrace_scope");
    int scope = 0;
    return file >> scope ? scope : 0;
}

// The state letter of /proc/PID/stat: 'T' stopped, 't' stopped by its tracer, ...
char process_state(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() ? text[close + 2] : '?';
}

// TracerPid in /proc/PID/status: 0 when untraced.
long tracer_of(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(file, line)) {
        if (line.starts_with("TracerPid:")) {
            return std::stol(line.substr(10));
        }
    }
    return -1;
}

// Waits (up to 20 s) until the process is in a group-stop, untraced: 'T'.
bool becomes_stopped(pid_t pid) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (process_state(pid) != 'T') {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

std::string note_for(const std::string& pids) {
    return "inject: note: attached to " + pids +
           ": no seccomp filter, every syscall stops (slower)";
}

class AttachTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // The programs allow any tracer (PR_SET_PTRACER), which suffices for scope 1.
        const int scope = ptrace_scope();
        if (scope >= 3 || (scope == 2 && ::geteuid() != 0)) {
            GTEST_SKIP() << "kernel.yama.ptrace_scope is " << scope << ": inject cannot attach";
        }
    }

    // tests/programs/write_loop, started by the test and ready for commands.
    std::unique_ptr<BackgroundProcess> start_write_loop(const std::string& file) {
        auto target = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{program("write_loop"), file});
        EXPECT_EQ(target->next_line(), "ready");
        return target;
    }

    std::unique_ptr<BackgroundProcess> start_thread_loop(int workers) {
        auto target = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{program("thread_loop"), std::to_string(workers)});
        EXPECT_EQ(target->next_line(), "ready");
        return target;
    }

    // inject -p PID... OPTIONS..., once it says it has attached.
    std::unique_ptr<BackgroundProcess> attach_inject(const std::vector<pid_t>& pids,
                                                     const std::vector<std::string>& options) {
        std::vector<std::string> argv{inject_binary()};
        std::string listed;
        for (const pid_t pid : pids) {
            argv.insert(argv.end(), {"-p", std::to_string(pid)});
            listed += (listed.empty() ? "" : ", ") + std::to_string(pid);
        }
        argv.insert(argv.end(), options.begin(), options.end());
        auto inject = std::make_unique<BackgroundProcess>(argv);
        EXPECT_EQ(inject->next_err_line(), note_for(listed));
        return inject;
    }

    TempDir dir_;
};

class DetachOnSignalTest : public AttachTest, public ::testing::WithParamInterface<int> {};
INSTANTIATE_TEST_SUITE_P(Signals, DetachOnSignalTest,
                         ::testing::Values(SIGINT, SIGTERM, SIGHUP, SIGQUIT),
                         [](const ::testing::TestParamInfo<int>& signal) {
                             return std::string(sigabbrev_np(signal.param));
                         });

TEST_P(DetachOnSignalTest, InjectsTheChosenCallsThenLetsTheProgramRunOnUnharmed) {
    const std::string file = dir_ / "lines";
    const auto target = start_write_loop(file);
    const pid_t pid = target->pid();  // wait() forgets it
    const auto inject =
        attach_inject({pid}, {"-e", "write:error=EIO:when=3", "--report", dir_ / "report.json"});
    target->send("batch 5\n");
    EXPECT_EQ(target->next_line(), "batch: ok ok EIO ok ok");

    inject->signal(GetParam());
    EXPECT_EQ(inject->wait(), 0) << "a detach is a success";
    const std::string summary = inject->rest_of_err();
    EXPECT_NE(summary.find("inject: 1 fault injected, "), std::string::npos) << summary;
    EXPECT_NE(summary.find("inject: detached: every process still traced runs on untraced\n"),
              std::string::npos)
        << summary;
    EXPECT_NE(summary.find("inject: replay: not shown (attached with -p"), std::string::npos)
        << summary;
    EXPECT_EQ(tracer_of(pid), 0);

    target->send("batch 3\n");
    EXPECT_EQ(target->next_line(), "batch: ok ok ok");
    target->close_stdin();
    EXPECT_EQ(target->next_line(), "done: 8 writes, 1 failed");
    EXPECT_EQ(target->wait(), 1) << "the program's own status";
    EXPECT_EQ(read_file(file), "line 1\nline 2\nline 4\nline 5\nline 6\nline 7\nline 8\n");

    const json report = json::parse(read_file(dir_ / "report.json"));
    EXPECT_EQ(report["command"], json::array());
    EXPECT_EQ(report["attached"], json::array({pid}));
    EXPECT_EQ(report["seccomp_filter"], false);
    EXPECT_EQ(report["injections_total"], 1);
    EXPECT_EQ(report["injections"][0]["nth"], 3);
    EXPECT_EQ(report["result"]["detached"], true);
    EXPECT_TRUE(report["result"]["exit_code"].is_null());
}

TEST_F(AttachTest, ADetachAmidInjectionsLeavesNoStrayResult) {
    // Every write fails while inject is attached, and the program writes without pause: the
    // signal is likely to find it between a skipped call's entry and its exit.
    const std::string file = dir_ / "lines";
    const auto target = start_write_loop(file);
    const auto inject =
        attach_inject({target->pid()}, {"-e", "write:error=EIO", "--report", dir_ / "report.json"});
    target->send("loop\n");
    EXPECT_EQ(target->next_line(), "write 1: EIO");
    inject->signal(SIGINT);
    EXPECT_EQ(inject->wait(), 0) << inject->rest_of_err();

    // The outcome changes once, to success, and never back; nothing else (-ENOSYS) shows.
    const auto changed = target->next_line();
    ASSERT_TRUE(changed.has_value());
    int first_ok = 0;
    ASSERT_EQ(std::sscanf(changed->c_str(), "write %d:", &first_ok), 1) << *changed;
    EXPECT_EQ(*changed, "write " + std::to_string(first_ok) + ": ok");
    target->send("stop\n");
    EXPECT_EQ(target->next_line(), "loop: ended");
    target->close_stdin();
    const auto done = target->next_line();
    ASSERT_TRUE(done.has_value());
    int writes = 0;
    int failed = 0;
    ASSERT_EQ(std::sscanf(done->c_str(), "done: %d writes, %d failed", &writes, &failed), 2)
        << *done;
    EXPECT_EQ(failed, first_ok - 1);
    EXPECT_EQ(target->wait(), std::min(failed, 99));

    const json report = json::parse(read_file(dir_ / "report.json"));
    EXPECT_EQ(report["injections_total"], failed) << "exactly the injected errors were seen";
    // The lines that failed never reached the file; all the later ones did.
    std::string expected;
    for (int line = first_ok; line <= writes; ++line) {
        expected += "line " + std::to_string(line) + "\n";
    }
    EXPECT_EQ(read_file(file), expected);
}

TEST_F(AttachTest, AProgramThatExitsWhileTracedGivesInjectItsStatus) {
    const auto target = start_write_loop(dir_ / "lines");
    const auto inject = attach_inject({target->pid()}, {"-e", "write:error=ENOSPC:when=2"});
    target->send("batch 3\n");
    EXPECT_EQ(target->next_line(), "batch: ok ENOSPC ok");
    target->close_stdin();
    EXPECT_EQ(target->next_line(), "done: 3 writes, 1 failed");
    EXPECT_EQ(inject->wait(), 1);
    const std::string summary = inject->rest_of_err();
    EXPECT_EQ(summary.find("detached"), std::string::npos) << summary;
    // The parent (this test) still gets the status once the tracer has seen it.
    EXPECT_EQ(target->wait(), 1);
}

TEST_F(AttachTest, AProgramKilledWhileTracedGivesInjectItsSignal) {
    const auto target = start_write_loop(dir_ / "lines");
    const auto inject = attach_inject({target->pid()}, {"-e", "write:error=EIO"});
    target->send("raise " + std::to_string(SIGUSR1) + "\n");
    EXPECT_EQ(inject->wait(), 128 + SIGUSR1);
    EXPECT_EQ(target->wait(), 128 + SIGUSR1);
}

TEST_F(AttachTest, ExpectationsAboutHowItEndsAreChecked) {
    const std::string scenario = dir_ / "ends.toml";
    write_file(scenario,
               "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\nwhen = 1\n"
               "[expect]\nexit_code = 1\ninjected = 1\n");
    const auto target = start_write_loop(dir_ / "lines");
    const auto inject = attach_inject({target->pid()}, {"-s", scenario});
    target->send("batch 2\n");
    EXPECT_EQ(target->next_line(), "batch: EIO ok");
    target->close_stdin();
    EXPECT_EQ(inject->wait(), 0);
    EXPECT_NE(inject->rest_of_err().find("inject: PASS: " + scenario), std::string::npos);
}

TEST_F(AttachTest, SeveralProcessesShareTheirCounts) {
    const auto first = start_write_loop(dir_ / "first");
    const auto second = start_write_loop(dir_ / "second");
    const auto inject =
        attach_inject({first->pid(), second->pid()}, {"-e", "write:error=EIO:when=2"});
    first->send("batch 1\n");
    EXPECT_EQ(first->next_line(), "batch: ok");
    second->send("batch 1\n");
    EXPECT_EQ(second->next_line(), "batch: EIO") << "the second write of the traced tree";
    inject->signal(SIGTERM);
    EXPECT_EQ(inject->wait(), 0);
    for (const auto* target : {first.get(), second.get()}) {
        target->send("batch 1\n");
    }
    EXPECT_EQ(first->next_line(), "batch: ok");
    EXPECT_EQ(second->next_line(), "batch: ok");
}

TEST_F(AttachTest, TracesEveryThreadIncludingThoseStartedWhileAttaching) {
    // Short-lived threads are started one after another all along, so that threads appear
    // while inject reads the process's thread list.
    const auto target = start_thread_loop(4);
    const auto inject = attach_inject({target->pid()}, {"-e", "write:error=EIO"});
    target->send("probe\n");
    EXPECT_EQ(target->next_line(), "probe: EIO EIO EIO EIO spawned EIO");
    inject->signal(SIGINT);
    EXPECT_EQ(inject->wait(), 0) << inject->rest_of_err();
    target->send("probe\n");
    EXPECT_EQ(target->next_line(), "probe: ok ok ok ok spawned ok");
    target->close_stdin();
    EXPECT_EQ(target->next_line(), "stray: 0") << "a write failed with something not injected";
    EXPECT_EQ(target->wait(), 0);
}

TEST_F(AttachTest, DetachesFromAProcessWhoseMainThreadExitsWhileTraced) {
    // The exited main thread can neither stop nor be detached: inject must not wait for it.
    const auto target = start_thread_loop(2);
    const auto inject = attach_inject({target->pid()}, {"-e", "write:error=EIO"});
    target->send("probe\n");
    EXPECT_EQ(target->next_line(), "probe: EIO EIO spawned EIO");
    target->send("leave\n");
    EXPECT_EQ(target->next_line(), "left");
    target->send("probe\n");
    EXPECT_EQ(target->next_line(), "probe: EIO EIO spawned EIO");
    inject->signal(SIGINT);
    EXPECT_EQ(inject->wait(), 0) << inject->rest_of_err();
    target->send("probe\n");
    EXPECT_EQ(target->next_line(), "probe: ok ok spawned ok");
    target->close_stdin();
    EXPECT_EQ(target->next_line(), "stray: 0");
}

TEST_F(AttachTest, AttachesToAProcessWhoseMainThreadHasExited) {
    const auto target = start_thread_loop(2);
    target->send("leave\n");
    EXPECT_EQ(target->next_line(), "left");
    const auto inject = attach_inject({target->pid()}, {"-e", "write:error=EIO"});
    target->send("probe\n");
    EXPECT_EQ(target->next_line(), "probe: EIO EIO spawned EIO");
    inject->signal(SIGINT);
    EXPECT_EQ(inject->wait(), 0) << inject->rest_of_err();
    target->send("probe\n");
    EXPECT_EQ(target->next_line(), "probe: ok ok spawned ok");
}

TEST_F(AttachTest, AStoppedProcessStaysStoppedWhenAttachedAndWhenLetGo) {
    const auto target = start_write_loop(dir_ / "lines");
    target->signal(SIGSTOP);
    ASSERT_TRUE(becomes_stopped(target->pid()));
    const auto inject = attach_inject({target->pid()}, {"-e", "write:error=EIO:when=1"});
    // Stopped, it cannot answer; once continued, its first write is the first traced one.
    target->send("batch 1\n");
    target->signal(SIGCONT);
    EXPECT_EQ(target->next_line(), "batch: EIO");

    // Stopped again while traced, with a command waiting that it has not read.
    target->signal(SIGSTOP);
    target->send("batch 1\n");
    inject->signal(SIGINT);
    EXPECT_EQ(inject->wait(), 0) << inject->rest_of_err();
    ASSERT_TRUE(becomes_stopped(target->pid())) << "state " << process_state(target->pid());
    EXPECT_FALSE(target->has_line()) << "it ran although stopped";
    target->signal(SIGCONT);
    EXPECT_EQ(target->next_line(), "batch: ok");
}

// What write_loop saw, and the file it left, when a tracer started by `tracer` (given the
// pid) attached to it for five writes and was then interrupted. The tracer's first stderr
// line says it has attached.
struct Observed {
    std::vector<std::string> answers;
    int status = -1;
    std::string file;
    bool operator==(const Observed&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Observed& observed) {
    for (const std::string& answer : observed.answers) {
        os << answer << '\n';
    }
    return os << "status " << observed.status << "\nfile:\n" << observed.file;
}

Observed attached_for_five_writes(const std::function<std::vector<std::string>(pid_t)>& tracer,
                                  const std::function<std::string(pid_t)>& attached_line,
                                  const std::string& file) {
    BackgroundProcess target({program("write_loop"), file});
    Observed observed;
    observed.answers.push_back(target.next_line().value_or("(none)"));
    BackgroundProcess traced(tracer(target.pid()));
    EXPECT_EQ(traced.next_err_line(), attached_line(target.pid()));
    target.send("batch 5\n");
    observed.answers.push_back(target.next_line().value_or("(none)"));
    traced.signal(SIGINT);
    traced.wait();
    target.send("batch 3\n");
    observed.answers.push_back(target.next_line().value_or("(none)"));
    target.close_stdin();
    observed.answers.push_back(target.next_line().value_or("(none)"));
    observed.status = target.wait();
    observed.file = read_file(file);
    return observed;
}

TEST_F(AttachTest, SameObservationsAsStraceAttached) {
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    const std::string spec = "write:error=ENOSPC:when=2..3";
    const Observed by_inject = attached_for_five_writes(
        [&](pid_t pid) {
            return std::vector<std::string>{inject_binary(), "-p", std::to_string(pid), "-e", spec};
        },
        [](pid_t pid) { return note_for(std::to_string(pid)); }, dir_ / "inject");
    const Observed by_strace = attached_for_five_writes(
        [&](pid_t pid) {
            return std::vector<std::string>{
                *strace,          "-o", "/dev/null",        "-e", "trace=write", "-e",
                "inject=" + spec, "-p", std::to_string(pid)};
        },
        [&](pid_t pid) { return *strace + ": Process " + std::to_string(pid) + " attached"; },
        dir_ / "strace");
    EXPECT_EQ(by_inject, by_strace);
    EXPECT_EQ(by_inject.answers[1], "batch: ok ENOSPC ENOSPC ok ok");
}

// One line and 125, as for any other input inject cannot use; the processes are left alone.
void expect_refused(BackgroundProcess& inject, const std::string& line) {
    EXPECT_EQ(inject.wait(), 125);
    EXPECT_EQ(inject.rest_of_err(), line + "\n");
    EXPECT_FALSE(inject.next_line().has_value()) << "nothing on stdout";
}

std::string pid_max() {
    std::ifstream file("/proc/sys/kernel/pid_max");
    std::string value;
    file >> value;
    return value;
}

TEST_F(AttachTest, AProcessThatDoesNotExistIsRefused) {
    // PIDs go up to pid_max - 1: pid_max itself never names a process.
    const std::string absent = pid_max();
    BackgroundProcess inject({inject_binary(), "-p", absent, "-e", "write:error=EIO"});
    expect_refused(inject, "inject: cannot attach to " + absent + ": no such process");
}

TEST_F(AttachTest, WhatIsNoProcessIdIsRefused) {
    BackgroundProcess inject({inject_binary(), "-p", "12ab", "-e", "write:error=EIO"});
    expect_refused(inject, "inject: --attach 12ab: expected a process ID (a positive integer)");
}

TEST_F(AttachTest, AProgramTogetherWithAProcessIsRefusedAndNotStarted) {
    const auto target = start_write_loop(dir_ / "lines");
    BackgroundProcess inject({inject_binary(), "-p", std::to_string(target->pid()), "-e",
                              "write:error=EIO", "--", program("writes"), dir_ / "marker", "1"});
    expect_refused(inject,
                   "inject: -p PID and a PROGRAM exclude each other: attach to a running "
                   "process, or start one");
    EXPECT_FALSE(std::filesystem::exists(dir_ / "marker"));
}

TEST_F(AttachTest, OutputExpectationsAreRefused) {
    const std::string scenario = dir_ / "output.toml";
    write_file(scenario,
               "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n[expect]\nstdout = \"x\"\n");
    const auto target = start_write_loop(dir_ / "lines");
    BackgroundProcess inject(
        {inject_binary(), "-p", std::to_string(target->pid()), "-s", scenario});
    expect_refused(inject, "inject: " + scenario +
                               ": with -p, [expect] may state exit_code, signal and injected "
                               "only (inject neither sees the output of a process it did not "
                               "start, nor kills it at a timeout)");
}

TEST_F(AttachTest, AProcessTracedByAnotherIsRefusedSayingByWhom) {
    const auto target = start_write_loop(dir_ / "lines");
    // This test's thread becomes its tracer (PTRACE_SEIZE stops nothing).
    ASSERT_EQ(::ptrace(PTRACE_SEIZE, target->pid(), nullptr, nullptr), 0);
    BackgroundProcess inject(
        {inject_binary(), "-p", std::to_string(target->pid()), "-e", "write:error=EIO"});
    const std::string line = inject.rest_of_err();
    EXPECT_EQ(inject.wait(), 125);
    EXPECT_EQ(
        line.rfind("inject: cannot attach to " + std::to_string(target->pid()) +
                       ": it is already traced by process " + std::to_string(::gettid()) + " (",
                   0),
        0U)
        << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
}

// The tracer's name is anyone's to choose, escapes included: shown escaped, it can neither
// retitle nor clear the terminal inject's message goes to.
TEST_F(AttachTest, TheOtherTracersNameIsShownEscaped) {
    const auto target = start_write_loop(dir_ / "lines");
    ASSERT_EQ(::ptrace(PTRACE_SEIZE, target->pid(), nullptr, nullptr), 0);
    std::array<char, 16> own_name{};
    ASSERT_EQ(::prctl(PR_GET_NAME, own_name.data()), 0);
    ASSERT_EQ(::prctl(PR_SET_NAME, "\x1b]0;pwn\a\x1b[2J\n"), 0);
    BackgroundProcess inject(
        {inject_binary(), "-p", std::to_string(target->pid()), "-e", "write:error=EIO"});
    const std::string line = inject.rest_of_err();
    ::prctl(PR_SET_NAME, own_name.data());
    EXPECT_EQ(inject.wait(), 125);
    EXPECT_NE(line.find("already traced by process " + std::to_string(::gettid()) +
                        " (\\x1b]0;pwn\\x07\\x1b[2J\\n)\n"),
              std::string::npos)
        << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << "a raw ESC reached the terminal";
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
}

TEST_F(AttachTest, WhenOneProcessCannotBeTracedTheOthersAreLetGo) {
    const std::string file = dir_ / "lines";
    const auto target = start_write_loop(file);
    const std::string absent = pid_max();
    BackgroundProcess inject({inject_binary(), "-p", std::to_string(target->pid()), "-p", absent,
                              "-e", "write:error=EIO"});
    expect_refused(inject, "inject: cannot attach to " + absent + ": no such process");
    EXPECT_EQ(tracer_of(target->pid()), 0);
    target->send("batch 2\n");
    EXPECT_EQ(target->next_line(), "batch: ok ok");
}

// The library's attach(), ended by a DetachRequest from another thread.
TEST_F(AttachTest, ApiAttachReturnsOnADetachRequest) {
    const auto target = start_write_loop(dir_ / "lines");
    DetachRequest detach;
    RunOptions options;
    options.detach = &detach;
    std::string answer;
    // attach() blocks this thread; the program is driven from another, once attached.
    std::jthread driver;
    options.on_start = [&](pid_t) {
        driver = std::jthread([&] {
            target->send("batch 2\n");
            answer = target->next_line().value_or("(none)");
            detach.request();
        });
    };
    const RunResult result =
        inject::attach(scenario_from_spec("write:error=EIO:when=2"), {target->pid()}, options);
    driver.join();
    EXPECT_EQ(answer, "batch: ok EIO");
    EXPECT_TRUE(result.detached);
    EXPECT_EQ(result.injection_count, 1U);
    EXPECT_EQ(result.attached, std::vector<pid_t>{target->pid()});
    EXPECT_EQ(exit_status(result), 0);
    target->send("batch 1\n");
    EXPECT_EQ(target->next_line(), "batch: ok");
}

}  // namespace
}  // namespace inject::testing
