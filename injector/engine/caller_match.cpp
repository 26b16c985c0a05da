#include "engine/caller_match.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace inject::engine {

namespace {

bool fnmatches(const std::string& pattern, const std::string& text, int flags) {
    return !text.empty() && ::fnmatch(pattern.c_str(), text.c_str(), flags) == 0;
}

// The pattern matches the whole path, or its end from just after some '/'. DWARF names files
// as the compiler was given them, absolute or relative to the build directory, so a glob
// written from the source tree ("src/notes.cpp") must not depend on either.
bool path_matches(const std::string& pattern, const std::string& path) {
    if (fnmatches(pattern, path, FNM_PATHNAME)) {
        return true;
    }
    for (std::size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        if (::fnmatch(pattern.c_str(), path.c_str() + slash + 1, FNM_PATHNAME) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool frame_matches(const glob::CallerGlob& glob, const StackFrame& frame) {
    using Kind = glob::CallerGlob::Kind;
    switch (glob.kind) {
        case Kind::function:
            return fnmatches(glob.pattern, frame.function, 0) ||
                   fnmatches(glob.pattern, frame.symbol, 0);
        case Kind::source_file:
            return path_matches(glob.pattern, frame.file);
        case Kind::source_line:
            return frame.line == glob.line && path_matches(glob.pattern, frame.file);
        case Kind::module_offset:
            return frame.offset == glob.offset && path_matches(glob.pattern, frame.module);
    }
    return false;
}

bool stack_matches(const glob::CallerGlob& glob, std::span<const StackFrame> stack) {
    return std::any_of(stack.begin(), stack.end(),
                       [&glob](const StackFrame& frame) { return frame_matches(glob, frame); });
}

}  // namespace inject::engine
