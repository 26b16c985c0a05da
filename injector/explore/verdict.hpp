// The verdict of one run of an exploration, from how it ended. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inject/explore.hpp"

namespace inject::exploration {

struct RunFacts {
    bool timed_out = false;
    std::uint64_t injected = 0;  // the pinned rule's injections: 0 or 1
    std::optional<int> exit_code;
    std::optional<int> signal;
    std::optional<int> sent_signal;            // the signal the rule itself sends (a crash point)
    std::vector<std::string> expect_failures;  // the [expect] lines that did not hold
    std::optional<int> after_status;           // the --after command's, when it ran
};

struct Judgement {
    ExploreVerdict verdict = ExploreVerdict::survived;
    std::string detail;
};

// Hung first (inject ended it: nothing else it did counts), then not reached (the fault never
// happened, so nothing after it is the fault's doing), crashed (a signal other than the one
// the rule sends), the expectations, the --after command; survived otherwise. A program that
// reports the failure and exits non-zero survived it: handling an error is not a bug.
Judgement judge(const RunFacts& facts);

}  // namespace inject::exploration
