// Which way each picked syscall reaches inject: a notification where every rule naming it can
// be served by one, a ptrace stop otherwise.
#include "engine/filter_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "inject/scenario.hpp"

namespace inject::engine {
namespace {

using Names = std::vector<std::string>;

FilterPlan plan(const std::vector<std::string>& specs, const Names& also_seen = {},
                bool notify = true) {
    std::vector<Rule> rules;
    for (const std::string& spec : specs) {
        rules.push_back(parse_spec(spec));
    }
    return plan_filter(rules, also_seen, notify);
}

bool has(const Names& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(FilterPlan, WhatANotificationCanDoIsNotified) {
    for (const std::string spec :
         {"write:error=ENOSPC", "write:retval=0", "write:error=EIO:when=3+2:per=thread",
          "write:signal=SIGKILL", "write:error=EIO:signal=SIGUSR1", "write:error=EIO:path=/tmp/*",
          "write:error=EIO:fd=3", "write:error=EIO:process=app",
          "write:error=EIO:probability=0.5"}) {
        SCOPED_TRACE(spec);
        const FilterPlan result = plan({spec});
        EXPECT_EQ(result.notified, Names{"write"});
        EXPECT_TRUE(result.traced.empty());
    }
}

// A close error still closes the fd, a failed brk returns the unchanged break: both run, as a
// call with run=true does, and so need the exit stop. run=false lets a close be answered.
TEST(FilterPlan, CallsThatRunBeforeTheirResultIsReplacedAreTraced) {
    EXPECT_EQ(plan({"close:error=EIO"}).traced, Names{"close"});
    EXPECT_EQ(plan({"brk:error=ENOMEM"}).traced, Names{"brk"});
    EXPECT_EQ(plan({"write:error=EIO:run=true"}).traced, Names{"write"});
    EXPECT_EQ(plan({"close:error=EIO:run=false"}).notified, Names{"close"});
    EXPECT_EQ(plan({"brk:retval=0"}).notified, Names{"brk"});
}

TEST(FilterPlan, WhatNeedsTheThreadStoppedIsTraced) {
    for (const std::string spec :
         {"write:short=10", "write:delay=10ms", "write:error=EIO:delay=1s", "write:delay_exit=10ms",
          "write:error=EIO:delay_exit=1ms", "write:poke_enter=@arg2=00",
          "write:error=EIO:poke_exit=@arg2=0a0b", "write:error=EIO:syscall=getpid",
          "write:error=EIO:caller=main", "write:error=EIO:path=/tmp/*:caller=save*"}) {
        SCOPED_TRACE(spec);
        const FilterPlan result = plan({spec});
        EXPECT_EQ(result.traced, Names{"write"});
        EXPECT_TRUE(result.notified.empty());
    }
}

TEST(FilterPlan, ASyscallsPathIsChosenFromEveryRuleThatNamesIt) {
    const FilterPlan result =
        plan({"write,fsync:error=EIO", "read,write:short=1", "openat:error=ENOENT"});
    EXPECT_EQ(result.traced, (Names{"write", "read"}));
    EXPECT_EQ(result.notified, (Names{"fsync", "openat"}));
}

TEST(FilterPlan, AClassIsItsMembersAndShortPicksOnlyThoseWithACount) {
    // short on %desc picks only the calls with a byte count: fsync, which has none, is not one
    // of its calls and may be notified for the other rule.
    const FilterPlan result = plan({"%desc:short=1", "fsync:error=EIO"});
    EXPECT_TRUE(has(result.traced, "write"));
    EXPECT_TRUE(has(result.traced, "read"));
    EXPECT_FALSE(has(result.traced, "fsync"));
    EXPECT_TRUE(has(result.notified, "fsync"));
}

TEST(FilterPlan, CallsSeenForTheEngineFollowTheRulesThatNameThem) {
    const FilterPlan result =
        plan({"write:error=EIO:path=/tmp/*", "read:delay_exit=1ms"}, {"close", "read", "write"});
    EXPECT_EQ(result.notified, (Names{"write", "close"}));
    EXPECT_EQ(result.traced, Names{"read"});
}

TEST(FilterPlan, WithoutNotificationsEverythingIsTraced) {
    const FilterPlan result = plan({"write:error=EIO", "read:short=1"}, {"close"}, false);
    EXPECT_EQ(result.traced, (Names{"write", "read", "close"}));
    EXPECT_TRUE(result.notified.empty());
}

}  // namespace
}  // namespace inject::engine
