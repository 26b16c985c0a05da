#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <thread>

#include "explore/points.hpp"
#include "explore/runs.hpp"
#include "explore/workspace.hpp"
#include "inject/explore.hpp"
#include "inject/run.hpp"
#include "report/expectations.hpp"

namespace inject {

namespace {

using exploration::Workspace;

struct Template {
    Rule rule;
    const Expectations* expect = nullptr;
};

std::vector<Template> templates_of(const std::vector<Scenario>& scenarios) {
    std::vector<Template> templates;
    for (const Scenario& scenario : scenarios) {
        for (const Rule& rule : scenario.rules) {
            if (rule.when != When{} || rule.probability) {
                throw std::invalid_argument(
                    rule.origin + ": a template has no " +
                    (rule.probability ? "probability" : "when") +
                    " (--explore picks the calls to fail itself, one per run)");
            }
            templates.push_back({rule, scenario.expect ? &*scenario.expect : nullptr});
        }
    }
    return templates;
}

std::vector<Rule> rules_of(const std::vector<Template>& templates) {
    std::vector<Rule> rules;
    for (const Template& each : templates) {
        rules.push_back(each.rule);
    }
    return rules;
}

// PROGRAM as every run finds it from its own directory.
std::vector<std::string> resolved(std::vector<std::string> argv) {
    if (!argv.empty() && argv[0].find('/') != std::string::npos) {
        argv[0] = std::filesystem::absolute(argv[0]).lexically_normal().string();
    }
    return argv;
}

// The survey: every call a template names stopped, recorded and let run.
struct Survey {
    RunResult result;
    std::string directory;
    double seconds = 0;
};

Survey survey(const std::vector<Rule>& rules, const std::vector<std::string>& argv,
              const ExploreOptions& options, Workspace& workspace) {
    Survey survey;
    survey.directory = workspace.fresh_copy("survey", options.fixture);
    RunOptions run_options;
    run_options.capture_output = true;
    run_options.pass_through = false;
    run_options.use_seccomp = options.use_seccomp;
    run_options.timeout = options.timeout;
    run_options.max_recorded_injections = SIZE_MAX;
    // Each call's stack is its failure point's site, and only a stopped thread gives one.
    run_options.use_notify = false;
    const auto start = std::chrono::steady_clock::now();
    {
        const exploration::InDirectory in(survey.directory);
        survey.result = run({exploration::survey_rule(rules)}, argv, run_options);
    }
    survey.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return survey;
}

std::chrono::milliseconds run_timeout(const ExploreOptions& options, double survey_seconds) {
    if (options.timeout) {
        return *options.timeout;
    }
    const auto tenfold = std::chrono::milliseconds(static_cast<long>(survey_seconds * 10000));
    return std::max(tenfold, std::chrono::milliseconds(10000));
}

// Failed runs grouped by (site, verdict), in the order their first run came.
std::vector<ExploreGroup> groups_of(const std::vector<ExploreRun>& runs,
                                    const std::vector<std::string>& argv,
                                    const ExploreOptions& options) {
    std::vector<ExploreGroup> groups;
    std::map<std::pair<std::string, ExploreVerdict>, std::size_t> index_of;
    for (std::size_t index = 0; index < runs.size(); ++index) {
        const ExploreRun& each = runs[index];
        if (each.verdict == ExploreVerdict::survived) {
            continue;
        }
        const auto key = std::pair{each.point.caller, each.verdict};
        auto [found, added] = index_of.try_emplace(key, groups.size());
        if (added) {
            groups.push_back({each.point.site, each.verdict, {}, replay_line(each, argv, options)});
        }
        groups[found->second].runs.push_back(index);
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.verdict < b.verdict; });
    return groups;
}

std::string survey_failure(const RunResult& result) {
    if (result.timed_out) {
        return "the program did not end before the timeout without faults";
    }
    if (result.signal) {
        return "the program was killed by signal " + std::to_string(*result.signal) +
               " without faults";
    }
    if (result.exit_code.value_or(0) != 0) {
        return "the program exited " + std::to_string(*result.exit_code) + " without faults";
    }
    return "";
}

unsigned jobs_of(const ExploreOptions& options) {
    if (options.jobs != 0) {
        return options.jobs;
    }
    return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

ExploreResult explore(const std::vector<Scenario>& scenarios,
                      const std::vector<std::string>& argv_given, const ExploreOptions& options) {
    const std::vector<Template> templates = templates_of(scenarios);
    if (templates.empty()) {
        throw std::invalid_argument("no template to explore with");
    }
    if (options.fixture) {
        exploration::check_fixture(*options.fixture);
    }
    const std::vector<std::string> argv = resolved(argv_given);
    ExploreResult result;
    result.templates = rules_of(templates);
    Workspace workspace(options.work_dir);
    const Survey seen = survey(result.templates, argv, options, workspace);
    result.survey_seconds = seen.seconds;
    const std::string failure = survey_failure(seen.result);
    if (!failure.empty()) {
        result.survey_failure = failure;
        workspace.remove_run("survey");
        workspace.remove_if_empty();
        return result;
    }
    auto points = exploration::failure_points(result.templates, seen.result.injections,
                                              seen.directory, options.by, options.include_startup);
    workspace.remove_run("survey");
    result.survey = std::move(points.counts);
    result.calls_seen = points.calls_seen;
    result.startup_calls = points.startup_calls;
    result.points = points.distinct;
    if (points.points.size() > options.max_runs) {
        result.left_out = points.points.size() - options.max_runs;
        points.points.resize(options.max_runs);
        result.notes.push_back("--max-runs " + std::to_string(options.max_runs) + ": " +
                               std::to_string(result.left_out) + " runs left out");
    }
    std::vector<exploration::RunJob> jobs;
    for (std::size_t index = 0; index < points.points.size(); ++index) {
        const FailurePoint& point = points.points[index];
        jobs.push_back({exploration::pinned_rule(result.templates[point.template_index], point),
                        templates[point.template_index].expect,
                        "run-" + std::to_string(index + 1)});
    }
    const exploration::RunSettings settings{argv, options.fixture, options.after,
                                            run_timeout(options, seen.seconds),
                                            options.use_seccomp};
    const auto reports = exploration::run_all(
        jobs, settings, workspace, jobs_of(options), [&](std::size_t done, std::size_t failing) {
            if (options.on_progress) {
                options.on_progress(done, jobs.size(), failing);
            }
        });
    for (std::size_t index = 0; index < jobs.size(); ++index) {
        const auto& report = reports[index];
        ExploreRun each{
            points.points[index], jobs[index].rule, report.judgement.verdict, report.exit_code,
            report.signal,        report.seconds,   report.judgement.detail,  "",
            report.power_cut};
        if (each.verdict == ExploreVerdict::survived) {
            workspace.remove_run(jobs[index].name);
        } else {
            each.directory = workspace.root() + "/" + jobs[index].name;
        }
        result.runs.push_back(std::move(each));
    }
    workspace.remove_if_empty();
    result.groups = groups_of(result.runs, argv_given, options);
    return result;
}

}  // namespace inject
