#include "report/summary.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>

#include "inject/names.hpp"
#include "report/wording.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/signals.hpp"
#include "syscalls/text.hpp"
#include "trace/call_site.hpp"

namespace inject::report {

namespace {

// The kernel returns -4095..-1 for an error.
constexpr std::int64_t kMaxErrno = 4095;

// How many syscalls a set stands for, both ABIs together.
std::size_t distinct_syscalls(const SyscallNames& names) {
    std::set<std::string> all;
    for (const Abi abi : kAllAbis) {
        for (std::string& name : catalogue::syscalls_named(names, abi)) {
            all.insert(std::move(name));
        }
    }
    return all.size();
}

// The calls as `when` values: one for an evenly spaced set, else one per consecutive run.
std::vector<When> pinned_whens(const std::set<std::uint64_t>& calls) {
    const std::vector<std::uint64_t> nths(calls.begin(), calls.end());
    if (nths.size() >= 3) {
        const std::uint64_t step = nths[1] - nths[0];
        bool even = true;
        for (std::size_t i = 2; i < nths.size() && even; ++i) {
            even = nths[i] - nths[i - 1] == step;
        }
        if (even) {
            return {When{nths.front(), nths.back(), step}};
        }
    }
    std::vector<When> whens;
    for (std::size_t i = 0; i < nths.size();) {
        std::size_t end = i + 1;
        while (end < nths.size() && nths[end] == nths[end - 1] + 1) {
            ++end;
        }
        whens.push_back(When{nths[i], nths[end - 1], 1});
        i = end;
    }
    return whens;
}

}  // namespace

namespace {

// Whether the byte sequence at the front of `rest` can stand as it is in a line on a terminal:
// printable ASCII and UTF-8 other than the controls. Sets its length.
bool shows_as_is(std::string_view rest, std::size_t& length) {
    std::uint32_t code_point = 0;
    length = text::utf8_sequence(rest, code_point);
    if (length == 0) {
        length = 1;
        return false;
    }
    return code_point >= 0x20 && code_point != 0x7f && !(code_point >= 0x80 && code_point <= 0x9f);
}

// `text` as a printf(1) format that prints it: '%' and '\' doubled, a leading '-' and every
// byte that does not show as it is in octal, the whole in single quotes.
std::string printf_format(std::string_view text) {
    std::string format = "'";
    for (std::size_t at = 0; at < text.size();) {
        std::size_t length = 1;
        const char c = text[at];
        if (c == '%' || c == '\\') {
            format += std::string(2, c);
        } else if (c == '\'') {
            format += "'\\''";
        } else if (shows_as_is(text.substr(at), length) && !(at == 0 && c == '-')) {
            format += text.substr(at, length);
        } else {
            char octal[5];
            std::snprintf(octal, sizeof octal, "\\%03o", static_cast<unsigned char>(c));
            format += octal;
            length = 1;
        }
        at += length;
    }
    return format + "'";
}

std::string single_quoted(std::string_view text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

}  // namespace

std::string shell_quote(const std::string& argument) {
    const bool safe =
        !argument.empty() && std::all_of(argument.begin(), argument.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   std::strchr("_-./:=,+@%", c) != nullptr;
        });
    if (safe) {
        return argument;
    }
    bool shows = true;
    for (std::size_t at = 0, length = 1; shows && at < argument.size(); at += length) {
        shows = shows_as_is(std::string_view(argument).substr(at), length);
    }
    if (shows) {
        return single_quoted(argument);
    }
    // A newline, a control character (ESC...) or a byte that is not UTF-8 would break the line
    // or act on the terminal: printf writes them from octal, which POSIX sh (dash too) reads
    // back as the same bytes. A command substitution drops the newlines at its end, so those
    // stay raw, in quotes after it: the one case in which the line is not one line.
    const std::size_t end = argument.find_last_not_of('\n') + 1;  // 0: newlines only
    if (end == 0) {
        return single_quoted(argument);
    }
    std::string quoted =
        "\"$(printf " + printf_format(std::string_view(argument).substr(0, end)) + ")\"";
    if (end < argument.size()) {
        quoted += single_quoted(std::string_view(argument).substr(end));
    }
    return quoted;
}

std::string replay_line(const std::vector<Rule>& rules, const RunResult& result,
                        const std::vector<std::string>& command) {
    if (result.injection_count == 0) {
        return {};
    }
    // The calls were numbered from the moment of attaching, somewhere in the middle of the
    // process's life, and no command line starts a process there again.
    if (!result.attached.empty()) {
        return "not shown (attached with -p: calls are counted from the attach, which no new "
               "run repeats; --report lists every injection)";
    }
    // A fired call missing from the records would be missing from the replay.
    if (result.injection_count > result.injections.size()) {
        return "not shown (more than " + std::to_string(result.injections.size()) +
               " injections; use --report)";
    }
    // By rule, the calls each of its syscalls fired on (a rule counts each syscall apart), the
    // syscalls in the order they first fired.
    std::vector<std::vector<std::pair<std::string, std::set<std::uint64_t>>>> fired(rules.size());
    for (const Injection& injection : result.injections) {
        if (injection.rule_index >= rules.size()) {
            continue;
        }
        auto& by_syscall = fired[injection.rule_index];
        auto found = std::find_if(by_syscall.begin(), by_syscall.end(), [&](const auto& entry) {
            return entry.first == injection.syscall;
        });
        if (found == by_syscall.end()) {
            found = by_syscall.insert(by_syscall.end(), {injection.syscall, {}});
        }
        found->second.insert(injection.nth);
    }
    std::string line = "inject";
    for (std::size_t index = 0; index < rules.size(); ++index) {
        // Rules that decided nothing are left out, which changes nothing. The syscalls that fired
        // on the same calls share one -e: "write,close:when=4".
        std::vector<std::pair<std::vector<When>, SyscallNames>> groups;
        for (const auto& [syscall, nths] : fired[index]) {
            const std::vector<When> whens = pinned_whens(nths);
            auto group = std::find_if(groups.begin(), groups.end(),
                                      [&](const auto& entry) { return entry.first == whens; });
            if (group == groups.end()) {
                group = groups.insert(groups.end(), {whens, {}});
            }
            group->second.elements.push_back(syscall);
        }
        for (const auto& [whens, syscalls] : groups) {
            for (const When& when : whens) {
                Rule pinned = rules[index];
                // The rule's own set when it names just these, else the calls that fired: a
                // class pinned to when=2 would fail the 2nd call of each of its members.
                if (pinned.syscalls.negated ||
                    distinct_syscalls(pinned.syscalls) != syscalls.elements.size()) {
                    pinned.syscalls = syscalls;
                }
                pinned.when = when;
                pinned.probability.reset();
                line += " -e " + shell_quote(to_spec(pinned));
            }
        }
    }
    // The when= pins make probabilities moot, but a kept prefix is still drawn from the seed.
    const bool keeps_prefix = std::any_of(rules.begin(), rules.end(), [](const Rule& rule) {
        return rule.effect.lose_unsynced == UnsyncedLoss::prefix;
    });
    if (keeps_prefix && result.power_cut) {
        line += " --seed " + std::to_string(result.seed);
    }
    line += " --";
    for (const std::string& argument : command) {
        line += ' ' + shell_quote(argument);
    }
    return line;
}

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
    if (const auto* value = std::get_if<ReturnValue>(&action)) {
        // -4095..-1 is what the kernel returns for an error: the program sees one.
        if (value->value >= -kMaxErrno && value->value <= -1) {
            return describe_result(FailWithErrno{static_cast<int>(-value->value)});
        }
        return std::to_string(value->value);
    }
    if (std::holds_alternative<ShortenTo>(action)) {
        // The call ran and returned what it really did, which inject does not see before its
        // exit: the action is the whole story.
        return to_string(action);
    }
    return "ran";
}

