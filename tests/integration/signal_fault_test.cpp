// signal=SIG: the signal goes to the thread making the call, at that call. Alone, as under
// strace, the call runs; SIGKILL, which ends a traced thread at once, ends it before the call
// did anything: a crash point. With an error the call does not run.
// Every test runs with the seccomp filter and with --no-seccomp.

#include <gtest/gtest.h>

#include <string>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using SignalFaultTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, SignalFaultTest,
                         ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp), mode_name);

TEST_P(SignalFaultTest, SigkillAtTheThirdWriteIsACrashPointBeforeIt) {
    const auto r =
        inject({"-e", "write:signal=SIGKILL:when=3"}, {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 128 + 9) << describe(r);
    EXPECT_EQ(r.out, "write 1: ok 7\nwrite 2: ok 7\n") << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), "line 1\nline 2\n") << "write 3 never ran";

    const Summary summary = parse_summary(r.err);
    ASSERT_TRUE(summary.found) << r.err;
    ASSERT_EQ(summary.events.size(), 1u) << r.err;
    EXPECT_EQ(summary.events[0],
              "write call 3 -> killed by SIGKILL before it ran  "
              "[rule 1: write:signal=SIGKILL:when=3]");
}

TEST_P(SignalFaultTest, ASignalAloneLetsTheCallRunFirst) {
    // SIGUSR1 is delivered as write 2 returns: the line is in the file, the program dies
    // before it reports the write.
    const auto r =
        inject({"-e", "write:signal=SIGUSR1:when=2"}, {program("writes"), dir_ / "out", "4"});
    EXPECT_EQ(r.exit_status, 128 + 10) << describe(r);
    EXPECT_EQ(r.out, "write 1: ok 7\n") << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), "line 1\nline 2\n") << "write 2 ran";
    const Summary summary = parse_summary(r.err);
    ASSERT_EQ(summary.events.size(), 1u) << r.err;
    EXPECT_EQ(summary.events[0],
              "write call 2 -> ran + SIGUSR1  [rule 1: write:signal=SIGUSR1:when=2]");
}

TEST_P(SignalFaultTest, AnUncaughtSignalWithAnErrorKillsTheProgramAtTheCall) {
    // writes does not handle SIGUSR1, whose default action ends the process.
    const auto r = inject({"-q", "-e", "write:error=EIO:signal=SIGUSR1:when=2"},
                          {program("writes"), dir_ / "out", "4"});
    EXPECT_EQ(r.exit_status, 128 + 10) << describe(r);
    EXPECT_EQ(r.out, "write 1: ok 7\n") << describe(r);
    EXPECT_EQ(read_file(dir_ / "out"), "line 1\n") << "write 2 never ran";
}

}  // namespace
}  // namespace inject::testing
