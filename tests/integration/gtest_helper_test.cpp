// inject/gtest.hpp: a failure inside inject::gtest::run_function's callable fails the calling
// test, at the line where it happened. The tests that must fail are in gtest_helper_program,
// run here one at a time.
#include <gtest/gtest.h>

#include <string>

#include "harness.hpp"

namespace inject::testing {
namespace {

CommandResult run_helper_test(const std::string& name) {
    return run_command({INJECT_GTEST_HELPER_PROGRAM, "--gtest_filter=" + name});
}

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

TEST(GtestHelper, AFailingExpectInsideTheCallableFailsTheTestAtItsLine) {
    const CommandResult r =
        run_helper_test("GtestHelper.AFailingExpectInsideTheCallableFailsTheTest");
    EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
    EXPECT_NE(
        r.out.find("gtest_helper_program.cpp:21: Failure\nFailed\nin inject::run_function's child: "
                   "Expected equality"),
        std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("the write failed in the child"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[  FAILED  ] GtestHelper.AFailingExpectInsideTheCallableFailsTheTest"),
              std::string::npos)
        << r.out;
}

TEST(GtestHelper, EveryFailureOfTheChildIsAddedOnce) {
    const CommandResult r =
        run_helper_test("GtestHelper.EveryFailureIsReportedAndThePassingOnesAreNot");
    EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
    EXPECT_EQ(count_of(r.out, "in inject::run_function's child: "), 2U) << r.out;
    EXPECT_NE(r.out.find("child: Expected equality"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("child: Failed\nsecond"), std::string::npos) << r.out;
}

TEST(GtestHelper, APassingCallablePasses) {
    const CommandResult r = run_helper_test("GtestHelper.APassingCallablePasses");
    EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
}

TEST(GtestHelper, AFailureOfTheParentIsNotReportedAgainByTheChild) {
    const CommandResult r = run_helper_test("GtestHelper.AFailureOfTheParentIsNotReportedTwice");
    EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
    EXPECT_EQ(count_of(r.out, "the parent's own"), 1U) << r.out;
    EXPECT_EQ(count_of(r.out, "in inject::run_function's child"), 0U) << r.out;
}

// Why the helper exists: with the plain run_function the same test passes.
TEST(GtestHelper, WithThePlainRunFunctionTheChildsFailureIsLost) {
    const CommandResult r =
        run_helper_test("PlainRunFunction.AFailingExpectInsideTheCallableIsLost");
    EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Failure"), std::string::npos) << "printed by the child: " << r.out;
}

}  // namespace
}  // namespace inject::testing
