#include "explore/verdict.hpp"

#include "syscalls/signals.hpp"

namespace inject::exploration {

Judgement judge(const RunFacts& facts) {
    if (facts.timed_out) {
        return {ExploreVerdict::hung, "still running at the timeout"};
    }
    if (facts.injected == 0) {
        return {ExploreVerdict::not_reached, "the pinned call never came"};
    }
    if (facts.signal && facts.signal != facts.sent_signal) {
        return {ExploreVerdict::crashed, "killed by " + signal_name(*facts.signal)};
    }
    if (!facts.expect_failures.empty()) {
        return {ExploreVerdict::expect_failed, facts.expect_failures.front()};
    }
    if (facts.after_status && *facts.after_status != 0) {
        return {ExploreVerdict::after_failed,
                "--after exited " + std::to_string(*facts.after_status)};
    }
    return {};
}

}  // namespace inject::exploration

namespace inject {

std::string_view verdict_name(ExploreVerdict verdict) {
    switch (verdict) {
        case ExploreVerdict::crashed:
            return "crashed";
        case ExploreVerdict::hung:
            return "hung";
        case ExploreVerdict::expect_failed:
            return "expect failed";
        case ExploreVerdict::after_failed:
            return "after failed";
        case ExploreVerdict::not_reached:
            return "not reached";
        case ExploreVerdict::survived:
            return "survived";
    }
    return "survived";
}

}  // namespace inject
