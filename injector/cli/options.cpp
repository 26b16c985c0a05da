#include "cli/options.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <stdexcept>
#include <string_view>

#include "inject/names.hpp"
#include "inject/scenario.hpp"
#include "syscalls/durations.hpp"
#include "syscalls/text.hpp"

namespace inject::cli {

namespace po = boost::program_options;

namespace {

constexpr std::string_view kUsage =
    "usage: inject [OPTIONS] [--] PROGRAM [ARG...]\n"
    "       inject [OPTIONS] -p PID\n"
    "       inject --explore [OPTIONS] [--] PROGRAM [ARG...]\n"
    "Runs PROGRAM traced (or traces the running process PID) and makes the system calls that\n"
    "the rules pick fail.\n";

po::options_description describe_options() {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("scenario,s", po::value<std::vector<std::string>>()->value_name("FILE"),
         "load faults (and expectations) from a TOML scenario; repeatable")
        ("inject,e", po::value<std::vector<std::string>>()->value_name("SPEC"),
         "one fault in strace's syntax, SET:KEY=VALUE[:KEY=VALUE...] with error, retval, "
         "short, signal, delay (delay_enter, delay_exit), poke_enter, poke_exit, syscall, "
         "when, probability, per, path, fd, process, caller, run, lose_unsynced, mode; SET as strace's (names, numbers, "
         "classes such as %file, !SET, /regex, ?name, name@64, all, none); repeatable; also -e "
         "inject=SPEC, -e fault=SPEC (error defaults to ENOSYS), and -e trace=SET: the calls "
         "the syscall log (-o) shows")
        ("seed", po::value<std::string>()->value_name("N"),
         "seed for probability triggers")
        ("attach,p", po::value<std::vector<std::string>>()->value_name("PID"),
         "trace a running process (and its threads) instead of starting one; repeatable")
        ("output,o", po::value<std::string>()->value_name("FILE"),
         "syscall log: one strace-like line per call that stops, injected ones marked")
        ("stack,k", po::bool_switch(),
         "with -o: each logged call is followed by its stack, as strace -k prints it")
        ("report", po::value<std::string>()->value_name("FILE"),
         "JSON report of the run: rules, every injection, result")
        ("junit", po::value<std::string>()->value_name("FILE"),
         "write the outcome as JUnit XML, one testcase per scenario")
        ("timeout", po::value<std::string>()->value_name("DURATION"),
         "kill the program and all it started after this long (10s, 2m): a failure, "
         "exit 124 without expectations")
        ("fixture", po::value<std::string>()->value_name("DIR"),
         "run in a fresh copy of DIR (with --explore: each run in its own copy)")
        ("after", po::value<std::string>()->value_name("CMD"),
         "a shell command run in the program's directory after it ended (env INJECT_EXIT_CODE, "
         "INJECT_SIGNAL, INJECT_FAULT, INJECT_RUN_DIR, INJECT_STDOUT, INJECT_STDERR); "
         "non-zero fails the run")
        ("explore", po::bool_switch(),
         "fail each failure point of PROGRAM in a run of its own and report the ones it does "
         "not survive; the rules given are templates (default: share/inject/explore-default.toml)")
        ("explore-by", po::value<std::string>()->value_name("site|call"),
         "with --explore: one run per failure point (site, the default) or per call")
        ("max-runs", po::value<std::string>()->value_name("N"),
         "with --explore: at most N runs (default 2000)")
        ("jobs,j", po::value<std::string>()->value_name("N"),
         "with --explore: N runs at once (default: the CPUs)")
        ("explore-startup", po::bool_switch(),
         "with --explore: also fail the calls made before the program's own code runs")
        ("save-scenarios", po::value<std::string>()->value_name("DIR"),
         "with --explore: write a pinned scenario per failing group into DIR")
        ("undo-limit", po::value<std::string>()->value_name("SIZE"),
         "with lose_unsynced: the most old bytes kept on disk to undo unsynced changes "
         "(512M, 1G; default 1G); past it the run is stopped with a note")
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
    std::string message = "unknown option " + text::quoted(name);
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
        throw UsageError("--seed " + text::one_line(text) + ": expected a non-negative integer");
    }
    return value;
}

pid_t parse_pid(const std::string& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value <= 0) {
        throw UsageError("--attach " + text::one_line(text) +
                         ": expected a process ID (a positive integer)");
    }
    return value;
}

