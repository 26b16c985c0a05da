// strace's -e inject= and -e fault= syntax against strace itself, case by case from the shared
// table (tests/strace_syntax_cases.hpp): strace takes a spec or refuses it as the table says, and
// so does inject, with the table's one-line message, exit status 125 and the program never
// started. strace runs with -e trace=none, so that it checks the spec and injects nothing.
// strace's half is skipped when strace is not installed.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../strace_syntax_cases.hpp"
#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

class StraceSyntax : public ::testing::TestWithParam<SyntaxCase> {};

TEST_P(StraceSyntax, StraceAndInjectTakeOrRefuseItAsTheTableSays) {
    const SyntaxCase& c = GetParam();
    const std::string spec(c.spec);
    if (const auto strace = strace_binary()) {
        const auto by_strace =
            run_command({*strace, "-o", "/dev/null", "-e", "trace=none", "-e", spec, "true"});
        EXPECT_EQ(by_strace.exit_status == 0, c.strace == kStraceTakes) << describe(by_strace);
    }
    if (c.inject_message.empty()) {
        // --check: the rule may fail every call the program makes.
        const auto checked = run_command({inject_binary(), "--check", "-e", spec});
        EXPECT_EQ(checked.exit_status, 0) << describe(checked);
        return;
    }
    const TempDir dir;
    const auto by_inject =
        run_command({inject_binary(), "-q", "-e", spec, "--", "touch", dir / "started"});
    EXPECT_EQ(by_inject.exit_status, 125);
    EXPECT_EQ(by_inject.err, "--inject " + spec + ": " + std::string(c.inject_message) + "\n");
    EXPECT_FALSE(std::filesystem::exists(dir / "started")) << "the program was started";
}

std::string case_name(const ::testing::TestParamInfo<SyntaxCase>& info) {
    return "case" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Table, StraceSyntax, ::testing::ValuesIn(kSyntaxCases), case_name);

}  // namespace
}  // namespace inject::testing
