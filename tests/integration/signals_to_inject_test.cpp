// Signals sent to inject itself while the program runs: SIGTERM and SIGHUP are passed on to
// the program, and SIGINT (which a terminal sends to the program as well) does not kill inject.
#include <gtest/gtest.h>
#include <signal.h>

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

}  // namespace
}  // namespace inject::testing
