// Rules back to text, in the --inject syntax, so that every message, log line and report
// shows a rule in a form the user can paste back on the command line.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "inject/names.hpp"
#include "inject/rule.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/signals.hpp"

namespace inject {

namespace {

// A glob as a spec's KEY=VALUE part, which the spec reader (split_keys) reads back whole: a
// ':' of the glob is written after an odd run of backslashes (its own run doubled, one more),
// and a run that ends the glob is doubled when another part follows, so that the ':' after it
// still ends the part. In a caller, "::" is a C++ scope the reader keeps: its run is doubled
// and the scope stays.
std::string escaped_for_spec(std::string_view glob, bool keeps_scopes, bool part_follows) {
    std::string text;
    for (std::size_t at = 0; at < glob.size();) {
        const std::size_t run = std::min(glob.find_first_not_of('\\', at), glob.size()) - at;
        const std::size_t next = at + run;
        const bool scope = keeps_scopes && glob.substr(next, 2) == "::";
        if ((next == glob.size() && part_follows) || (next < glob.size() && glob[next] == ':')) {
            text.append(2 * run + (next < glob.size() && !scope ? 1 : 0), '\\');
        } else {
            text.append(run, '\\');
        }
        if (scope) {
            text += "::";
            at = next + 2;
        } else if (next < glob.size()) {
            text += glob[next];
            at = next + 1;
        } else {
            at = next;
        }
    }
    return text;
}

// A poke's value as strace's syntax writes it: "@arg1=2f746d70".
std::string poke_text(const std::vector<Poke>& pokes) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string text;
    for (const Poke& poke : pokes) {
        text += (text.empty() ? "@arg" : ",@arg") + std::to_string(poke.argument) + "=";
        for (const std::uint8_t byte : poke.bytes) {
            text += kDigits[byte >> 4U];
            text += kDigits[byte & 0xfU];
        }
    }
    return text;
}

}  // namespace

std::string When::to_string() const {
    const std::string from = std::to_string(first);
    if (first == last && step == 1) {
        return from;
    }
    if (last == kNoLast) {
        return step == 1 ? from + "+" : from + "+" + std::to_string(step);
    }
    std::string text = from + ".." + std::to_string(last);
    if (step != 1) {
        text += "+" + std::to_string(step);
    }
    return text;
}

std::string_view scope_name(Scope scope) {
    switch (scope) {
        case Scope::tree:
            return "tree";
        case Scope::process:
            return "process";
        case Scope::thread:
            return "thread";
    }
    return "tree";
}

std::string to_string(const Action& action) {
    return std::visit(
        [](const auto& a) -> std::string {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, FailWithErrno>) {
                // A number the C library cannot name still round-trips: errno accepts digits.
                return "error=" + errno_name(a.error).value_or(std::to_string(a.error));
            } else if constexpr (std::is_same_v<T, ReturnValue>) {
                return "retval=" + std::to_string(a.value);
            } else if constexpr (std::is_same_v<T, ShortenTo>) {
                return "short=" + std::to_string(a.bytes);
            } else {
                return "";
            }
        },
        action);
}

std::string format_probability(double probability) {
    // std::to_chars without a precision gives the shortest text that round-trips, and in
    // fixed notation never an exponent, which the spec parser would refuse.
    std::array<char, 400> buffer{};
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), probability,
                                   std::chars_format::fixed);
    if (ec != std::errc{}) {
        return std::to_string(probability);
    }
    return std::string(buffer.data(), end);
}

std::string to_string(const SyscallNames& names) {
    std::string text = names.negated ? "!" : "";
    for (std::size_t index = 0; index < names.elements.size(); ++index) {
        text += (index == 0 ? "" : ",") + names.elements[index];
    }
    return text;
}

std::string to_spec(const Rule& rule) {
    std::string spec = to_string(rule.syscalls);
    std::string keys;
    const auto add = [&keys](const std::string& key) {
        keys += keys.empty() ? "" : ":";
        keys += key;
    };
    const Effect& effect = rule.effect;
    if (!std::holds_alternative<RunCall>(effect.action)) {
        add(to_string(effect.action));
    }
    if (effect.signal) {
        add("signal=" + signal_name(*effect.signal));
    }
    // Written without minutes, so that the text also works as strace's delay_enter.
    if (effect.delay) {
        add("delay=" + text::strace_duration_text(*effect.delay));
    }
    if (effect.delay_exit) {
        add("delay_exit=" + text::strace_duration_text(*effect.delay_exit));
    }
    if (!effect.poke_enter.empty()) {
        add("poke_enter=" + poke_text(effect.poke_enter));
    }
    if (!effect.poke_exit.empty()) {
        add("poke_exit=" + poke_text(effect.poke_exit));
    }
    if (effect.instead) {
        add("syscall=" + *effect.instead);
    }
    if (effect.run_first) {
        add(std::string("run=") + (*effect.run_first ? "true" : "false"));
    }
    if (effect.lose_unsynced) {
        add("lose_unsynced=true");
        if (*effect.lose_unsynced == UnsyncedLoss::prefix) {
            add("mode=prefix");
        }
    }
    spec += ':' + keys;
    if (rule.when != When{}) {
        spec += ":when=" + rule.when.to_string();
    }
    if (rule.probability) {
        spec += ":probability=" + format_probability(*rule.probability);
    }
    if (rule.per != Scope::tree) {
        spec += ":per=";
        spec += scope_name(rule.per);
    }
    if (rule.path) {
        spec +=
            ":path=" + escaped_for_spec(*rule.path, false, rule.fd || rule.process || rule.caller);
    }
    if (rule.fd) {
        spec += ":fd=" + std::to_string(*rule.fd);
    }
    if (rule.process) {
        spec += ":process=" + escaped_for_spec(*rule.process, false, rule.caller.has_value());
    }
    if (rule.caller) {
        spec += ":caller=" + escaped_for_spec(*rule.caller, true, false);
    }
    return spec;
}

}  // namespace inject