std::string describe_injection(const Injection& injection) {
    std::string text;
    const Effect& effect = injection.effect;
    if (effect.delay) {
        text = "delayed " + text::duration_text(*effect.delay) + ", then ";
    }
    // SIGKILL ends a traced thread at once: a call not cut first, nor held after, never ran
    // and the program never saw a result.
    if (effect.signal == SIGKILL && !std::holds_alternative<ShortenTo>(effect.action) &&
        !effect.delay_exit) {
        return text + (effect.lose_unsynced ? "killed by SIGKILL before it ran, then a power cut"
                                            : "killed by SIGKILL before it ran");
    }
    text += describe_result(effect.action);
    if (effect.delay_exit) {
        text += ", held back " + text::duration_text(*effect.delay_exit);
    }
    if (effect.signal) {
        text += " + " + signal_name(*effect.signal);
    }
    return text;
}

namespace {

// A rule that never fired says so, and why: no call passed its filters (a caller in a library
// never loaded, a path never written), or its `when` never came.
// Said only of a result that counts per rule, as a run's does.
void write_idle_rule(std::ostream& out, std::size_t index, const Rule& rule,
                     const RunResult& result) {
    if (index >= result.matched.size() || index >= result.injected.size() ||
        result.injected[index] > 0) {
        return;
    }
    const std::uint64_t matched = result.matched[index];
    out << "inject: rule " << index + 1 << ' '
        << (matched == 0 ? std::string(rule.has_filters()
                                           ? "never matched (no call it names passed its filters)"
                                           : "never matched (no call it names was made)")
                         : "never fired (it counted " + plural(matched, "call", "calls") + ")")
        << ": " << to_spec(rule) << '\n';
}

}  // namespace

