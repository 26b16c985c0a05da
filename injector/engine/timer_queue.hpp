// The threads held stopped for a delay, soonest due first. Pure: the engine reads the clock
// and asks what is due, so GoogleTest covers the ordering without time passing.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <set>

namespace inject::engine {

class TimerQueue {
  public:
    using Clock = std::chrono::steady_clock;

    struct Timer {
        Clock::time_point due;
        // In the order they were set: of two timers due at once, the first set goes first.
        std::uint64_t ticket = 0;
        pid_t tid = 0;
        auto operator<=>(const Timer&) const = default;
    };

    Timer add(Clock::time_point due, pid_t tid) {
        const Timer timer{due, next_ticket_++, tid};
        timers_.insert(timer);
        return timer;
    }

    // A timer whose thread will not go on (it died, or an exec replaced it) leaves at once,
    // rather than being skipped when due: the loop waits with a deadline only while a live
    // thread waits. This is why the queue is an ordered set, not a heap.
    void cancel(const Timer& timer) { timers_.erase(timer); }

    bool empty() const noexcept { return timers_.empty(); }
    std::size_t size() const noexcept { return timers_.size(); }

    std::optional<Clock::time_point> next_due() const {
        if (timers_.empty()) {
            return std::nullopt;
        }
        return timers_.begin()->due;
    }

    // The soonest timer if it is due at `now`, taken out of the queue.
    std::optional<Timer> pop_due(Clock::time_point now) {
        if (timers_.empty() || timers_.begin()->due > now) {
            return std::nullopt;
        }
        const Timer timer = *timers_.begin();
        timers_.erase(timers_.begin());
        return timer;
    }

  private:
    std::set<Timer> timers_;
    std::uint64_t next_ticket_ = 1;
};

}  // namespace inject::engine
