#include "cli/cli.hpp"

#include <signal.h>
#include <sys/random.h>

#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <ostream>
#include <random>
#include <string_view>

#include "inject/exit_status.hpp"
#include "inject/names.hpp"
#include "inject/run.hpp"
#include "inject/scenario.hpp"
#include "inject/syscall_log.hpp"
#include "report/expectations.hpp"
#include "report/json_report.hpp"
#include "report/junit.hpp"
#include "report/output_file.hpp"
#include "report/summary.hpp"
#include "report/wording.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/signals.hpp"

namespace inject::cli {

namespace po = boost::program_options;

namespace {

constexpr std::string_view kUsage =
    "usage: inject [OPTIONS] [--] PROGRAM [ARG...]\n"
    "       inject [OPTIONS] -p PID\n"
    "Runs PROGRAM traced (or traces the running process PID) and makes the system calls that\n"
    "the rules pick fail.\n";

po::options_description describe_options() {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("scenario,s", po::value<std::vector<std::string>>()->value_name("FILE"),
         "load faults (and expectations) from a TOML scenario; repeatable")
        ("inject,e", po::value<std::vector<std::string>>()->value_name("SPEC"),
         "one fault in strace's syntax, SYSCALL[,SYSCALL...]:KEY=VALUE[:KEY=VALUE...] with "
         "error, retval, short, signal, delay (delay_enter, delay_exit), when, probability, "
         "per, path, fd, process; SYSCALL may be a class such as %file; repeatable; also "
         "-e inject=SPEC")
        ("seed", po::value<std::string>()->value_name("N"),
         "seed for probability triggers")
        ("attach,p", po::value<std::vector<std::string>>()->value_name("PID"),
         "trace a running process (and its threads) instead of starting one; repeatable")
        ("output,o", po::value<std::string>()->value_name("FILE"),
         "syscall log: one strace-like line per call that stops, injected ones marked")
        ("report", po::value<std::string>()->value_name("FILE"),
         "JSON report of the run: rules, every injection, result")
        ("junit", po::value<std::string>()->value_name("FILE"),
         "write the outcome as JUnit XML, one testcase per scenario")
        ("quiet,q", po::bool_switch(), "no summary on stderr")
        ("no-seccomp", po::bool_switch(),
         "no seccomp filter: every syscall stops (slower)")
        ("no-notify", po::bool_switch(),
         "no seccomp user notifications: every picked call stops by ptrace (slower)")
        ("check", po::bool_switch(), "validate the rules, print them, run nothing")
        ("list-syscalls", po::bool_switch(), "print the syscalls of each ABI, with their classes")
        ("list-errnos", po::bool_switch(), "print the errno names")
        ("help,h", po::bool_switch(), "this help")
        ("version,V", po::bool_switch(), "the version");
    // clang-format on
    return options;
}

const po::options_description& options_description() {
    static const po::options_description description = describe_options();
    return description;
}

std::vector<std::string> long_option_names() {
    std::vector<std::string> names;
    for (const auto& option : options_description().options()) {
        names.push_back("--" + option->long_name());
    }
    return names;
}

[[noreturn]] void unknown_option(const std::string& token) {
    const std::string name = token.substr(0, token.find('='));
    std::string message = "unknown option \"" + name + "\"";
    if (auto nearest = nearest_word(name, long_option_names())) {
        message += " (did you mean \"" + *nearest + "\"?)";
    }
    throw UsageError(message);
}

const po::option_description* find_option(const std::string& token) {
    const auto& description = options_description();
    if (token.starts_with("--")) {
        return description.find_nothrow(token.substr(2, token.find('=') - 2), false);
    }
    return description.find_nothrow(token.substr(0, 2), false, false, false);
}

// Where inject's own options end: at "--" or at the first word that is not an option or an
// option's value. The rest is the program and its arguments, which inject never reads.
std::size_t end_of_options(const std::vector<std::string>& arguments) {
    for (std::size_t index = 0; index < arguments.size(); ++index) {
        const std::string& token = arguments[index];
        if (token == "--") {
            return index;
        }
        if (token.size() < 2 || token[0] != '-') {
            return index;
        }
        const po::option_description* option = find_option(token);
        if (option == nullptr) {
            unknown_option(token);
        }
        const bool takes_value = option->semantic()->max_tokens() > 0;
        const bool value_attached =
            token.starts_with("--") ? token.find('=') != std::string::npos : token.size() > 2;
        if (takes_value && !value_attached) {
            ++index;  // the value, even if it starts with '-'
        }
    }
    return arguments.size();
}

std::uint64_t parse_seed(const std::string& text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
        throw UsageError("--seed " + text + ": expected a non-negative integer");
    }
    return value;
}

pid_t parse_pid(const std::string& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value <= 0) {
        throw UsageError("--attach " + text + ": expected a process ID (a positive integer)");
    }
    return value;
}

