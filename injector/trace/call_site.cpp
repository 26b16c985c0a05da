#include "trace/call_site.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "syscalls/text.hpp"

namespace inject::trace {

namespace {

using text::hex;

bool is_identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// GCC's and the demangler's suffixes for copies of a function it specialised or split: they
// name the same source function.
std::string_view without_clone_suffixes(std::string_view symbol) {
    constexpr std::string_view kClone = " [clone ";
    while (symbol.ends_with(']')) {
        const std::size_t clone = symbol.rfind(kClone);
        if (clone == std::string_view::npos) {
            break;
        }
        symbol = symbol.substr(0, clone);
    }
    return symbol;
}

// The position after the group that opens at `open` ("(...)", "<...>", "[...]", "{...}"),
// counting every kind of bracket as one depth; the end of `text` when it is not closed.
std::size_t after_group(std::string_view text, std::size_t open) {
    int depth = 0;
    for (std::size_t at = open; at < text.size(); ++at) {
        const char c = text[at];
        if (c == '(' || c == '<' || c == '[' || c == '{') {
            ++depth;
        } else if ((c == ')' || c == '>' || c == ']' || c == '}') && --depth == 0) {
            return at + 1;
        }
    }
    return text.size();
}

bool operator_keyword_at(std::string_view text, std::size_t at) {
    constexpr std::string_view kOperator = "operator";
    return text.substr(at).starts_with(kOperator) &&
           (at == 0 || text[at - 1] == ':' || text[at - 1] == ' ') &&
           (at + kOperator.size() == text.size() ||
            !is_identifier_char(text[at + kOperator.size()]));
}

// The end of an operator's name starting at `at` ("operator()", "operator<<=", "operator new[]",
// "operator std::vector<int> const*"): its symbols, or for a word (new, delete, a conversion's
// type) everything up to the parameter list.
std::size_t after_operator(std::string_view text, std::size_t at) {
    std::size_t end = at + std::string_view("operator").size();
    if (text.substr(end).starts_with("()") || text.substr(end).starts_with("[]")) {
        return end + 2;
    }
    if (end < text.size() && (text[end] == ' ' || text[end] == '"')) {
        while (end < text.size() && text[end] != '(') {
            end = text[end] == '<' ? after_group(text, end) : end + 1;
        }
        return end;
    }
    constexpr std::string_view kSymbols = "+-*/%^&|~!=<>,";
    while (end < text.size() && kSymbols.find(text[end]) != std::string_view::npos) {
        ++end;
    }
    // "operator< <int>": the demangler's space before a template's arguments.
    if (text.substr(end).starts_with(" <")) {
        ++end;
    }
    return end;
}

void erase_abi_tags(std::string& name) {
    constexpr std::string_view kTag = "[abi:";
    for (std::size_t tag = name.find(kTag); tag != std::string::npos; tag = name.find(kTag, tag)) {
        const std::size_t close = name.find(']', tag);
        name.erase(tag, close == std::string::npos ? std::string::npos : close + 1 - tag);
    }
}

// A demangled C++ function: the scopes and name, after any return type and before the
// parameter list. A parameter list followed by "::" is an enclosing function's (a lambda's or
// a local class's scope) and is left out, the scope kept.
std::string cxx_function_name(std::string_view symbol) {
    constexpr std::string_view kAnonymous = "(anonymous namespace)";
    std::string name;
    for (std::size_t at = 0; at < symbol.size();) {
        const char c = symbol[at];
        std::size_t next = at + 1;
        if (symbol.substr(at).starts_with(kAnonymous)) {
            next = at + kAnonymous.size();
        } else if (operator_keyword_at(symbol, at)) {
            next = after_operator(symbol, at);
        } else if (c == '(') {
            next = after_group(symbol, at);
            if (!symbol.substr(next).starts_with("::")) {
                break;  // the parameter list
            }
            at = next;
            continue;  // an enclosing function's parameters
        } else if (c == ' ') {
            name.clear();  // what came before was the return type
            at = next;
            continue;
        } else if (c == '<' || c == '[' || c == '{') {
            next = after_group(symbol, at);
        }
        name.append(symbol.substr(at, next - at));
        at = next;
    }
    erase_abi_tags(name);
    return name;
}

constexpr std::array<std::string_view, 7> kCLibraryFilePrefixes{
    "libc.so", "libc.musl", "ld-linux", "ld-musl", "libpthread.so", "librt.so", "libdl.so"};

// Names the C standard reserves to the implementation everywhere: "__x" and "_X".
bool reserved_name(std::string_view function) {
    return function.size() >= 2 && function[0] == '_' &&
           (function[1] == '_' || std::isupper(static_cast<unsigned char>(function[1])) != 0);
}

}  // namespace

std::string_view base_name(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string function_name_of(std::string_view demangled_symbol) {
    const std::string_view symbol = without_clone_suffixes(demangled_symbol);
    if (symbol.find('(') == std::string_view::npos) {
        // A C name: anything from a '.' (GCC's "save.constprop.0", "main.cold") or a '@' (a
        // symbol version, "__libc_start_main@@GLIBC_2.34") on is not part of it.
        return std::string(symbol.substr(0, symbol.find_first_of(".@")));
    }
    std::string name = cxx_function_name(symbol);
    return name.empty() ? std::string(symbol) : name;
}

bool is_c_library_module(std::string_view module_path) {
    if (module_path.starts_with("[vdso")) {
        return true;
    }
    const std::string_view file = base_name(module_path);
    return std::any_of(kCLibraryFilePrefixes.begin(), kCLibraryFilePrefixes.end(),
                       [file](std::string_view prefix) { return file.starts_with(prefix); });
}

bool in_c_library(std::string_view module_path, const ModuleTraits& module,
                  std::string_view function, bool has_line) {
    if (module_path.empty()) {
        return false;  // code generated at run time is the program's
    }
    if (module.static_program) {
        return module.has_line_info ? !has_line : reserved_name(function);
    }
    return is_c_library_module(module_path);
}

CallSite call_site_of(std::span<const StackFrame> stack) {
    CallSite site;
    site.frames.reserve(stack.size());
    for (const StackFrame& frame : stack) {
        site.frames.push_back(
            {frame.build_id.empty() ? frame.module : frame.build_id, frame.offset});
    }
    return site;
}

std::string to_string(const CallSite& site) {
    std::string text;
    for (const SiteFrame& frame : site.frames) {
        if (!text.empty()) {
            text += ' ';
        }
        text += frame.module + "+" + hex(frame.offset);
    }
    return text;
}

std::size_t CallSiteHash::operator()(const CallSite& site) const noexcept {
    std::size_t hash = site.frames.size();
    for (const SiteFrame& frame : site.frames) {
        // boost::hash_combine's mixing.
        for (const std::size_t part :
             {std::hash<std::string>{}(frame.module), std::hash<std::uint64_t>{}(frame.offset)}) {
            hash ^= part + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
        }
    }
    return hash;
}

const StackFrame& naming_frame(std::span<const StackFrame> stack) {
    const auto outside = std::find_if(stack.begin(), stack.end(),
                                      [](const StackFrame& frame) { return !frame.in_c_library; });
    return outside != stack.end() ? *outside : stack.front();
}

std::string frame_name(const StackFrame& frame) {
    if (frame.function.empty()) {
        return frame.module.empty()
                   ? hex(frame.address)
                   : std::string(base_name(frame.module)) + "+" + hex(frame.offset);
    }
    if (frame.file.empty()) {
        return frame.function;
    }
    return frame.function + " (" + std::string(base_name(frame.file)) + ":" +
           std::to_string(frame.line) + ")";
}

std::string site_name(std::span<const StackFrame> stack) {
    return stack.empty() ? std::string() : frame_name(naming_frame(stack));
}

}  // namespace inject::trace