// Bytes, with a binary suffix K, M, G or T (KiB... also read): "512M", "1G", "4096".
std::uint64_t parse_undo_limit(const std::string& text) {
    const auto refuse = [&]() -> std::uint64_t {
        throw UsageError("--undo-limit " + text::quoted(text) +
                         ": give a size greater than 0 such as 512M or 1G");
    };
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits > 15) {
        return refuse();
    }
    std::string_view suffix = std::string_view(text).substr(digits);
    if (suffix.ends_with("iB")) {
        suffix.remove_suffix(2);
    }
    static constexpr std::string_view kUnits = "KMGT";
    unsigned shift = 0;
    if (suffix.size() == 1 && kUnits.find(suffix[0]) != std::string_view::npos) {
        shift = 10 * static_cast<unsigned>(kUnits.find(suffix[0]) + 1);
    } else if (!suffix.empty()) {
        return refuse();
    }
    const std::uint64_t number = std::stoull(text.substr(0, digits));
    if (number == 0 || number > (UINT64_MAX >> shift)) {
        return refuse();
    }
    return number << shift;
}

std::chrono::milliseconds parse_timeout(const std::string& text) {
    std::chrono::microseconds timeout{};
    try {
        timeout = text::checked_duration("--timeout", text, "10s");
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
    if (timeout.count() == 0) {
        throw UsageError("--timeout " + text + ": give a time greater than 0, such as 10s");
    }
    return std::chrono::ceil<std::chrono::milliseconds>(timeout);
}

// strace's -e qualifiers that make no sense here, each with what inject does instead.
struct RefusedQualifier {
    std::vector<std::string_view> names;  // strace's name and its aliases
    std::string_view instead;
};

const std::vector<RefusedQualifier>& refused_qualifiers() {
    static const std::vector<RefusedQualifier> refused{
        {{"abbrev", "a", "verbose", "v", "raw", "x"},
         "the syscall log (-o) has one format, strace -f -y's"},
        {{"signal", "signals", "s"},
         "the syscall log (-o) shows calls, not signals, and the program gets all of its own"},
        {{"status"}, "the syscall log (-o) shows every call it logs, whatever it returned"},
        {{"quiet", "silent", "silence", "q"},
         "the syscall log (-o) holds calls only, and -q silences the summary"},
        {{"read", "reads", "r", "write", "writes", "w"},
         "the syscall log (-o) shows a buffer's first 32 bytes and dumps no I/O"},
        {{"kvm"}, "inject does not decode KVM vCPU exits"},
        {{"decode-fd", "decode-fds"},
         "the syscall log (-o) always shows a descriptor's file, as strace -y does"},
        {{"decode-pid", "decode-pids"}, "the syscall log (-o) shows thread ids as they are"},
        {{"secontext"}, "inject shows no SELinux contexts"},
    };
    return refused;
}

// Worded as every other spec's mistake is.
ScenarioError e_argument_error(const std::string& argument, const std::string& what) {
    return ScenarioError("--inject " + text::one_line(argument) + ": " + what);
}

// -e takes strace's qualifiers: inject= and fault= (or a bare spec) give a rule, trace= (t=)
// the calls the syscall log shows; strace's others are refused with what inject does instead.
void read_e_argument(const std::string& argument, Options& options) {
    const auto equals = argument.find('=');
    const auto colon = argument.find(':');
    const std::string qualifier = equals == std::string::npos ? "" : argument.substr(0, equals);
    if (equals == std::string::npos || (colon != std::string::npos && colon < equals) ||
        qualifier == "inject" || qualifier == "fault") {
        // parse_spec reads the "inject=" and "fault=" forms itself.
        options.rule_sources.push_back({Options::RuleSource::Kind::spec, argument});
        return;
    }
    if (qualifier == "trace" || qualifier == "t") {
        try {
            options.trace = parse_syscall_names(argument.substr(equals + 1));  // the last wins
        } catch (const std::invalid_argument& error) {
            throw e_argument_error(argument, error.what());
        }
        return;
    }
    std::vector<std::string> known{"inject", "fault", "trace"};
    for (const RefusedQualifier& refused : refused_qualifiers()) {
        if (std::find(refused.names.begin(), refused.names.end(), qualifier) !=
            refused.names.end()) {
            throw e_argument_error(argument,
                                   "strace's -e " + qualifier +
                                       "= has no use in inject: " + std::string(refused.instead));
        }
        known.emplace_back(refused.names.front());
    }
    throw e_argument_error(argument, "unknown qualifier " + text::quoted(qualifier) +
                                         text::did_you_mean(qualifier, known) +
                                         " (inject takes inject=, fault= and trace=)");
}

// A count that must be at least 1: -j 0 would run nothing, --max-runs 0 explore nothing.
std::size_t parse_count(const std::string& option, const std::string& text) {
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty() || value == 0) {
        throw UsageError(option + " " + text::one_line(text) +
                         ": expected a positive integer (at least 1)");
    }
    return value;
}

