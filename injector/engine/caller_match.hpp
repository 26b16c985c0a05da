// A rule's `caller` filter, decided on a call's stack: the call passes when some frame is what
// the glob names (see scenario/caller_glob.hpp for the forms). Pure: the unit tests feed it
// hand-made frames.
#pragma once

#include <span>

#include "engine/caller_glob.hpp"
#include "inject/stack.hpp"

namespace inject::engine {

// Whether one frame is what the glob names:
// - a function: fnmatch(3) without flags (so '*' spans "::") on the frame's function, as
//   callers write it ("notes::Store<int>::flush"), or on its whole symbol
//   ("notes::Store<int>::flush(int) [clone .isra.0]");
// - a source file: the glob matches the frame's file, or the end of its path from a '/' on
//   ("notes.cpp" and "src/*.cpp" match "/home/u/src/notes.cpp"), '*' not spanning a '/';
// - a source line: the same, and the frame's line is the glob's;
// - a module offset: the frame's offset in its module's file is the glob's, and the module's
//   path matches as a source file's does ("libfoo.so", "lib/libfoo.so.*").
bool frame_matches(const glob::CallerGlob& glob, const StackFrame& frame);

// Whether some frame of the stack matches: the whole stack counts, not only the frames
// outside the C library.
bool stack_matches(const glob::CallerGlob& glob, std::span<const StackFrame> stack);

}  // namespace inject::engine
