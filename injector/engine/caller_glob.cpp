#include "engine/caller_glob.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <stdexcept>

#include "syscalls/text.hpp"

namespace inject::glob {

namespace {

using text::quoted;

// Messages are bare; the scenario reader puts the location in front.
[[noreturn]] void fail(std::string message) {
    throw std::invalid_argument(std::move(message));
}

constexpr std::string_view kForms =
    "a function (\"save_config\", \"notes::save*\"), a source location (\"notes.cpp:42\", "
    "\"notes.cpp\") or an offset in a module (\"libfoo.so+0x1a2b\")";

// The last ':' that is neither escaped, nor half of a C++ scope's "::", nor between brackets,
// escaped or not (demangled names hold "[abi:cxx11]"); npos when there is none.
std::size_t lone_colon(std::string_view text) {
    std::size_t found = std::string_view::npos;
    bool in_brackets = false;
    for (std::size_t at = 0; at < text.size(); ++at) {
        const char c = text[at];
        if (c == '\\' && at + 1 < text.size() && text[at + 1] != '[' && text[at + 1] != ']') {
            ++at;
        } else if (in_brackets) {
            in_brackets = c != ']';
        } else if (c == '[') {
            in_brackets = true;
        } else if (c == ':' && at + 1 < text.size() && text[at + 1] == ':') {
            ++at;
        } else if (c == ':') {
            found = at;
        }
    }
    return found;
}

bool all_of_class(std::string_view text, int (*in_class)(int)) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [in_class](char c) {
        return in_class(static_cast<unsigned char>(c)) != 0;
    });
}

template <typename Number>
bool read_number(std::string_view digits, int base, Number& value) {
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    return error == std::errc{} && end == digits.data() + digits.size();
}

CallerGlob source_line(std::string_view text, std::size_t colon) {
    constexpr std::string_view kExample = " (write FILE:LINE as \"notes.cpp:42\"";
    const std::string_view file = text.substr(0, colon);
    const std::string_view line = text.substr(colon + 1);
    if (file.empty()) {
        fail("caller " + quoted(text) + " has no file before " + quoted(text.substr(colon)) +
             std::string(kExample) + ")");
    }
    if (!all_of_class(line, std::isdigit)) {
        fail("caller " + quoted(text) + ": line " + quoted(line) + " is not a number" +
             std::string(kExample) + ", and C++ scopes with \"::\")");
    }
    CallerGlob glob{CallerGlob::Kind::source_line, std::string(file)};
    if (!read_number(line, 10, glob.line) || glob.line == 0) {
        fail("caller " + quoted(text) + ": line " + quoted(line) +
             " is no line of a file (lines are numbered from 1)");
    }
    return glob;
}

// "MODULE+0xHEX": whether the text has that form, and then the glob in `glob`.
bool module_offset(std::string_view text, CallerGlob& glob) {
    const std::size_t at = text.rfind("+0");
    if (at == std::string_view::npos || at + 2 >= text.size() ||
        (text[at + 2] != 'x' && text[at + 2] != 'X') ||
        !all_of_class(text.substr(at + 3), std::isxdigit)) {
        return false;
    }
    if (at == 0) {
        fail("caller " + quoted(text) +
             " names no module before the offset (write it as "
             "\"libfoo.so+0x1a2b\")");
    }
    glob = {CallerGlob::Kind::module_offset, std::string(text.substr(0, at))};
    if (!read_number(text.substr(at + 3), 16, glob.offset)) {
        fail("caller " + quoted(text) + ": the offset is larger than any file");
    }
    return true;
}

bool ends_with_lone_backslash(std::string_view text) {
    const auto last_other = text.find_last_not_of('\\');
    const std::size_t backslashes =
        last_other == std::string_view::npos ? text.size() : text.size() - last_other - 1;
    return backslashes % 2 == 1;
}

}  // namespace

CallerGlob parse_caller_glob(std::string_view text) {
    if (text.empty()) {
        fail("caller is empty: give " + std::string(kForms));
    }
    if (text.find('\0') != std::string_view::npos) {
        // As a path's: a name is matched up to its first NUL.
        fail("caller " + quoted(text) +
             " holds a NUL byte, which no function or file name can hold");
    }
    if (ends_with_lone_backslash(text)) {
        fail("caller " + quoted(text) +
             " ends with '\\', which escapes nothing (write \"\\\\\" for a '\\')");
    }
    if (CallerGlob glob; module_offset(text, glob)) {
        return glob;
    }
    if (const std::size_t colon = lone_colon(text); colon != std::string_view::npos) {
        return source_line(text, colon);
    }
    // A function's name never holds a '.' (GCC's clone suffixes are matched without one) or a
    // '/'; a source file's name has an extension or a directory.
    const bool file = text.find_first_of("./") != std::string_view::npos;
    return {file ? CallerGlob::Kind::source_file : CallerGlob::Kind::function, std::string(text)};
}

}  // namespace inject::glob
