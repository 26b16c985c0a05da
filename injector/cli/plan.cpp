#include "cli/plan.hpp"

#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <variant>

#include "explore/workspace.hpp"
#include "report/junit.hpp"

namespace inject::cli {

namespace {

std::vector<Scenario> load_scenarios(const Options& options) {
    std::vector<Scenario> scenarios;
    for (const auto& source : options.rule_sources) {
        scenarios.push_back(source.kind == Options::RuleSource::Kind::scenario_file
                                ? load_scenario_file(source.text)
                                : scenario_from_spec(source.text));
    }
    return scenarios;
}

std::vector<Rule> rules_of(const std::vector<Scenario>& scenarios) {
    std::vector<Rule> rules;
    for (const Scenario& scenario : scenarios) {
        rules.insert(rules.end(), scenario.rules.begin(), scenario.rules.end());
    }
    return rules;
}

// What a -p run cannot do: inject sees neither the output of a process it did not start nor
// may it kill it, and a JUnit testcase is a program run from start to end.
void check_attach_options(const Options& options, const std::vector<Scenario>& scenarios) {
    if (!options.command.empty()) {
        throw UsageError(
            "-p PID and a PROGRAM exclude each other: attach to a running process, "
            "or start one");
    }
    if (options.junit) {
        throw UsageError("--junit needs a PROGRAM to run, not -p");
    }
    if (options.timeout) {
        throw UsageError(
            "--timeout needs a PROGRAM to run: inject does not kill a process it "
            "attached to");
    }
    for (const Scenario& scenario : scenarios) {
        for (const Rule& rule : scenario.rules) {
            if (rule.effect.lose_unsynced) {
                // The cut needs every change since the program started, and a tree to kill.
                throw UsageError(rule.origin +
                                 ": lose_unsynced needs a PROGRAM to run, not -p: inject has "
                                 "not seen what an attached process changed before");
            }
        }
        if (scenario.expect && (scenario.expect->needs_output() || scenario.expect->timeout)) {
            throw UsageError(scenario.source +
                             ": with -p, [expect] may state exit_code, signal and injected only "
                             "(inject neither sees the output of a process it did not start, "
                             "nor kills it at a timeout)");
        }
    }
}

// A file named on the command line, as an identity two names of the same file share: its
// device and inode when it exists as a regular file, else its path made absolute and
// normal (a file that does not exist yet has no inode to compare). Devices and pipes
// (/dev/null, /dev/stderr) are no file of their own: several outputs may share one.
using FileIdentity = std::variant<std::monostate, std::pair<dev_t, ino_t>, std::string>;

FileIdentity identity_of(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        if (!S_ISREG(info.st_mode)) {
            return std::monostate{};
        }
        return std::pair{info.st_dev, info.st_ino};
    }
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::weakly_canonical(path, error);
    return error ? std::filesystem::absolute(path).lexically_normal().string() : absolute.string();
}

struct NamedFile {
    std::string option;  // "-o", "--report", "-s"
    std::string path;
    bool output = true;
};

// No output may overwrite a scenario or another output: the log would end up inside the JSON
// report, or replace the scenario it was run from.
void check_output_files(const Options& options) {
    std::vector<NamedFile> files;
    for (const auto& [option, path] : {std::pair{"-o", &options.output},
                                       {"--report", &options.report},
                                       {"--junit", &options.junit}}) {
        if (*path) {
            files.push_back({option, **path, true});
        }
    }
    for (const auto& source : options.rule_sources) {
        if (source.kind == Options::RuleSource::Kind::scenario_file) {
            files.push_back({"-s", source.text, false});
        }
    }
    for (std::size_t first = 0; first < files.size(); ++first) {
        const FileIdentity identity = identity_of(files[first].path);
        if (std::holds_alternative<std::monostate>(identity) || !files[first].output) {
            continue;
        }
        for (std::size_t second = 0; second < files.size(); ++second) {
            if (second == first || (second < first && files[second].output) ||
                identity_of(files[second].path) != identity) {
                continue;
            }
            const NamedFile& a = files[first];
            const NamedFile& b = files[second];
            throw UsageError(a.option + " " + a.path + " and " + b.option + " " + b.path +
                             (b.output ? " are the same file: give each output a file of its own"
                                       : " are the same file: the output would overwrite the "
                                         "scenario"));
        }
    }
}

// The smallest of --timeout and the scenarios' own: a hang is ended by the first of them.
std::optional<RunTimeout> run_timeout(const Options& options,
                                      const std::vector<Scenario>& scenarios) {
    std::optional<RunTimeout> timeout;
    if (options.timeout) {
        timeout = RunTimeout{*options.timeout, "--timeout"};
    }
    for (const Scenario& scenario : scenarios) {
        if (scenario.expect && scenario.expect->timeout &&
            (!timeout || *scenario.expect->timeout < timeout->limit)) {
            timeout = RunTimeout{*scenario.expect->timeout, scenario.source};
        }
    }
    return timeout;
}

// --explore's own needs: a program inject starts (calls seen by an attach cannot be replayed),
// templates without when or probability, no syscall log (each run would write its own).
void check_explore_options(const Options& options, const std::vector<Scenario>& scenarios) {
    if (!options.attach.empty()) {
        throw UsageError(
            "--explore and -p exclude each other: calls seen in a running process cannot be "
            "replayed; explore a PROGRAM that inject starts");
    }
    if (options.command.empty()) {
        throw UsageError(
            "no program to explore (usage: inject --explore [OPTIONS] [--] PROGRAM "
            "[ARG...])");
    }
    if (options.output) {
        throw UsageError(
            "-o and --explore exclude each other: each run would log its own "
            "calls (replay a failure with -o instead)");
    }
    for (const Scenario& scenario : scenarios) {
        for (const Rule& rule : scenario.rules) {
            if (rule.when != When{} || rule.probability) {
                throw ScenarioError(rule.origin + ": a template for --explore has no " +
                                    (rule.probability ? "probability" : "when") +
                                    " (each run fails one call that --explore picks)");
            }
        }
    }
}

// Options that make sense for a program inject starts, checked for every mode.
void check_run_options(const Options& options) {
    if (options.exploration.any_given && options.mode != Mode::explore &&
        options.mode != Mode::check) {
        throw UsageError(
            "--explore-by, --max-runs, -j, --explore-startup and --save-scenarios need "
            "--explore");
    }
    if (!options.attach.empty() && options.mode == Mode::attach) {
        if (options.after) {
            throw UsageError(
                "--after needs a PROGRAM to run, not -p: inject cannot tell when "
                "a process it attached to has ended for good");
        }
        if (options.fixture) {
            throw UsageError("--fixture needs a PROGRAM to run, not -p");
        }
    }
    if (options.fixture) {
        try {
            exploration::check_fixture(*options.fixture);
        } catch (const std::invalid_argument& error) {
            throw UsageError(error.what());
        }
    }
}

// A profile of --explore (scenarios/NAME), where it was installed beside inject
// (PREFIX/share/inject), else in the source tree inject was built from.
std::string explore_profile(const std::string& name) {
    std::error_code error;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::filesystem::path installed = exe.parent_path().parent_path() / "share/inject" / name;
    if (!error && std::filesystem::exists(installed, error)) {
        return installed.string();
    }
#ifdef INJECT_SOURCE_SCENARIOS
    return std::string(INJECT_SOURCE_SCENARIOS) + "/" + name;
#else
    return installed.string();
#endif
}

// No -s or -e: the default profile, and with --after, which checks the files the program
// leaves, power cuts too.
void add_default_profiles(Options& options) {
    options.rule_sources.push_back(
        {Options::RuleSource::Kind::scenario_file, explore_profile("explore-default.toml")});
    if (options.after) {
        options.rule_sources.push_back(
            {Options::RuleSource::Kind::scenario_file, explore_profile("explore-power-cut.toml")});
    }
}

RunOptions run_options_of(const Plan& plan) {
    RunOptions run_options;
    run_options.seed = plan.seed.value;
    run_options.use_seccomp = !plan.options.no_seccomp;
    run_options.use_notify = !plan.options.no_notify;
    run_options.log_stacks = plan.options.stack;
    if (plan.options.output) {
        run_options.traced = plan.options.trace;
    }
    // For <system-out>, only what JUnit shows is kept; expectations are checked against more
    // (RunOptions' default).
    run_options.capture_output = plan.options.junit.has_value();
    run_options.max_captured_output = report::kJunitOutput;
    for (const Scenario& scenario : plan.scenarios) {
        if (scenario.expect && scenario.expect->needs_output()) {
            run_options.capture_output = true;
            run_options.max_captured_output = RunOptions{}.max_captured_output;
        }
    }
    if (plan.timeout) {
        run_options.timeout = plan.timeout->limit;
    }
    if (plan.options.undo_limit) {
        run_options.undo_limit = *plan.options.undo_limit;
    }
    // The report lists every injection: the runner streams them to it (RunOptions::
    // on_injection), and the records stay capped. The recorded ones carry their stacks,
    // unwound from the stopped thread, so under --report every picked call stops by ptrace.
    if (plan.options.report) {
        run_options.use_notify = false;
    }
    return run_options;
}

}  // namespace

