// Threads under a hot rule: each gets its turn. A tracer that serves whichever stop waitpid
// finds first lets the thread that stops most often starve the rest (some never got past their
// first stop, and an exec from a thread took a minute); run bare and under strace, the threads
// of tests/programs/fair_threads make calls within a few times of each other, and so must they
// under inject, in all three modes (the kernel queues notified calls in the order they came;
// the loop takes every ptrace stop already there and the oldest notified call in each round).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using FairnessTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, FairnessTest, ::testing::ValuesIn(kAllModes), mode_name);

// A rule on every write that never fires: each write stops, and nothing else changes.
const std::vector<std::string> kHotRule{"-q", "-e", "write:error=EIO:when=100000000"};

// Generous: a starved thread makes the runs hang rather than slow down.
constexpr std::chrono::seconds kFairRunTimeout{60};

struct Counts {
    int started = -1;
    int threads = -1;
    long fewest = -1;
    long most = -1;
};

Counts read_counts(const std::string& out) {
    Counts counts;
    const std::size_t at = out.find("started ");
    if (at != std::string::npos) {
        std::sscanf(out.c_str() + at, "started %d of %d\ncalls %ld %ld", &counts.started,
                    &counts.threads, &counts.fewest, &counts.most);
    }
    return counts;
}

// Every thread got past its first stop, and the busiest made at most 10 times the calls of
// the least busy (bare and under strace: within 2 times here).
void expect_fair(const CommandResult& r, int threads) {
    const Counts counts = read_counts(r.out);
    EXPECT_EQ(counts.started, threads) << describe(r);
    EXPECT_EQ(counts.threads, threads) << describe(r);
    ASSERT_GT(counts.fewest, 0) << describe(r);
    EXPECT_LE(counts.most, 10 * counts.fewest) << describe(r);
}

TEST_P(FairnessTest, TenThreadsOnAHotRuleEachMakeTheirShareOfCalls) {
    const auto r = run_command(inject_argv(kHotRule, {program("fair_threads"), "10", "1000"}),
                               kFairRunTimeout);
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    expect_fair(r, 10);
}

TEST_P(FairnessTest, AHundredThreadsAllGetPastTheirFirstStop) {
    const auto r = run_command(inject_argv(kHotRule, {program("fair_threads"), "100", "1000"}),
                               kFairRunTimeout);
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    expect_fair(r, 100);
}

TEST_P(FairnessTest, AThreadGetsItsTurnsAndExecsWhileEightOthersWrite) {
    // The execing thread is the oldest, so the newest-first order of the kernel's tracee list
    // does not favour it: it must be served in turn for its 1000 writes, then its exec must
    // end the writers, however busy.
    const auto r = run_command(
        inject_argv(kHotRule, {program("fair_threads"), "8", "300", "exec", "/bin/echo", "done"}),
        kFairRunTimeout);
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_TRUE(r.out.ends_with("done\n")) << describe(r);
    expect_fair(r, 8);
}

}  // namespace
}  // namespace inject::testing
