#include "report/json_report.hpp"

#include <fcntl.h>
#include <string.h>  // sigabbrev_np
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "inject/names.hpp"
#include "report/power_cut_json.hpp"
#include "syscalls/signals.hpp"
#include "trace/call_site.hpp"

namespace inject::report {
namespace {

using nlohmann::json;

json action_json(const Action& action) {
    if (const auto* fail = std::get_if<FailWithErrno>(&action)) {
        return {{"error", errno_name(fail->error).value_or(std::to_string(fail->error))},
                {"errno", fail->error}};
    }
    if (const auto* value = std::get_if<ReturnValue>(&action)) {
        return {{"retval", value->value}};
    }
    if (const auto* shorten = std::get_if<ShortenTo>(&action)) {
        return {{"short", shorten->bytes}};
    }
    return {{"run", true}};
}

json delay_json(const std::optional<std::chrono::microseconds>& delay) {
    return delay ? json(delay->count()) : json(nullptr);
}

json signal_json(const std::optional<int>& signal) {
    if (!signal) {
        return nullptr;
    }
    return signal_name(*signal);
}

// Where an injected call came from, innermost frame first.
json stack_json(const std::vector<StackFrame>& stack) {
    json frames = json::array();
    for (const StackFrame& frame : stack) {
        frames.push_back({
            {"function", frame.function.empty() ? json(nullptr) : json(frame.function)},
            {"file", frame.file.empty() ? json(nullptr) : json(frame.file)},
            {"line", frame.line == 0 ? json(nullptr) : json(frame.line)},
            {"module", frame.module},
            {"offset", frame.offset},
        });
    }
    return frames;
}

json pokes_json(const std::vector<Poke>& pokes) {
    json list = json::array();
    for (const Poke& poke : pokes) {
        list.push_back({{"argument", poke.argument}, {"bytes", poke.bytes.size()}});
    }
    return list;
}

// The same fields for a rule and for each of its injections.
void add_effect(json& object, const Effect& effect) {
    object["action"] = action_json(effect.action);
    object["signal"] = signal_json(effect.signal);
    object["delay_us"] = delay_json(effect.delay);
    object["delay_exit_us"] = delay_json(effect.delay_exit);
    object["poke_enter"] = pokes_json(effect.poke_enter);
    object["poke_exit"] = pokes_json(effect.poke_exit);
    object["syscall_instead"] = effect.instead ? json(*effect.instead) : json(nullptr);
    object["lose_unsynced"] =
        effect.lose_unsynced
            ? json(*effect.lose_unsynced == UnsyncedLoss::prefix ? "prefix" : "strict")
            : json(nullptr);
}

json injection_json(const Injection& injection) {
    json object{
        {"rule", injection.rule_index + 1},
        {"syscall", injection.syscall},
        {"abi", std::string(abi_name(injection.abi))},
        {"nth", injection.nth},
        {"pid", injection.pid},
        {"tid", injection.tid},
        {"path", injection.path ? json(*injection.path) : json(nullptr)},
        {"time_ms", std::chrono::duration<double, std::milli>(injection.at).count()},
        {"site", injection.stack.empty() ? json(nullptr) : json(trace::site_name(injection.stack))},
        {"stack", stack_json(injection.stack)},
    };
    add_effect(object, injection.effect);
    return object;
}

// An element of the report's "injections" array as the whole report's dump(2) would show it:
// indented by four spaces, the first line's included.
std::string injection_text(const Injection& injection) {
    const std::string text =
        injection_json(injection).dump(2, ' ', false, json::error_handler_t::replace);
    std::string indented = "    ";
    for (const char c : text) {
        indented += c;
        if (c == '\n') {
            indented += "    ";
        }
    }
    return indented;
}

constexpr std::size_t kPiece = 64 * 1024;

// An unlinked file in `directory` that nobody else can open, or -1.
int anonymous_file(const std::string& directory) {
    int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) {
        return fd;
    }
    // A file system without O_TMPFILE: a named one, unlinked at once.
    std::string name = directory + "/.inject-report-XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) {
        ::unlink(name.c_str());
    }
    return fd;
}

}  // namespace

InjectionSpill::InjectionSpill(const std::string& report_path) {
    std::vector<std::string> directories{
        std::filesystem::absolute(report_path).parent_path().string()};
    if (const char* tmpdir = std::getenv("TMPDIR"); tmpdir != nullptr && *tmpdir != '\0') {
        directories.emplace_back(tmpdir);
    }
    directories.emplace_back("/tmp");
    for (const std::string& directory : directories) {
        if ((fd_ = anonymous_file(directory)) >= 0) {
            return;
        }
    }
    throw std::runtime_error("cannot make a temporary file for the --report's injections in " +
                             directories.front() + ", $TMPDIR or /tmp: " + std::strerror(errno));
}