// -e takes strace's qualifiers; only inject= (or a bare spec) means something here.
std::string spec_from_e_argument(const std::string& argument) {
    const auto equals = argument.find('=');
    const auto colon = argument.find(':');
    if (equals != std::string::npos && (colon == std::string::npos || equals < colon)) {
        const std::string qualifier = argument.substr(0, equals);
        if (qualifier == "inject") {
            return argument;  // parse_spec accepts and reports the "inject=" form itself
        }
        throw UsageError("-e " + argument +
                         ": only inject= is supported (inject traces nothing else)");
    }
    return argument;
}

std::vector<Rule> load_rules(const Options& options, std::vector<Scenario>& scenarios) {
    std::vector<Rule> rules;
    for (const auto& source : options.rule_sources) {
        Scenario scenario = source.kind == Options::RuleSource::Kind::scenario_file
                                ? load_scenario_file(source.text)
                                : scenario_from_spec(source.text);
        rules.insert(rules.end(), scenario.rules.begin(), scenario.rules.end());
        scenarios.push_back(std::move(scenario));
    }
    return rules;
}

bool has_probability(const std::vector<Rule>& rules) {
    return std::any_of(rules.begin(), rules.end(),
                       [](const Rule& rule) { return rule.probability.has_value(); });
}

void print_rules(std::ostream& out, const std::vector<Scenario>& scenarios,
                 const std::vector<Rule>& rules, const Options& options, const SeedChoice& seed) {
    for (const Scenario& scenario : scenarios) {
        if (scenario.source.starts_with("--inject")) {
            continue;
        }
        out << "scenario " << scenario.source;
        if (!scenario.description.empty()) {
            out << ": " << scenario.description;
        }
        out << '\n';
        if (scenario.expect) {
            for (const std::string& expectation : report::describe_expectations(*scenario.expect)) {
                out << "  expect " << expectation << '\n';
            }
        }
    }
    if (rules.empty()) {
        out << "no rules: the program would run untouched\n";
    }
    for (std::size_t index = 0; index < rules.size(); ++index) {
        const Rule& rule = rules[index];
        out << "rule " << index + 1 << ": " << to_spec(rule) << "  (" << rule.origin << ")\n";
        const Effect& effect = rule.effect;
        const bool fails = std::holds_alternative<FailWithErrno>(effect.action);
        const bool runs = std::holds_alternative<RunCall>(effect.action);
        const auto* shorten = std::get_if<ShortenTo>(&effect.action);
        out << (fails                ? "  fails "
                : runs               ? "  lets "
                : shorten != nullptr ? "  shortens "
                                     : "  skips ");
        for (std::size_t name = 0; name < rule.syscalls.size(); ++name) {
            out << (name == 0                          ? ""
                    : name + 1 == rule.syscalls.size() ? " or "
                                                       : ", ")
                << rule.syscalls[name];
        }
        out << " calls " << rule.when.to_string() << " (counted per " << scope_name(rule.per);
        if (rule.has_filters()) {
            out << "; only calls";
            if (rule.path) {
                out << " on a file matching " << *rule.path;
            }
            if (rule.fd) {
                out << (rule.path ? "," : "") << " on fd " << *rule.fd;
            }
            if (rule.process) {
                out << (rule.path || rule.fd ? "," : "") << " by a program named " << *rule.process;
            }
        }
        if (runs) {
            out << ") run";
        } else if (shorten != nullptr) {
            out << ") to at most " << report::plural(shorten->bytes, "byte", "bytes")
                << ", which then really run";
            if (std::any_of(rule.syscalls.begin(), rule.syscalls.end(),
                            [](const std::string& name) { return name.starts_with('%'); })) {
                out << " (of a class, only the calls with a byte count)";
            }
        } else {
            out << (fails ? ") with " : ") and returns ") << report::describe_result(effect.action);
        }
        if (effect.delay) {
            out << " after waiting " << text::duration_text(*effect.delay);
        }
        if (effect.delay_exit) {
            out << ", the result held back " << text::duration_text(*effect.delay_exit);
        }
        if (effect.signal) {
            out << (shorten != nullptr ? ", then sending " : ", sending ")
                << signal_name(*effect.signal) << " to the calling thread"
                << (effect.delay || effect.delay_exit ? " when the wait ends" : "");
        }
        if (rule.probability) {
            out << " with probability " << format_probability(*rule.probability);
        }
        out << '\n';
    }
    if (has_probability(rules)) {
        out << "seed " << seed.value;
        switch (seed.from) {
            case SeedChoice::From::option:
                out << " (from --seed)\n";
                break;
            case SeedChoice::From::scenario:
                out << " (from " << seed.scenario << ")\n";
                break;
            case SeedChoice::From::drawn:
            case SeedChoice::From::none:
                out << " (drawn: a run draws its own unless --seed N is given)\n";
                break;
        }
    }
    if (!options.command.empty()) {
        out << "program:";
        for (const std::string& word : options.command) {
            out << ' ' << word;
        }
        out << " (not started: --check)\n";
    }
    if (!options.attach.empty()) {
        out << "attach:";
        for (const pid_t pid : options.attach) {
            out << ' ' << pid;
        }
        out << " (not attached: --check)\n";
    }
}

