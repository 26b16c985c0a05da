// The end-of-run summary on stderr.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "inject/rule.hpp"
#include "inject/run.hpp"

namespace inject::report {

// What the tracee saw: "-1 ENOSPC (No space left on device)" or "0".
std::string describe_result(const Action& action);

// At most this many injections are listed one by one; the rest are counted.
inline constexpr std::size_t kListedInjections = 50;

// "inject: 1 fault injected, 7 syscall stops (seccomp filter)", then one line per injection.
void write_summary(std::ostream& out, const std::vector<Rule>& rules, const RunResult& result);

}  // namespace inject::report