// Whether some rule draws from the seed: a probability, or the prefix a power cut keeps.
bool draws_from_seed(const std::vector<Rule>& rules) {
    return std::any_of(rules.begin(), rules.end(), [](const Rule& rule) {
        return rule.probability.has_value() || rule.effect.lose_unsynced == UnsyncedLoss::prefix;
    });
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
        if (draws_from_seed(scenario.rules)) {
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

Plan make_plan(Options options) {
    Plan plan;
    if (options.mode == Mode::explore && options.rule_sources.empty()) {
        add_default_profiles(options);
    }
    plan.scenarios = load_scenarios(options);
    plan.rules = rules_of(plan.scenarios);
    plan.seed = choose_seed(options, plan.scenarios, random_seed);
    if (options.mode == Mode::attach) {
        check_attach_options(options, plan.scenarios);
    } else if (options.mode == Mode::run && options.command.empty()) {
        throw UsageError(
            "no program to run (usage: inject [OPTIONS] [--] PROGRAM [ARG...], or -p PID)");
    }
    if (options.mode == Mode::explore) {
        check_explore_options(options, plan.scenarios);
    }
    check_run_options(options);
    if (options.mode != Mode::check) {
        check_output_files(options);
    }
    if (options.stack && !options.output) {
        throw UsageError("-k needs -o FILE: the stacks follow the calls in the syscall log");
    }
    plan.has_expectations =
        std::any_of(plan.scenarios.begin(), plan.scenarios.end(),
                    [](const Scenario& scenario) { return scenario.expect.has_value(); });
    plan.timeout = run_timeout(options, plan.scenarios);
    plan.options = std::move(options);
    plan.run_options = run_options_of(plan);
    return plan;
}

}  // namespace inject::cli