// "x86_64 0 read %desc short": each syscall with the classes it belongs to, and "short" last
// when it has a byte count that short= can cut (for completion, which must not offer short=
// where it is a mistake).
void list_syscalls(std::ostream& out) {
    for (Abi abi : kAllAbis) {
        std::map<std::string, std::string> classes_of;
        for (std::string_view class_name : catalogue::class_names()) {
            const auto members = catalogue::class_members(class_name, abi);
            for (const std::string& name : members.value_or(std::vector<std::string>{})) {
                classes_of[name] += " %" + std::string(class_name);
            }
        }
        for (const SyscallEntry& entry : all_syscalls(abi)) {
            out << abi_name(abi) << ' ' << entry.number << ' ' << entry.name
                << classes_of[entry.name]
                << (catalogue::has_byte_count(abi, entry.name) ? " short" : "") << '\n';
        }
    }
}

void list_errnos(std::ostream& out) {
    for (const ErrnoEntry& entry : all_errnos()) {
        out << entry.name << ' ' << entry.number << ' ' << entry.description << '\n';
    }
}

// While the program runs, inject outlives the signals meant for it: Ctrl-C and Ctrl-\ reach
// the program from the terminal by themselves, and SIGTERM/SIGHUP sent to inject are passed
// on. A caught signal reverts to its default in the program at exec, unlike an ignored one.
std::atomic<pid_t> g_program{0};

extern "C" void forward_signal(int signal) {
    if (signal == SIGTERM || signal == SIGHUP) {
        if (const pid_t program = g_program.load(); program > 0) {
            ::kill(program, signal);
        }
    }
}

// With -p the same signals make inject let the processes go, then end, as strace does: a
// process it did not start must run on unharmed, which inject dying at once would not ensure
// (a call caught halfway would return -ENOSYS). The handler only makes the request.
std::atomic<DetachRequest*> g_detach{nullptr};

extern "C" void request_detach(int) {
    if (DetachRequest* detach = g_detach.load()) {
        detach->request();
    }
}

