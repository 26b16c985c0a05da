// GoogleTest tests that use inject::gtest::run_function, some of which must fail: the
// integration test gtest_helper_test.cpp runs them one by one and checks their verdicts, which
// a test cannot check of itself (a failure cannot be taken back).
#include <gtest/gtest.h>
#include <unistd.h>

#include "inject/gtest.hpp"
#include "inject/inject.hpp"

namespace {

int write_hello() {
    return ::write(STDOUT_FILENO, "hello\n", 6) == 6 ? 0 : 1;
}

// The line of the EXPECT below is what the parent must report: keep them together.
TEST(GtestHelper, AFailingExpectInsideTheCallableFailsTheTest) {
    const inject::RunResult result =
        inject::gtest::run_function(inject::scenario_from_spec("write:error=EIO"), [] {
            const int status = write_hello();
            EXPECT_EQ(status, 0) << "the write failed in the child";  // line 21
            return status;
        });
    EXPECT_EQ(result.exit_code, 1);
}

TEST(GtestHelper, EveryFailureIsReportedAndThePassingOnesAreNot) {
    inject::gtest::run_function(inject::Scenario{}, [] {
        EXPECT_TRUE(true);
        EXPECT_EQ(1, 2) << "first";
        ADD_FAILURE() << "second";
        return 0;
    });
}

TEST(GtestHelper, APassingCallablePasses) {
    const inject::RunResult result =
        inject::gtest::run_function(inject::scenario_from_spec("write:error=EIO:when=2"), [] {
            EXPECT_EQ(write_hello(), 0);
            return 0;
        });
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.injection_count, 0U);
}

// A failure before the call is the parent's own: the child must not report it again.
TEST(GtestHelper, AFailureOfTheParentIsNotReportedTwice) {
    ADD_FAILURE() << "the parent's own";
    inject::gtest::run_function(inject::Scenario{}, [] { return 0; });
}

// What the plain run_function does, for comparison: the child's failure is lost.
TEST(PlainRunFunction, AFailingExpectInsideTheCallableIsLost) {
    inject::run_function(inject::Scenario{}, [] {
        EXPECT_EQ(1, 2);
        return 0;
    });
}

}  // namespace