// "write /d/f bytes 4..7", "rename /d/a -> /d/b", "create /d/new": what a power cut undid.
std::string describe_undone(const UndoneChange& change) {
    std::string text = change.kind + " ";
    if (!change.from.empty()) {
        text += text::quoted(change.from) + " -> ";
    }
    text += text::quoted(change.path);
    if (change.offset && change.length) {
        text += " bytes " + std::to_string(*change.offset) + ".." +
                std::to_string(*change.offset + *change.length);
    }
    if (!change.error.empty()) {
        text += " (not undone: " + change.error + ")";
    }
    return text;
}

void write_undone_changes(std::ostream& out, const PowerCut& cut, std::string_view prefix,
                          std::size_t listed) {
    for (std::size_t index = 0; index < cut.undone.size() && index < listed; ++index) {
        out << prefix << "undone: " << describe_undone(cut.undone[index]) << '\n';
    }
    if (cut.undone.size() > listed) {
        out << prefix << "... and " << cut.undone.size() - listed << " more\n";
    }
}

void write_power_cut(std::ostream& out, const PowerCut& cut) {
    out << "inject: power cut: " << plural(cut.undone.size(), "unsynced change", "unsynced changes")
        << " undone";
    if (cut.kept_changes != 0) {
        out << ", " << cut.kept_changes << " kept (mode = \"prefix\")";
    }
    out << " (undo data: " << cut.undo_bytes_at_cut << " bytes at the cut, " << cut.undo_bytes_peak
        << " at most)\n";
    write_undone_changes(out, cut, "inject:   ", kListedInjections);
}

void write_summary(std::ostream& out, const std::vector<Rule>& rules, const RunResult& result,
                   const std::vector<std::string>& command) {
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
        out << " call " << injection.nth << " -> " << describe_injection(injection);
        if (!injection.stack.empty()) {
            out << " at " << trace::site_name(injection.stack);
        }
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
    for (std::size_t index = 0; index < rules.size(); ++index) {
        write_idle_rule(out, index, rules[index], result);
    }
    if (result.power_cut) {
        write_power_cut(out, *result.power_cut);
    }
    if (result.detached) {
        out << "inject: detached: every process still traced runs on untraced\n";
    }
    if (const std::string replay = replay_line(rules, result, command); !replay.empty()) {
        out << "inject: replay: " << replay << '\n';
    }
}

}  // namespace inject::report
