// Specs in strace's syntax: [inject=|fault=]SET:KEY=VALUE[:KEY=VALUE...], read as strace's
// qualify_inject_common reads them: empty fields are skipped, `when` may be given again (the
// last wins), any other key may not.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "inject/scenario.hpp"
#include "scenario/fault_keys.hpp"
#include "syscalls/text.hpp"

namespace inject {
namespace {

using detail::FaultKey;
using detail::Syntax;

// The KEY=VALUE parts after the set. A glob may hold a ':' of its own, written after an odd
// run of backslashes ("\\:"); a run before a ':' is halved, so that a glob that ends in "\\"
// (a backslash) is written "\\\\" and its ':' still ends the part. Any other '\\' is the
// glob's and stays. In a caller's value "::" is a C++ scope, not an end
// ("caller=store::flush:when=2").
std::vector<std::string> split_keys(std::string_view keys) {
    std::vector<std::string> parts(1);
    for (std::size_t at = 0; at < keys.size(); ++at) {
        if (keys[at] == '\\') {
            const std::size_t run = std::min(keys.find_first_not_of('\\', at), keys.size()) - at;
            const bool colon = at + run < keys.size() && keys[at + run] == ':';
            parts.back().append(colon ? run / 2 : run, '\\');
            at += run - 1;
            if (colon && run % 2 == 1) {
                parts.back() += ':';
                ++at;
            }
        } else if (keys.substr(at, 2) == "::" && parts.back().starts_with("caller=")) {
            parts.back() += "::";
            ++at;
        } else if (keys[at] == ':') {
            parts.emplace_back();
        } else {
            parts.back() += keys[at];
        }
    }
    return parts;
}

Rule read_spec(std::string_view spec, std::string origin) {
    // strace takes "-e inject=SPEC" and "-e fault=SPEC"; so do we, and the bare form.
    Syntax syntax = Syntax::spec;
    std::string_view body = spec;
    if (body.starts_with("inject=")) {
        body.remove_prefix(std::string_view("inject=").size());
    } else if (body.starts_with("fault=")) {
        body.remove_prefix(std::string_view("fault=").size());
        syntax = Syntax::fault_spec;
    }
    const std::size_t colon = body.find(':');
    const std::string_view set = body.substr(0, colon);
    const std::string_view keys =
        colon == std::string_view::npos ? std::string_view{} : body.substr(colon + 1);

    detail::FaultBuilder builder(syntax);
    if (set.empty()) {
        throw std::invalid_argument(std::string(detail::kNoSyscallGiven));
    }
    builder.set_syscalls(set);
    std::vector<const FaultKey*> given;
    for (const std::string& text : split_keys(keys)) {
        const std::string_view part = text;
        if (part.empty()) {
            continue;  // "write::error=EIO", "write:error=EIO:": strace skips empty fields
        }
        const std::size_t equals = part.find('=');
        if (equals == std::string_view::npos) {
            throw std::invalid_argument("expected KEY=VALUE, got " + detail::quoted(part));
        }
        const std::string_view name = part.substr(0, equals);
        const FaultKey& key = detail::fault_key(name, syntax);
        if (!key.repeatable && std::find(given.begin(), given.end(), &key) != given.end()) {
            throw std::invalid_argument(detail::quoted(name) + " given twice");
        }
        given.push_back(&key);
        key.apply(builder, name, part.substr(equals + 1));
    }
    return std::move(builder).build(std::move(origin));
}

// "--inject SPEC", as messages and a rule's origin show it: one line, whatever the spec holds.
std::string spec_origin(std::string_view spec) {
    return "--inject " + text::one_line(spec);
}

}  // namespace

Rule parse_spec(std::string_view spec) {
    std::string origin = spec_origin(spec);
    try {
        return read_spec(spec, origin);
    } catch (const std::invalid_argument& e) {
        throw ScenarioError(origin + ": " + e.what());
    }
}

SyscallNames parse_syscall_names(std::string_view set) {
    if (set.empty()) {
        throw std::invalid_argument(std::string(detail::kNoSyscallGiven));
    }
    detail::FaultBuilder builder(Syntax::spec);
    builder.set_syscalls(set);
    return builder.syscalls();
}

Scenario scenario_from_spec(std::string_view spec) {
    Scenario scenario;
    scenario.source = spec_origin(spec);
    scenario.rules.push_back(parse_spec(spec));
    return scenario;
}

}  // namespace inject
