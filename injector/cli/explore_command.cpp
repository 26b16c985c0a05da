// inject --explore: the plan's templates explored, the progress shown on a terminal, the
// outcome told and written.
#include <unistd.h>

#include <chrono>
#include <ostream>
#include <thread>

#include "cli/runner.hpp"
#include "explore/explore_report.hpp"
#include "inject/exit_status.hpp"
#include "inject/explore.hpp"
#include "report/junit.hpp"
#include "report/output_file.hpp"

#ifndef INJECT_VERSION
#define INJECT_VERSION "unknown"
#endif

namespace inject::cli {

namespace {

ExploreOptions explore_options_of(const Plan& plan) {
    const Options& options = plan.options;
    ExploreOptions explore_options;
    explore_options.by = options.exploration.by_call ? ExploreBy::call : ExploreBy::site;
    explore_options.max_runs = options.exploration.max_runs.value_or(2000);
    explore_options.fixture = options.fixture;
    explore_options.jobs = options.exploration.jobs.value_or(0);
    explore_options.after = options.after;
    explore_options.include_startup = options.exploration.startup;
    explore_options.use_seccomp = !options.no_seccomp;
    if (plan.timeout) {
        explore_options.timeout = plan.timeout->limit;
    }
    return explore_options;
}

unsigned jobs_shown(const ExploreOptions& options) {
    return options.jobs != 0 ? options.jobs : std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

int execute_explore(const Plan& plan, std::ostream& err) {
    // The outputs are opened first: a path that cannot be written stops inject before any run.
    std::optional<report::OutputFile> json;
    std::optional<report::JunitFile> junit;
    if (plan.options.report) {
        json.emplace("--report", *plan.options.report);
    }
    if (plan.options.junit) {
        junit.emplace(*plan.options.junit);
    }
    ExploreOptions options = explore_options_of(plan);
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&start] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    if (::isatty(STDERR_FILENO) == 1 && !plan.options.quiet) {
        options.on_progress = [&](std::size_t done, std::size_t total, std::size_t failing) {
            err << '\r' << exploration::progress_line(done, total, failing, elapsed())
                << (done == total ? "\n" : "") << std::flush;
        };
    }
    const ExploreResult result = explore(plan.scenarios, plan.options.command, options);
    if (result.survey_failure) {
        err << "inject: explore: " << *result.survey_failure
            << ": a program that fails without faults has nothing to explore\n";
    } else {
        exploration::write_explore_summary(err, result, jobs_shown(options), elapsed());
    }
    if (json) {
        json->write(exploration::explore_json(result, plan.options.command, INJECT_VERSION));
    }
    if (junit) {
        junit->write(report::junit_xml(
            exploration::explore_junit_cases(result, plan.options.command, options), elapsed()));
    }
    if (plan.options.exploration.save_scenarios) {
        for (const std::string& path :
             exploration::save_scenarios(result, *plan.options.exploration.save_scenarios)) {
            err << "inject: explore: saved " << path << '\n';
        }
    }
    return result.all_survived() ? kExitPassed : kExitExpectationFailed;
}

}  // namespace inject::cli
