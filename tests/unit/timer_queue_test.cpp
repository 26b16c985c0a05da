// The queue of held threads: soonest first, first come first served at equal deadlines, and
// a cancelled timer gone at once.
#include "engine/timer_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace inject::engine {
namespace {

using std::chrono::milliseconds;
using TimePoint = TimerQueue::Clock::time_point;

constexpr TimePoint kStart = TimePoint(std::chrono::hours(1));

TEST(TimerQueue, EmptyHasNothingDue) {
    TimerQueue queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_FALSE(queue.next_due().has_value());
    EXPECT_FALSE(queue.pop_due(kStart).has_value());
}

TEST(TimerQueue, SoonestFirstWhateverTheOrderOfArrival) {
    TimerQueue queue;
    queue.add(kStart + milliseconds(300), 1);
    queue.add(kStart + milliseconds(100), 2);
    queue.add(kStart + milliseconds(200), 3);
    EXPECT_EQ(queue.next_due(), kStart + milliseconds(100));
    EXPECT_FALSE(queue.pop_due(kStart + milliseconds(99)).has_value());
    EXPECT_EQ(queue.size(), 3U);

    const auto first = queue.pop_due(kStart + milliseconds(250));
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->tid, 2);
    const auto second = queue.pop_due(kStart + milliseconds(250));
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->tid, 3);
    EXPECT_FALSE(queue.pop_due(kStart + milliseconds(250)).has_value());
    EXPECT_EQ(queue.next_due(), kStart + milliseconds(300));
}

TEST(TimerQueue, EqualDeadlinesGoInTheOrderTheyWereSet) {
    TimerQueue queue;
    for (pid_t tid : {30, 10, 20}) {
        queue.add(kStart, tid);
    }
    for (pid_t tid : {30, 10, 20}) {
        const auto timer = queue.pop_due(kStart);
        ASSERT_TRUE(timer.has_value());
        EXPECT_EQ(timer->tid, tid);
    }
}

TEST(TimerQueue, ACancelledTimerLeavesAtOnce) {
    TimerQueue queue;
    const TimerQueue::Timer soon = queue.add(kStart + milliseconds(10), 1);
    queue.add(kStart + milliseconds(20), 2);
    queue.cancel(soon);
    EXPECT_EQ(queue.next_due(), kStart + milliseconds(20));
    const auto timer = queue.pop_due(kStart + milliseconds(20));
    ASSERT_TRUE(timer.has_value());
    EXPECT_EQ(timer->tid, 2);
    EXPECT_TRUE(queue.empty());
    queue.cancel(soon);  // twice, or after it fired: nothing
    EXPECT_TRUE(queue.empty());
}

TEST(TimerQueue, TheSameThreadAgainIsAnotherTimer) {
    TimerQueue queue;
    const TimerQueue::Timer first = queue.add(kStart, 7);
    const TimerQueue::Timer second = queue.add(kStart, 7);
    EXPECT_NE(first, second);
    queue.cancel(first);
    EXPECT_EQ(queue.size(), 1U);
}

}  // namespace
}  // namespace inject::engine
