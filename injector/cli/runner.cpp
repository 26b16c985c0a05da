#include "cli/runner.hpp"

#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "explore/after_command.hpp"
#include "explore/workspace.hpp"
#include "inject/exit_status.hpp"
#include "inject/syscall_log.hpp"
#include "report/json_report.hpp"
#include "report/junit.hpp"
#include "report/output_file.hpp"
#include "report/stack_lines.hpp"
#include "report/summary.hpp"
#include "syscalls/signals.hpp"

#ifndef INJECT_VERSION
#define INJECT_VERSION "unknown"
#endif

namespace inject::cli {

namespace {

// While the program runs, inject outlives the signals meant for it: Ctrl-C and Ctrl-\ reach
// the program from the terminal by themselves, and SIGTERM/SIGHUP sent to inject are passed
// on to every process it traces. A caught signal reverts to its default in the program at
// exec, unlike an ignored one.
std::atomic<SignalForwarder*> g_forwarder{nullptr};

extern "C" void forward_signal(int signal) {
    if (signal == SIGTERM || signal == SIGHUP) {
        if (SignalForwarder* forwarder = g_forwarder.load()) {
            forwarder->forward(signal);
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
        for (std::size_t index = 0; index < kSignals.size(); ++index) {
            ::sigaction(kSignals[index], &saved_[index], nullptr);
        }
        g_forwarder.store(nullptr);
        g_detach.store(nullptr);
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

// "the program exited 3", for a message that must not lose how the program ended.
std::string how_it_ended(const RunResult& result) {
    if (result.detached) {
        return "inject let the processes go on untraced";
    }
    if (result.signal) {
        return "the program was killed by " + signal_name(*result.signal);
    }
    return "the program exited " + std::to_string(result.exit_code.value_or(0));
}

// The files of -o, --report and --junit, opened before the program starts.
struct OutputFiles {
    std::optional<report::OutputFile> log;
    std::optional<report::OutputFile> json;
    std::optional<report::JunitFile> junit;
    // The report's injections, every one, as the run makes them.
    std::optional<report::InjectionSpill> injections;
    // The first write of the log that failed: the log ends there, the run goes on.
    std::optional<std::string> log_error;

    explicit OutputFiles(const Options& options) {
        if (options.junit) {
            junit.emplace(*options.junit);
        }
        if (options.report) {
            json.emplace("--report", *options.report);
            injections.emplace(*options.report);
        }
        if (options.output) {
            log.emplace("--output", *options.output);
        }
    }

    std::function<void(const Injection&)> injection_writer() {
        if (!injections) {
            return {};
        }
        return [this](const Injection& injection) { injections->add(injection); };
    }

    // Line by line as the calls return, so the log is current while the program runs.
    std::function<void(const SyscallRecord&)> log_writer() {
        if (!log) {
            return {};
        }
        return [this](const SyscallRecord& record) {
            if (log_error) {
                return;
            }
            try {
                log->append(syscall_log_line(record) + '\n' + report::stack_lines(record.stack));
            } catch (const std::runtime_error& error) {
                log_error = error.what();
            }
        };
    }
};

// Where a plain run happens: in a fresh copy of --fixture, when given (PROGRAM found from where
// inject was started), and where --after finds the program's output.
struct RunPlace {
    std::optional<exploration::Workspace> workspace;
    std::optional<exploration::InDirectory> inside;
    std::string directory;
    std::vector<std::string> command;

    RunPlace(const Options& options, std::ostream& err) : command(options.command) {
        if (options.fixture || options.after) {
            workspace.emplace("");
        }
        if (options.fixture) {
            if (command.front().find('/') != std::string::npos) {
                command.front() = std::filesystem::absolute(command.front()).string();
            }
            directory = workspace->fresh_copy("run", options.fixture);
            inside.emplace(directory);
            err << "inject: note: running in " << directory << " (a copy of " << *options.fixture
                << ", kept)\n";
        } else {
            directory = std::filesystem::current_path().string();
        }
    }
    RunPlace(const RunPlace&) = delete;
    RunPlace& operator=(const RunPlace&) = delete;
    // The output files go; the fixture's copy stays, to look at what the program left.
    ~RunPlace() {
        if (!workspace) {
            return;
        }
        inside.reset();
        std::error_code ignored;
        for (const char* stream : {"stdout", "stderr"}) {
            std::filesystem::remove(workspace->output_path("run", stream), ignored);
        }
        workspace->remove_if_empty();
    }
};

// --after: how the program ended told to the command; 1 when it fails, else the status given.
int check_after(const Plan& plan, const RunResult& result, const RunPlace& place, int status,
                std::ostream& err) {
    if (!plan.options.after || result.detached) {
        return status;
    }
    const std::string out = place.workspace->output_path("run", "stdout");
    const std::string errors = place.workspace->output_path("run", "stderr");
    exploration::write_text_file(out, result.captured_stdout);
    exploration::write_text_file(errors, result.captured_stderr);
    std::string faults;
    for (const Rule& rule : plan.rules) {
        faults += (faults.empty() ? "" : ";") + to_spec(rule);
    }
    const int after = exploration::run_after_command(
        *plan.options.after,
        {place.directory, result.exit_code, result.signal, faults, out, errors, std::nullopt});
    if (after == 0) {
        return status;
    }
    err << "inject: FAIL: --after exited " << after << '\n';
    return kExitExpectationFailed;
}

RunResult run_or_attach(const Plan& plan, RunOptions run_options, std::ostream& err,
                        const std::vector<std::string>& command) {
    const Options& options = plan.options;
    if (options.mode == Mode::attach) {
        DetachRequest detach;
        run_options.detach = &detach;
        // Once every process is seized: the line also tells a script that it may go on.
        run_options.on_start = [&, noted = false](pid_t) mutable {
            if (!noted && !plan.rules.empty()) {
                noted = true;
                err << "inject: note: attached to " << pid_list(options.attach)
                    << ": no seccomp filter, every syscall stops (slower)" << std::endl;
            }
        };
        g_detach.store(&detach);
        const CaughtSignals caught(request_detach);
        return attach(plan.rules, options.attach, run_options);
    }
    SignalForwarder forwarder;
    run_options.forward_signals = &forwarder;
    g_forwarder.store(&forwarder);
    const CaughtSignals caught(forward_signal);
    return run(plan.rules, command, run_options);
}

// The outcome of each scenario's expectations, printed as they are checked.
std::vector<report::CheckedExpectations> check_scenarios(const Plan& plan, const RunResult& result,
                                                         std::ostream& err) {
    std::vector<report::CheckedExpectations> checked;
    const std::vector<CheckScope> scopes = report::scenario_scopes(plan.scenarios, plan.timeout);
    for (std::size_t index = 0; index < plan.scenarios.size(); ++index) {
        const Scenario& scenario = plan.scenarios[index];
        if (scenario.expect) {
            report::ExpectationOutcome outcome =
                report::check_expectations(*scenario.expect, result, scopes[index]);
            report::write_outcome(err, scenario.source, outcome);
            checked.push_back({scenario.source, std::move(outcome)});
        }
    }
    return checked;
}

// Writes the report and the JUnit file and closes the log; the first failure, if any.
std::optional<std::string> write_outputs(const Plan& plan, const RunResult& result,
                                         std::vector<report::CheckedExpectations> checked,
                                         double seconds, OutputFiles& files) {
    try {
        if (files.json) {
            if (const auto& error = files.injections->error()) {
                throw std::runtime_error("cannot write --report " + *plan.options.report + ": " +
                                         *error);
            }
            const bool seeded = draws_from_seed(plan.rules);
            report::write_json_report(
                {INJECT_VERSION, plan.options.command,
                 seeded ? std::optional<std::uint64_t>(plan.seed.value) : std::nullopt, &plan.rules,
                 &result, std::move(checked), &*files.injections},
                [&](std::string_view piece) { files.json->append(piece); });
            files.json->close();
        }
        if (files.junit) {
            files.junit->write(
                report::junit_xml(report::junit_cases(plan.scenarios, plan.options.command, result,
                                                      plan.timeout, seconds),
                                  seconds));
        }
        if (files.log) {
            files.log->close();
        }
    } catch (const std::runtime_error& error) {
        return error.what();
    }
    if (files.log_error) {
        return *files.log_error + " (the syscall log stops there)";
    }
    return std::nullopt;
}

int exit_status_of(const Plan& plan, const RunResult& result,
                   const std::vector<report::CheckedExpectations>& checked) {
    if (plan.has_expectations) {
        const bool all_held = std::all_of(checked.begin(), checked.end(),
                                          [](const auto& entry) { return entry.outcome.passed(); });
        return all_held ? kExitPassed : kExitExpectationFailed;
    }
    return result.timed_out ? kExitTimedOut : exit_status(result);
}

}  // namespace

int execute(const Plan& plan, std::ostream& err) {
    OutputFiles files(plan.options);
    RunOptions run_options = plan.run_options;
    run_options.syscall_log = files.log_writer();
    run_options.on_injection = files.injection_writer();
    // Even with -q: without the seed a run that failed by chance cannot be repeated.
    if (plan.seed.from == SeedChoice::From::drawn) {
        err << "inject: seed " << plan.seed.value << " (repeat this run with --seed "
            << plan.seed.value << ")\n";
    }
    if (plan.options.after) {
        run_options.capture_output = true;  // for INJECT_STDOUT and INJECT_STDERR
    }
    const RunPlace place(plan.options, err);
    const auto start = std::chrono::steady_clock::now();
    RunResult result;
    try {
        result = run_or_attach(plan, std::move(run_options), err, place.command);
    } catch (const std::exception& error) {
        if (files.junit) {
            files.junit->write(report::junit_xml(
                report::junit_error_cases(plan.scenarios, plan.options.command, error.what()), 0));
        }
        throw;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const std::string& note : result.notes) {
        err << "inject: note: " << note << '\n';
    }
    if (!plan.options.quiet) {
        report::write_summary(err, plan.rules, result, plan.options.command);
    }
    std::vector<report::CheckedExpectations> checked = check_scenarios(plan, result, err);
    const int status = check_after(plan, result, place, exit_status_of(plan, result, checked), err);
    if (const auto failure = write_outputs(plan, result, std::move(checked), seconds, files)) {
        // inject's own failure wins, but how the program ended is not lost.
        err << "inject: " << how_it_ended(result) << "; " << *failure << '\n';
        return kExitInjectFailed;
    }
    return status;
}

}  // namespace inject::cli