InjectionSpill::~InjectionSpill() {
    ::close(fd_);
}

void InjectionSpill::add(const Injection& injection) noexcept {
    if (error_) {
        return;
    }
    try {
        if (count_++ > 0) {
            pending_ += ",\n";
        }
        pending_ += injection_text(injection);
    } catch (const std::exception& failure) {
        error_ = failure.what();
    }
    if (pending_.size() >= kPiece) {
        flush();
    }
}

void InjectionSpill::flush() noexcept {
    std::string_view rest = pending_;
    while (!rest.empty() && !error_) {
        const ssize_t written = ::write(fd_, rest.data(), rest.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            error_ = std::string("cannot keep the injections in a temporary file: ") +
                     std::strerror(written < 0 ? errno : EIO);
            break;
        }
        rest.remove_prefix(static_cast<std::size_t>(written));
    }
    pending_.clear();
}

void InjectionSpill::read(const std::function<void(std::string_view)>& write) {
    flush();
    std::string piece(kPiece, '\0');
    for (off_t at = 0;;) {
        const ssize_t got = ::pread(fd_, piece.data(), piece.size(), at);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw std::runtime_error(std::string("cannot read back the injections: ") +
                                     std::strerror(errno));
        }
        if (got == 0) {
            return;
        }
        write(std::string_view(piece.data(), static_cast<std::size_t>(got)));
        at += got;
    }
}

std::string json_report(const ReportInput& input) {
    std::string text;
    write_json_report(input, [&](std::string_view piece) { text += piece; });
    return text;
}

void write_json_report(const ReportInput& input,
                       const std::function<void(std::string_view)>& write) {
    const std::vector<Rule>& rules = *input.rules;
    const RunResult& result = *input.result;
    json report;
    report["inject_version"] = input.inject_version;
    report["command"] = input.command;
    report["attached"] = result.attached;
    report["seed"] = input.seed ? json(*input.seed) : json(nullptr);
    report["seccomp_filter"] = result.seccomp_filter;
    report["syscall_stops"] = result.syscall_stops;
    json rule_list = json::array();
    for (std::size_t index = 0; index < rules.size(); ++index) {
        const Rule& rule = rules[index];
        rule_list.push_back({
            {"index", index + 1},
            {"spec", to_spec(rule)},
            {"origin", rule.origin},
            {"syscalls", rule.syscalls.elements},
            {"negated", rule.syscalls.negated},
            {"when", rule.when.to_string()},
            {"per", std::string(scope_name(rule.per))},
            {"probability", rule.probability ? json(*rule.probability) : json(nullptr)},
            {"path", rule.path ? json(*rule.path) : json(nullptr)},
            {"fd", rule.fd ? json(*rule.fd) : json(nullptr)},
            {"process", rule.process ? json(*rule.process) : json(nullptr)},
            {"caller", rule.caller ? json(*rule.caller) : json(nullptr)},
            {"matched", index < result.matched.size() ? result.matched[index] : 0},
            {"injected", index < result.injected.size() ? result.injected[index] : 0},
        });
        add_effect(rule_list.back(), rule.effect);
    }
    report["rules"] = std::move(rule_list);
    report["injections"] = nullptr;  // a place for the array, which is written piece by piece
    report["injections_total"] = result.injection_count;
    report["result"] = {
        {"exit_code", result.exit_code ? json(*result.exit_code) : json(nullptr)},
        {"signal", signal_json(result.signal)},
        {"timed_out", result.timed_out},
        {"detached", result.detached},
    };
    report["power_cut"] = power_cut_json(result.power_cut);
    if (!input.expectations.empty()) {
        json checked = json::array();
        for (const CheckedExpectations& scenario : input.expectations) {
            checked.push_back({{"source", scenario.source},
                               {"passed", scenario.outcome.passed()},
                               {"failures", scenario.outcome.failures}});
        }
        report["expectations"] = std::move(checked);
    }
    // Replacement characters, not an exception, for output that is not UTF-8 (paths, args).
    const std::string text = report.dump(2, ' ', false, json::error_handler_t::replace) + '\n';
    // The one top-level key "injections" (at two spaces; quotes inside strings are escaped).
    constexpr std::string_view kPlace = "\n  \"injections\": null";
    const std::size_t place = text.find(kPlace);
    write(
        std::string_view(text).substr(0, place + kPlace.size() - std::string_view("null").size()));
    const bool any = input.injections ? input.injections->count() > 0 : !result.injections.empty();
    write(any ? "[\n" : "[");
    if (input.injections) {
        input.injections->read(write);
    } else {
        for (std::size_t index = 0; index < result.injections.size(); ++index) {
            write((index > 0 ? ",\n" : "") + injection_text(result.injections[index]));
        }
    }
    write(any ? "\n  ]" : "]");
    write(std::string_view(text).substr(place + kPlace.size()));
}

}  // namespace inject::report
