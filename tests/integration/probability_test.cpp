// probability=P: which calls fail is a matter of chance, but of a seeded one. The same seed
// fails the same calls; a run without --seed says which seed it drew, and that seed repeats
// it. Every test runs in the three modes of modes.hpp.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using ProbabilityTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, ProbabilityTest, ::testing::ValuesIn(kAllModes), mode_name);

constexpr const char* kRule = "write:error=EIO:probability=0.3";
constexpr const char* kWrites = "20";

// The seed a run without --seed drew, from its "inject: seed N (repeat ...)" line; empty if
// there is none.
std::string drawn_seed(const std::string& err) {
    const std::string prefix = "inject: seed ";
    for (const std::string& line : split_lines(err)) {
        if (line.starts_with(prefix)) {
            const std::string rest = line.substr(prefix.size());
            const std::string seed = rest.substr(0, rest.find(' '));
            EXPECT_EQ(rest, seed + " (repeat this run with --seed " + seed + ")") << line;
            return seed;
        }
    }
    return "";
}

TEST_P(ProbabilityTest, TheSameSeedFailsTheSameWrites) {
    const auto first =
        inject({"-q", "--seed", "42", "-e", kRule}, {program("writes"), dir_ / "out", kWrites});
    const auto second =
        inject({"-q", "--seed", "42", "-e", kRule}, {program("writes"), dir_ / "out", kWrites});
    EXPECT_EQ(first.out, second.out);
    EXPECT_EQ(first.exit_status, second.exit_status);
    // Some writes fail and some do not (for this seed: the draws are fixed).
    EXPECT_GT(first.exit_status, 0) << describe(first);
    EXPECT_LT(first.exit_status, 20) << describe(first);
    EXPECT_EQ(count_occurrences(first.out, "EIO"), static_cast<std::size_t>(first.exit_status));
    EXPECT_EQ(first.err, "") << "a given seed is not printed";
}

TEST_P(ProbabilityTest, AnotherSeedFailsOtherWrites) {
    const auto seed42 =
        inject({"-q", "--seed", "42", "-e", kRule}, {program("writes"), dir_ / "out", kWrites});
    const auto seed43 =
        inject({"-q", "--seed", "43", "-e", kRule}, {program("writes"), dir_ / "out", kWrites});
    EXPECT_NE(seed42.out, seed43.out) << describe(seed42) << describe(seed43);
}

TEST_P(ProbabilityTest, ADrawnSeedIsPrintedAndRepeatsTheRun) {
    // Even with -q: without the seed the run could not be repeated.
    const auto drawn = inject({"-q", "-e", kRule}, {program("writes"), dir_ / "out", kWrites});
    const std::string seed = drawn_seed(drawn.err);
    ASSERT_FALSE(seed.empty()) << describe(drawn);
    const auto repeated =
        inject({"-q", "--seed", seed, "-e", kRule}, {program("writes"), dir_ / "out", kWrites});
    EXPECT_EQ(repeated.out, drawn.out);
    EXPECT_EQ(repeated.exit_status, drawn.exit_status);
    EXPECT_EQ(drawn_seed(repeated.err), "");
}

TEST_P(ProbabilityTest, NoProbabilityNoSeedLine) {
    const auto r = inject({"-e", "write:error=EIO:when=2"}, {program("writes"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.err.find("seed"), std::string::npos) << r.err;
}

TEST_P(ProbabilityTest, ProbabilityOneFailsEveryPickedWrite) {
    const auto r = inject({"-q", "-e", "write:error=EIO:when=2+2:probability=1"},
                          {program("writes"), dir_ / "out", "5"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, writes_output(5, {{2, "EIO"}, {4, "EIO"}}));
    EXPECT_NE(drawn_seed(r.err), "") << "a drawn seed is printed for any probability";
}

}  // namespace
}  // namespace inject::testing
