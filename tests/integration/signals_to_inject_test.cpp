// Signals sent to inject itself while the program runs: SIGTERM and SIGHUP are passed on to
// the program, and SIGINT (which a terminal sends to the program as well) does not kill inject.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using SignalsToInjectTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, SignalsToInjectTest, ::testing::ValuesIn(kAllModes), mode_name);

TEST_P(SignalsToInjectTest, SigtermAndSighupArePassedOnAndSigintDoesNotKillInject) {
    BackgroundProcess inject(
        inject_argv({"-q", "-e", "write:error=EIO:when=1000"}, {program("on_term")}));
    ASSERT_EQ(inject.next_line(), "ready");
    inject.signal(SIGHUP);
    ASSERT_EQ(inject.next_line(), "got HUP");
    // Sent to inject alone, SIGINT reaches nobody: inject must simply live on.
    inject.signal(SIGINT);
    inject.signal(SIGTERM);
    EXPECT_EQ(inject.next_line(), "got TERM");
    EXPECT_EQ(inject.wait(), 7) << "inject's status is the program's";
}

// Whether a process has ended: gone, or a zombie nobody has reaped yet.
bool has_ended(pid_t pid) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close == std::string::npos || stat.compare(close + 2, 1, "Z") == 0;
}

TEST_P(SignalsToInjectTest, SigtermGoesToTheTracedProcessesThatLiveNotToTheProgramGone) {
    // The program (sh) exits at once; the sleep it left behind is still traced, and is what
    // SIGTERM must reach: never the reaped program's PID, which may belong to someone else by
    // then.
    BackgroundProcess inject(inject_argv({"-q", "-e", "write:error=EIO:when=1000"},
                                         {"sh", "-c", "sleep 600 & echo $!; exit 0"}));
    const std::optional<std::string> line = inject.next_line();
    ASSERT_TRUE(line.has_value());
    const pid_t sleep_pid = std::stoi(*line);
    ::usleep(200'000);  // sh has exited by then
    inject.signal(SIGTERM);
    bool ended = false;
    for (int tries = 0; tries < 200 && !ended; ++tries) {
        ended = has_ended(sleep_pid);
        ::usleep(50'000);
    }
    EXPECT_TRUE(ended) << "the sleep did not get SIGTERM";
    if (!ended) {
        ::kill(sleep_pid, SIGKILL);
    }
    EXPECT_EQ(inject.wait(), 0) << "inject's status is the program's: sh exited 0";
}

}  // namespace
}  // namespace inject::testing
