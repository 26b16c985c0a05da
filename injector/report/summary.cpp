#include "report/summary.hpp"

#include <cstring>
#include <string>

#include "inject/names.hpp"

namespace inject::report {

namespace {

std::string plural(std::uint64_t count, const char* singular, const char* plural_form) {
    return std::to_string(count) + ' ' + (count == 1 ? singular : plural_form);
}

}  // namespace

std::string describe_result(const Action& action) {
    if (const auto* fail = std::get_if<FailWithErrno>(&action)) {
        std::string text = "-1 " + errno_name(fail->error).value_or(std::to_string(fail->error));
        if (const char* description = strerrordesc_np(fail->error)) {
            text += " (";
            text += description;
            text += ')';
        }
        return text;
    }
    return std::to_string(std::get<ReturnValue>(action).value);
}

void write_summary(std::ostream& out, const std::vector<Rule>& rules, const RunResult& result) {
    out << "inject: " << plural(result.injection_count, "fault", "faults") << " injected, "
        << plural(result.syscall_stops, "syscall stop", "syscall stops") << " ("
        << (result.seccomp_filter ? "seccomp filter" : "no seccomp filter") << ")\n";
    std::size_t listed = 0;
    for (const Injection& injection : result.injections) {
        if (listed == kListedInjections) {
            break;
        }
        ++listed;
        out << "inject:   pid " << injection.pid;
        if (injection.tid != injection.pid) {
            out << " tid " << injection.tid;
        }
        out << ": " << injection.syscall;
        if (injection.abi != Abi::x86_64) {
            out << " (" << abi_name(injection.abi) << ')';
        }
        out << " call " << injection.nth << " -> " << describe_result(injection.action);
        if (injection.rule_index < rules.size()) {
            out << "  [rule " << injection.rule_index + 1 << ": "
                << to_spec(rules[injection.rule_index]) << ']';
        }
        out << '\n';
    }
    // Only the first injections are kept as records; all are counted.
    if (result.injection_count > listed) {
        out << "inject:   ... and " << result.injection_count - listed << " more\n";
    }
}

}  // namespace inject::report
