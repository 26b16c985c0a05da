// The glob of a rule's `caller` filter, read and checked when the rule is; the engine matches
// it against the frames of a call's stack (engine/caller_match.hpp). Which frames a glob is
// about is told by its form, since a function's name never holds a '.' or a '/' and a file's
// name rarely holds "::":
//   "save_config", "notes::save*", "*::flush"   a function (fnmatch on its demangled name)
//   "notes.cpp:42", "src/*.c:7"                   a source line: a file glob, a line number
//   "notes.cpp", "src/*"                          a source file: a glob with a '.' or a '/'
//   "libfoo.so+0x1a2b", "writes+0x11b0"           an offset in a module's file (no symbols)
// A ':' between brackets ("[abi:cxx11]") or escaped ("\:") is no FILE:LINE separator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace inject::glob {

struct CallerGlob {
    enum class Kind : std::uint8_t { function, source_file, source_line, module_offset };

    Kind kind = Kind::function;
    // The function glob, the file glob (source_file, source_line) or the module glob.
    std::string pattern;
    unsigned line = 0;         // source_line
    std::uint64_t offset = 0;  // module_offset

    bool operator==(const CallerGlob&) const = default;
};

// Throws std::invalid_argument with the bare message (the reader puts the location in
// front) for a glob that could never match what it seems to say: empty, a FILE:LINE whose line
// is not a number or whose file is missing, a MODULE+0xOFFSET whose offset is too big, a
// trailing '\'.
CallerGlob parse_caller_glob(std::string_view text);

inline void check_caller_glob(std::string_view text) {
    parse_caller_glob(text);
}

}  // namespace inject::glob