Options::Exploration exploration_of(const po::variables_map& values) {
    Options::Exploration exploration;
    if (values.count("explore-by") != 0) {
        const std::string by = values["explore-by"].as<std::string>();
        if (by != "site" && by != "call") {
            throw UsageError("--explore-by " + text::one_line(by) + ": expected site or call");
        }
        exploration.by_call = by == "call";
        exploration.any_given = true;
    }
    if (values.count("max-runs") != 0) {
        exploration.max_runs = parse_count("--max-runs", values["max-runs"].as<std::string>());
        exploration.any_given = true;
    }
    if (values.count("jobs") != 0) {
        const std::size_t jobs = parse_count("-j", values["jobs"].as<std::string>());
        if (jobs > 4096) {
            throw UsageError("-j " + std::to_string(jobs) + ": at most 4096 runs at once");
        }
        exploration.jobs = static_cast<unsigned>(jobs);
        exploration.any_given = true;
    }
    if (values.count("save-scenarios") != 0) {
        exploration.save_scenarios = values["save-scenarios"].as<std::string>();
        exploration.any_given = true;
    }
    exploration.startup = values["explore-startup"].as<bool>();
    exploration.any_given = exploration.any_given || exploration.startup;
    return exploration;
}

Mode mode_of(const po::variables_map& values, const Options& options) {
    for (const auto& [name, mode] : {std::pair{"help", Mode::help},
                                     {"version", Mode::version},
                                     {"list-syscalls", Mode::list_syscalls},
                                     {"list-errnos", Mode::list_errnos},
                                     {"check", Mode::check},
                                     {"explore", Mode::explore}}) {
        if (values[name].as<bool>()) {
            return mode;
        }
    }
    return options.attach.empty() ? Mode::run : Mode::attach;
}

}  // namespace

void write_help(std::ostream& out) {
    out << kUsage << '\n' << options_description() << '\n';
}

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
                    read_e_argument(value, options);
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
    if (values.count("timeout") != 0) {
        options.timeout = parse_timeout(values["timeout"].as<std::string>());
    }
    if (values.count("fixture") != 0) {
        options.fixture = values["fixture"].as<std::string>();
    }
    if (values.count("after") != 0) {
        options.after = values["after"].as<std::string>();
    }
    options.exploration = exploration_of(values);
    if (values.count("undo-limit") != 0) {
        options.undo_limit = parse_undo_limit(values["undo-limit"].as<std::string>());
    }
    options.quiet = values["quiet"].as<bool>();
    options.stack = values["stack"].as<bool>();
    options.no_seccomp = values["no-seccomp"].as<bool>();
    options.no_notify = values["no-notify"].as<bool>();
    options.mode = mode_of(values, options);
    return options;
}

}  // namespace inject::cli