// SIGINT, SIGQUIT, SIGTERM and SIGHUP go to `handler` (forward_signal or request_detach)
// while inject runs; the former dispositions come back when it ends.
class CaughtSignals {
  public:
    explicit CaughtSignals(void (*handler)(int)) {
        for (std::size_t index = 0; index < kSignals.size(); ++index) {
            struct sigaction action {};
            action.sa_handler = handler;
            action.sa_flags = SA_RESTART;
            sigemptyset(&action.sa_mask);
            ::sigaction(kSignals[index], nullptr, &saved_[index]);
            if (saved_[index].sa_handler != SIG_IGN) {  // nohup and friends stay in force
                ::sigaction(kSignals[index], &action, nullptr);
            }
        }
    }
    CaughtSignals(const CaughtSignals&) = delete;
    CaughtSignals& operator=(const CaughtSignals&) = delete;
    ~CaughtSignals() {
        g_program.store(0);
        g_detach.store(nullptr);
        for (std::size_t index = 0; index < kSignals.size(); ++index) {
            ::sigaction(kSignals[index], &saved_[index], nullptr);
        }
    }

  private:
    static constexpr std::array<int, 4> kSignals{SIGINT, SIGQUIT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 4> saved_{};
};

std::string pid_list(const std::vector<pid_t>& pids) {
    std::string list;
    for (const pid_t pid : pids) {
        list += (list.empty() ? "" : ", ") + std::to_string(pid);
    }
    return list;
}

// What -p cannot do: inject sees neither the output of a process it did not start nor may it
// kill it, and a JUnit testcase is a program run from start to end.
void check_attach_options(const Options& options, const std::vector<Scenario>& scenarios) {
    if (!options.command.empty()) {
        throw UsageError(
            "-p PID and a PROGRAM exclude each other: attach to a running process, "
            "or start one");
    }
    if (options.junit) {
        throw UsageError("--junit needs a PROGRAM to run, not -p");
    }
    for (const Scenario& scenario : scenarios) {
        if (scenario.expect && (scenario.expect->needs_output() || scenario.expect->timeout)) {
            throw UsageError(scenario.source +
                             ": with -p, [expect] may state exit_code, signal and injected only "
                             "(inject neither sees the output of a process it did not start, "
                             "nor kills it at a timeout)");
        }
    }
}

}  // namespace

Options parse_command_line(const std::vector<std::string>& arguments) {
    const std::size_t split = end_of_options(arguments);
    const std::vector<std::string> own(arguments.begin(),
                                       arguments.begin() + static_cast<std::ptrdiff_t>(split));
    Options options;
    std::size_t command_start = split;
    if (command_start < arguments.size() && arguments[command_start] == "--") {
        ++command_start;
    }
    options.command.assign(arguments.begin() + static_cast<std::ptrdiff_t>(command_start),
                           arguments.end());

    po::variables_map values;
    try {
        const auto style =
            po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
        const po::parsed_options parsed =
            po::command_line_parser(own).options(options_description()).style(style).run();
        for (const po::option& option : parsed.options) {
            for (const std::string& value : option.value) {
                if (option.string_key == "scenario") {
                    options.rule_sources.push_back(
                        {Options::RuleSource::Kind::scenario_file, value});
                } else if (option.string_key == "inject") {
                    options.rule_sources.push_back(
                        {Options::RuleSource::Kind::spec, spec_from_e_argument(value)});
                }
            }
        }
        po::store(parsed, values);
        po::notify(values);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }

    if (values.count("attach") != 0) {
        for (const std::string& pid : values["attach"].as<std::vector<std::string>>()) {
            options.attach.push_back(parse_pid(pid));
        }
    }
    if (values.count("output") != 0) {
        options.output = values["output"].as<std::string>();
    }
    if (values.count("junit") != 0) {
        options.junit = values["junit"].as<std::string>();
    }
    if (values.count("report") != 0) {
        options.report = values["report"].as<std::string>();
    }
    if (values.count("seed") != 0) {
        options.seed = parse_seed(values["seed"].as<std::string>());
    }
    options.quiet = values["quiet"].as<bool>();
    options.check = values["check"].as<bool>();
    options.list_syscalls = values["list-syscalls"].as<bool>();
    options.list_errnos = values["list-errnos"].as<bool>();
    options.no_seccomp = values["no-seccomp"].as<bool>();
    options.no_notify = values["no-notify"].as<bool>();
    options.help = values["help"].as<bool>();
    options.version = values["version"].as<bool>();
    return options;
}

