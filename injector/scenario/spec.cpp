// --inject specs in strace's syntax: [inject=]SYSCALLS:KEY=VALUE[:KEY=VALUE...].
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

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return parts;
        }
        text.remove_prefix(at + 1);
    }
}

// The KEY=VALUE parts after the syscalls. A glob may hold a ':' of its own, written "\\:" so
// that it does not end the part; any other '\\' is the glob's and stays. In a caller's value
// "::" is a C++ scope, not an end ("caller=store::flush:when=2").
std::vector<std::string> split_keys(std::string_view keys) {
    std::vector<std::string> parts(1);
    for (std::size_t at = 0; at < keys.size(); ++at) {
        if (keys[at] == '\\' && at + 1 < keys.size() && keys[at + 1] == ':') {
            parts.back() += ':';
            ++at;
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
    // strace takes both "-e inject=SPEC" and, with -e, the bare form; so do we.
    std::string_view body = spec;
    if (body.starts_with("inject=")) {
        body.remove_prefix(std::string_view("inject=").size());
    }
    const std::size_t colon = body.find(':');
    const std::string_view names = body.substr(0, colon);
    const std::string_view keys =
        colon == std::string_view::npos ? std::string_view{} : body.substr(colon + 1);

    detail::FaultBuilder builder;
    if (names.empty()) {
        throw std::invalid_argument(std::string(detail::kNoSyscallGiven));
    }
    const std::vector<std::string_view> list = split(names, ',');
    for (std::string_view name : list) {
        builder.add_syscall(list.size() == 1 ? detail::checked_syscall(name)
                                             : detail::checked_syscall_in_list(name));
    }

    std::vector<FaultKey> seen;
    // "write:" has nothing after the colon: no action, not an empty KEY=VALUE.
    for (const std::string& text : keys.empty() ? std::vector<std::string>{} : split_keys(keys)) {
        const std::string_view part = text;
        const std::size_t equals = part.find('=');
        if (equals == std::string_view::npos) {
            throw std::invalid_argument("expected KEY=VALUE, got " + detail::quoted(part));
        }
        const std::string_view name = part.substr(0, equals);
        const std::string_view value = part.substr(equals + 1);
        const FaultKey key = detail::fault_key(name);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            throw std::invalid_argument(detail::quoted(name) + " given twice");
        }
        seen.push_back(key);
        switch (key) {
            case FaultKey::syscall:
                throw std::invalid_argument(
                    "\"syscall\" is not a key of a spec: name the syscalls before the first ':'");
            case FaultKey::error:
                builder.set_action(FailWithErrno{detail::checked_errno(value)});
                break;
            case FaultKey::retval:
                builder.set_action(ReturnValue{detail::checked_retval(value)});
                break;
            case FaultKey::short_count:
                builder.set_action(ShortenTo{detail::checked_short(value)});
                break;
            case FaultKey::when:
                builder.set_when(detail::checked_when(value));
                break;
            case FaultKey::per:
                builder.set_per(detail::checked_per(value));
                break;
            case FaultKey::probability:
                builder.set_probability(detail::checked_probability(value));
                break;
            case FaultKey::signal:
                builder.set_signal(detail::checked_fault_signal(value));
                break;
            case FaultKey::path:
                builder.set_path(detail::checked_path_glob(value));
                break;
            case FaultKey::fd:
                builder.set_fd(detail::checked_fd(value));
                break;
            case FaultKey::process:
                builder.set_process(detail::checked_process_glob(value));
                break;
            case FaultKey::caller:
                builder.set_caller(detail::checked_caller_glob(value));
                break;
            case FaultKey::delay:
                builder.set_delay(name, detail::checked_delay(value));
                break;
            case FaultKey::delay_enter:
                builder.set_delay(name, detail::checked_strace_delay(name, value));
                break;
            case FaultKey::delay_exit:
                builder.set_delay_exit(detail::checked_strace_delay(name, value));
                break;
        }
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

Scenario scenario_from_spec(std::string_view spec) {
    Scenario scenario;
    scenario.source = spec_origin(spec);
    scenario.rules.push_back(parse_spec(spec));
    return scenario;
}

}  // namespace inject
