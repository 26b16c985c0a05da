#include "engine/glob.hpp"

#include <fnmatch.h>

#include <optional>
#include <stdexcept>

#include "syscalls/text.hpp"

namespace inject::glob {

namespace {

constexpr std::string_view kAnyDepth = "**";

using text::quoted;

// Messages are bare; the scenario reader puts the location in front.
[[noreturn]] void fail(std::string message) {
    throw std::invalid_argument(std::move(message));
}

std::vector<std::string_view> components_of(std::string_view path) {
    std::vector<std::string_view> components;
    while (!path.empty()) {
        const std::size_t slash = path.find('/');
        const std::string_view component = path.substr(0, slash);
        if (!component.empty()) {
            components.push_back(component);
        }
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return components;
}

// fnmatch reads an unclosed '[' and a trailing '\' as literal characters; in a rule they are
// far more likely a typo than a file name, and a filter that silently matches nothing is the
// worst outcome, so they are refused with what to write instead.
void check_syntax(std::string_view key, std::string_view glob) {
    for (std::size_t at = 0; at < glob.size(); ++at) {
        if (glob[at] == '\\') {
            if (at + 1 == glob.size()) {
                fail(std::string(key) + " " + quoted(glob) +
                     " ends with '\\', which escapes nothing (write \"\\\\\" for a '\\')");
            }
            ++at;
            continue;
        }
        if (glob[at] != '[') {
            continue;
        }
        // A bracket expression: '!' or '^' may negate it, and a ']' right after the opening
        // (or the negation) is a member, not the end.
        std::size_t close = at + 1;
        if (close < glob.size() && (glob[close] == '!' || glob[close] == '^')) {
            ++close;
        }
        if (close < glob.size() && glob[close] == ']') {
            ++close;
        }
        while (close < glob.size() && glob[close] != ']') {
            if (glob.substr(close, 2) == "[:") {
                const std::size_t end = glob.find(":]", close + 2);
                close = end == std::string_view::npos ? glob.size() : end + 2;
                continue;
            }
            ++close;
        }
        if (close >= glob.size() ||
            glob.substr(at, close - at).find('/') != std::string_view::npos) {
            fail(std::string(key) + " " + quoted(glob) +
                 " has an unclosed '[' (write \"\\[\" for a '[')");
        }
        at = close;
    }
}

// fnmatch stops at a NUL: "/tmp/x\0y" would be checked whole and match /tmp/x.
void check_no_nul(std::string_view key, std::string_view glob) {
    if (glob.find('\0') != std::string_view::npos) {
        fail(std::string(key) + " " + quoted(glob) +
             " holds a NUL byte, which no file or program name can hold");
    }
}

// fnmatch needs a NUL-terminated name; components are short, usually within the SSO.
bool component_matches(const std::string& pattern, std::string_view component) {
    const std::string name(component);
    return ::fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME) == 0;
}

}  // namespace

void check_path_glob(std::string_view glob) {
    if (glob.empty()) {
        fail("path is empty: give a glob such as \"/tmp/out/*\"");
    }
    check_no_nul("path", glob);
    if (!glob.starts_with('/') && !glob.starts_with(kAnyDepth)) {
        fail("path " + quoted(glob) +
             " is relative, but calls' paths are matched made absolute (did you mean " +
             quoted("**/" + std::string(glob)) + "?)");
    }
    for (std::string_view component : components_of(glob)) {
        if (component == "." || component == "..") {
            fail("path " + quoted(glob) + " has a " + quoted(component) +
                 " component, but calls' paths are matched without them (write the path it "
                 "stands for)");
        }
        if (component != kAnyDepth && component.find(kAnyDepth) != std::string_view::npos) {
            fail("path " + quoted(glob) +
                 ": \"**\" matches any depth only as a whole "
                 "component, as in \"/tmp/**/x.log\" (use \"*\" "
                 "within a name)");
        }
    }
    check_syntax("path", glob);
}

void check_name_glob(std::string_view glob) {
    if (glob.empty()) {
        fail("process is empty: give a program's name or a glob such as \"worker*\"");
    }
    check_no_nul("process", glob);
    if (glob.find('/') != std::string_view::npos) {
        const std::size_t slash = glob.rfind('/');
        fail("process " + quoted(glob) +
             " has a '/', but it is matched against the program's name (did you mean " +
             quoted(glob.substr(slash + 1)) + "?)");
    }
    check_syntax("process", glob);
}

PathGlob::PathGlob(std::string_view glob) {
    for (std::string_view component : components_of(glob)) {
        // Consecutive "**" mean no more than one does, and would only slow matching down.
        if (component == kAnyDepth && !components_.empty() && components_.back() == kAnyDepth) {
            continue;
        }
        components_.emplace_back(component);
    }
}

bool PathGlob::matches(std::string_view path) const {
    if (!path.starts_with('/')) {
        return false;
    }
    // The classic wildcard walk, with "**" as the wildcard and each other component as one
    // that matches exactly one of the path's: on a mismatch, go back to the last "**" and let
    // it take one more component. Each component of the path is tried against each of the
    // glob at most once from each "**", so the walk takes at most (glob x path) steps where a
    // recursive one took exponentially many ("/**/*/**/*/..." on a deep path).
    const std::vector<std::string_view> components = components_of(path);
    std::size_t glob_index = 0;
    std::size_t component_index = 0;
    std::optional<std::size_t> last_any_depth;
    std::size_t resume_at = 0;  // the path component that "**" takes next
    while (component_index < components.size()) {
        if (glob_index < components_.size() && components_[glob_index] == kAnyDepth) {
            last_any_depth = glob_index++;
            resume_at = component_index;
        } else if (glob_index < components_.size() &&
                   component_matches(components_[glob_index], components[component_index])) {
            ++glob_index;
            ++component_index;
        } else if (last_any_depth) {
            glob_index = *last_any_depth + 1;
            component_index = ++resume_at;
        } else {
            return false;
        }
    }
    while (glob_index < components_.size() && components_[glob_index] == kAnyDepth) {
        ++glob_index;
    }
    return glob_index == components_.size();
}

bool matches_name(const std::string& glob, const std::string& name) {
    return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

}  // namespace inject::glob
