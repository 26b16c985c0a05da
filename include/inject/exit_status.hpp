// The exit statuses inject itself reports, as env(1) and timeout(1) use them; any other status
// is the traced program's own (or 128+N when signal N killed it).
#pragma once

namespace inject {

// Expectations held, or every explored failure point was survived.
inline constexpr int kExitPassed = 0;
// An expectation of a scenario failed, or exploration found a failure point not survived.
inline constexpr int kExitExpectationFailed = 1;
// --timeout was reached (without expectations), as timeout(1) reports it.
inline constexpr int kExitTimedOut = 124;
// inject itself could not run: a bad option or scenario (the program is then never started),
// or a failure of the tracer.
inline constexpr int kExitInjectFailed = 125;
// PROGRAM was found but could not be executed.
inline constexpr int kExitNotExecutable = 126;
// PROGRAM was not found.
inline constexpr int kExitNotFound = 127;
// A program killed by signal N exits with this plus N, as a shell reports it.
inline constexpr int kExitSignalBase = 128;

}  // namespace inject
