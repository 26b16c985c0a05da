// strace's -e inject= and -e fault= syntax, case by case from the shared table
// (tests/strace_syntax_cases.hpp): what inject makes of each spec.
#include <gtest/gtest.h>

#include <string>

#include "../strace_syntax_cases.hpp"
#include "inject/scenario.hpp"

namespace inject::testing {
namespace {

// "" when the spec is taken, else the message after "--inject SPEC: ".
std::string message_of(std::string_view spec) {
    try {
        parse_spec(spec);
    } catch (const ScenarioError& e) {
        const std::string prefix = "--inject " + std::string(spec) + ": ";
        const std::string what = e.what();
        EXPECT_TRUE(what.starts_with(prefix)) << what;
        return what.substr(prefix.size());
    }
    return "";
}

TEST(StraceSyntax, EachSpecAsTheTableSays) {
    for (const SyntaxCase& c : kSyntaxCases) {
        EXPECT_EQ(message_of(c.spec), c.inject_message) << c.spec;
    }
}

// strace's limit of 1024 bytes a poke, which a row of the table would spell out.
TEST(StraceSyntax, APokeWritesAtMost1024Bytes) {
    EXPECT_EQ(message_of("chdir:poke_enter=@arg1=" + std::string(2048, '0')), "");
    EXPECT_EQ(message_of("chdir:poke_enter=@arg1=" + std::string(2050, '0')),
              "poke_enter writes at most 1024 bytes (2048 hex digits), not 2050 hex digits");
}

}  // namespace
}  // namespace inject::testing