SeedChoice choose_seed(const Options& options, const std::vector<Scenario>& scenarios,
                       const std::function<std::uint64_t()>& draw) {
    if (options.seed) {
        return {*options.seed, SeedChoice::From::option, {}};
    }
    for (const Scenario& scenario : scenarios) {
        if (scenario.seed) {
            return {*scenario.seed, SeedChoice::From::scenario, scenario.source};
        }
    }
    for (const Scenario& scenario : scenarios) {
        if (has_probability(scenario.rules)) {
            return {draw(), SeedChoice::From::drawn, {}};
        }
    }
    return {};
}

std::uint64_t random_seed() {
    std::uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) == static_cast<ssize_t>(sizeof seed)) {
        return seed;
    }
    // getrandom only fails on kernels before 3.17; any seed will do, as it is printed.
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) | device();
}

int main(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
    Options options;
    SeedChoice seed;
    std::vector<Scenario> scenarios;
    std::vector<Rule> rules;
    try {
        options = parse_command_line(arguments);
        if (options.help) {
            out << kUsage << '\n' << options_description() << '\n';
            return 0;
        }
        if (options.version) {
            out << "inject " << INJECT_VERSION << '\n';
            return 0;
        }
        if (options.list_syscalls) {
            list_syscalls(out);
            return 0;
        }
        if (options.list_errnos) {
            list_errnos(out);
            return 0;
        }
        rules = load_rules(options, scenarios);
        seed = choose_seed(options, scenarios, random_seed);
        if (options.check) {
            print_rules(out, scenarios, rules, options, seed);
            return 0;
        }
        if (!options.attach.empty()) {
            check_attach_options(options, scenarios);
        } else if (options.command.empty()) {
            throw UsageError(
                "no program to run (usage: inject [OPTIONS] [--] PROGRAM [ARG...], or -p PID)");
        }
    } catch (const UsageError& error) {
        err << "inject: " << error.what() << '\n';
        return kExitInjectFailed;
    } catch (const ScenarioError& error) {
        err << error.what() << '\n';  // the message starts with its location
        return kExitInjectFailed;
    }

    // With expectations the scenarios are tests: their outcome, not the program's status, is
    // inject's, and a hang is ended by the smallest timeout any of them gives.
    bool has_expectations = false;
    RunOptions run_options;
    run_options.seed = seed.value;
    run_options.use_seccomp = !options.no_seccomp;
    run_options.use_notify = !options.no_notify;
    run_options.on_start = [](pid_t program) { g_program.store(program); };
    run_options.capture_output = options.junit.has_value();  // for <system-out>
    for (const Scenario& scenario : scenarios) {
        if (!scenario.expect) {
            continue;
        }
        has_expectations = true;
        run_options.capture_output = run_options.capture_output || scenario.expect->needs_output();
        if (const auto timeout = scenario.expect->timeout) {
            run_options.timeout = std::min(run_options.timeout.value_or(*timeout), *timeout);
        }
    }

    // The report lists every injection, so none may be dropped from the records.
    if (options.report) {
        run_options.max_recorded_injections = SIZE_MAX;
    }
    std::optional<report::JunitFile> junit;
    std::optional<report::OutputFile> json_file;
    std::optional<report::OutputFile> log_file;
    std::optional<DetachRequest> detach;
    try {
        if (!options.attach.empty()) {
            detach.emplace();
            run_options.detach = &*detach;
            // Once every process is seized: the line also tells a script that it may go on.
            run_options.on_start = [&, noted = false](pid_t) mutable {
                if (!noted && !rules.empty()) {
                    noted = true;
                    err << "inject: note: attached to " << pid_list(options.attach)
                        << ": no seccomp filter, every syscall stops (slower)" << std::endl;
                }
            };
        }
        if (options.junit) {
            junit.emplace(*options.junit);
        }
        if (options.report) {
            json_file.emplace("--report", *options.report);
        }
        if (options.output) {
            log_file.emplace("--output", *options.output);
        }
    } catch (const std::runtime_error& error) {
        err << "inject: " << error.what() << '\n';
        return kExitInjectFailed;
    }
    // Returns false (after saying so) when the file could not be written.
    const auto write_junit = [&](const std::vector<report::JunitCase>& cases, double seconds) {
        if (!junit) {
            return true;
        }
        try {
            junit->write(report::junit_xml(cases, seconds));
        } catch (const std::runtime_error& error) {
            err << "inject: " << error.what() << '\n';
            return false;
        }
        return true;
    };

    // Line by line as the calls return, so the log is current while the program runs. A write
    // that fails ends the log but not the run; inject says so once the run is over.
    std::optional<std::string> log_error;
    if (log_file) {
        run_options.syscall_log = [&](const SyscallRecord& record) {
            if (log_error) {
                return;
            }
            try {
                log_file->append(syscall_log_line(record) + '\n');
            } catch (const std::runtime_error& error) {
                log_error = error.what();
            }
        };
    }

    // Even with -q: without the seed a run that failed by chance cannot be repeated.
    if (seed.from == SeedChoice::From::drawn) {
        err << "inject: seed " << seed.value << " (repeat this run with --seed " << seed.value
            << ")\n";
    }
    try {
        if (detach) {
            g_detach.store(&*detach);
        }
        const CaughtSignals caught(detach ? request_detach : forward_signal);
        const auto start = std::chrono::steady_clock::now();
        const RunResult result = detach ? attach(rules, options.attach, run_options)
                                        : run(rules, options.command, run_options);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (const std::string& note : result.notes) {
            err << "inject: note: " << note << '\n';
        }
        if (!options.quiet) {
            report::write_summary(err, rules, result, options.command);
        }
        bool all_held = true;
        std::vector<report::CheckedExpectations> checked;
        for (const Scenario& scenario : scenarios) {
            if (scenario.expect) {
                const report::ExpectationOutcome outcome =
                    report::check_expectations(*scenario.expect, result, run_options.timeout);
                report::write_outcome(err, scenario.source, outcome);
                all_held = all_held && outcome.passed();
                checked.push_back({scenario.source, outcome});
            }
        }
        if (json_file) {
            const report::ReportInput input{
                INJECT_VERSION,
                options.command,
                has_probability(rules) ? std::optional<std::uint64_t>(seed.value) : std::nullopt,
                &rules,
                &result,
                std::move(checked)};
            try {
                json_file->write(report::json_report(input));
            } catch (const std::runtime_error& error) {
                err << "inject: " << error.what() << '\n';
                return kExitInjectFailed;
            }
        }
        if (!write_junit(report::junit_cases(scenarios, options.command, result,
                                             run_options.timeout, seconds),
                         seconds)) {
            return kExitInjectFailed;
        }
        if (log_file) {
            try {
                log_file->close();
            } catch (const std::runtime_error& error) {
                log_error = log_error.value_or(error.what());
            }
        }
        if (log_error) {
            err << "inject: " << *log_error << " (the syscall log stops there)\n";
            return kExitInjectFailed;
        }
        if (has_expectations) {
            return all_held ? kExitPassed : kExitExpectationFailed;
        }
        return exit_status(result);
    } catch (const LaunchError& error) {
        err << "inject: " << error.what() << '\n';
        write_junit(report::junit_error_cases(scenarios, options.command, error.what()), 0);
        return error.exit_status();
    } catch (const std::exception& error) {
        err << "inject: " << error.what() << '\n';
        write_junit(report::junit_error_cases(scenarios, options.command, error.what()), 0);
        return kExitInjectFailed;
    }
}

}  // namespace inject::cli
