// --inject specs in strace's syntax: [inject=]SYSCALLS:KEY=VALUE[:KEY=VALUE...].
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "inject/scenario.hpp"
#include "scenario/fault_keys.hpp"

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
    for (std::string_view part :
         keys.empty() ? std::vector<std::string_view>{} : split(keys, ':')) {
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
        }
    }
    return std::move(builder).build(std::move(origin));
}

}  // namespace

Rule parse_spec(std::string_view spec) {
    std::string origin = "--inject " + std::string(spec);
    try {
        return read_spec(spec, origin);
    } catch (const std::invalid_argument& e) {
        throw ScenarioError(origin + ": " + e.what());
    }
}

Scenario scenario_from_spec(std::string_view spec) {
    Scenario scenario;
    scenario.source = "--inject " + std::string(spec);
    scenario.rules.push_back(parse_spec(spec));
    return scenario;
}

}  // namespace inject
