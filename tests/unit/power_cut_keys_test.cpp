// lose_unsynced and mode: the same rule from a spec and from a TOML table, the round trip
// through to_spec, and the faults they are refused on.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "inject/scenario.hpp"
#include "scenario_error.hpp"

namespace inject {
namespace {

using testing::error_of;
using testing::spec_error_of;

TEST(PowerCutKeys, ASpecMakesACrashPointAPowerCut) {
    const Rule rule = parse_spec("rename:signal=SIGKILL:lose_unsynced=true");
    EXPECT_EQ(rule.effect.signal, SIGKILL);
    EXPECT_EQ(rule.effect.lose_unsynced, UnsyncedLoss::all);
    EXPECT_EQ(to_spec(rule), "rename:signal=SIGKILL:lose_unsynced=true");
}

TEST(PowerCutKeys, PrefixModeRoundTrips) {
    const Rule rule = parse_spec("write:signal=SIGKILL:lose_unsynced=true:mode=prefix:when=3");
    EXPECT_EQ(rule.effect.lose_unsynced, UnsyncedLoss::prefix);
    EXPECT_EQ(parse_spec(to_spec(rule)).effect, rule.effect);
}

TEST(PowerCutKeys, FalseIsNoPowerCutAndStrictIsTheDefault) {
    EXPECT_FALSE(parse_spec("write:signal=SIGKILL:lose_unsynced=false").effect.lose_unsynced);
    EXPECT_EQ(
        parse_spec("write:signal=SIGKILL:lose_unsynced=true:mode=strict").effect.lose_unsynced,
        UnsyncedLoss::all);
}

TEST(PowerCutKeys, ATomlTableGivesTheSameRule) {
    const Scenario scenario = parse_scenario(
        "[[fault]]\nsyscall = \"write\"\nsignal = \"SIGKILL\"\nlose_unsynced = true\n"
        "mode = \"prefix\"\n",
        "cut.toml");
    ASSERT_EQ(scenario.rules.size(), 1U);
    EXPECT_EQ(scenario.rules[0].effect,
              parse_spec("write:signal=SIGKILL:lose_unsynced=true:mode=prefix").effect);
}

TEST(PowerCutKeys, OnlyASigkillCrashPointCanBeAPowerCut) {
    for (const char* spec :
         {"write:error=EIO:lose_unsynced=true", "write:signal=SIGTERM:lose_unsynced=true",
          "write:short=1:signal=SIGKILL:lose_unsynced=true",
          "write:retval=0:signal=SIGKILL:lose_unsynced=true"}) {
        EXPECT_NE(spec_error_of(spec).find("lose_unsynced makes a crash point a power cut: give "
                                           "signal = SIGKILL"),
                  std::string::npos)
            << spec;
    }
}

TEST(PowerCutKeys, MistakesAreNamed) {
    EXPECT_NE(spec_error_of("write:signal=SIGKILL:mode=prefix").find("needs lose_unsynced = true"),
              std::string::npos);
    EXPECT_NE(spec_error_of("write:signal=SIGKILL:lose_unsynced=ture")
                  .find("\"lose_unsynced\" is true or false, not \"ture\" (did you mean "
                        "\"true\"?)"),
              std::string::npos);
    EXPECT_NE(spec_error_of("write:signal=SIGKILL:lose_unsynced=true:mode=prefx")
                  .find("unknown mode \"prefx\" (did you mean \"prefix\"?)"),
              std::string::npos);
    EXPECT_NE(error_of("[[fault]]\nsyscall = \"write\"\nsignal = \"SIGKILL\"\n"
                       "lose_unsynced = \"yes\"\n")
                  .find("s.toml:4:"),
              std::string::npos);
    EXPECT_NE(error_of("[[fault]]\nsyscall = \"write\"\nsignal = \"SIGKILL\"\n"
                       "lose_unsynced = \"yes\"\n")
                  .find("true or false"),
              std::string::npos);
}

}  // namespace
}  // namespace inject
