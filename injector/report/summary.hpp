// The end-of-run summary on stderr.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "inject/rule.hpp"
#include "inject/run.hpp"

namespace inject::report {

// What the tracee saw: "-1 ENOSPC (No space left on device)" or "0"; "ran" for a call that
// ran as made (RunCall).
std::string describe_result(const Action& action);

// An injection's fate with its waits: "delayed 300ms, then ran", "-1 EIO (Input/output
// error), held back 200ms".
std::string describe_injection(const Injection& injection);

// The changes a power cut undid, a line each ("PREFIXundone: ..."), the first `listed` of
// them, then "PREFIX... and N more": for the summary of a run and of an exploration.
void write_undone_changes(std::ostream& out, const PowerCut& cut, std::string_view prefix,
                          std::size_t listed);

// At most this many injections are listed one by one; the rest are counted.
inline constexpr std::size_t kListedInjections = 50;

// The argument as a POSIX shell (dash too) reads it back, on a line a terminal shows as it is:
// as is when it holds only safe characters, else in single quotes ('\'' for a quote inside);
// one holding a newline, a control character or a byte that is not UTF-8 as
// "$(printf 'a\033b')", with the newlines at its very end (which a command substitution would
// drop) raw in quotes after it.
std::string shell_quote(const std::string& argument);

// "inject -e SPEC... -- PROGRAM ARGS...": each rule that fired, in rule order, with `when`
// pinned to the calls it fired on and no probability, so the same faults fire without a seed
// (rules count their calls independently of each other, so splitting one rule into several
// pinned ones numbers the calls the same). Calls are "N", "N..M", or "N..M+STEP" when all of
// them are evenly spaced; scattered ones take one -e per run of consecutive calls.
// Empty when nothing was injected; "not shown (...)" when not every injection was recorded,
// or after attaching to running processes.
std::string replay_line(const std::vector<Rule>& rules, const RunResult& result,
                        const std::vector<std::string>& command);

// "inject: 1 fault injected, 7 syscall stops (seccomp filter)", then one line per injection,
// then, after a detach, a line saying so, and, when a fault fired, "inject: replay: " and the
// replay_line.
void write_summary(std::ostream& out, const std::vector<Rule>& rules, const RunResult& result,
                   const std::vector<std::string>& command);

}  // namespace inject::report
