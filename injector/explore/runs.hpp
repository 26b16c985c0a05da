// The runs of an exploration, each a forked copy of inject that runs the program under one
// pinned rule in its own copy of the fixture, judges it and writes its verdict to a pipe; up
// to `jobs` at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "explore/verdict.hpp"
#include "explore/workspace.hpp"
#include "inject/expect.hpp"
#include "inject/rule.hpp"
#include "inject/run.hpp"

namespace inject::exploration {

struct RunJob {
    Rule rule;
    const Expectations* expect = nullptr;  // its scenario's, checked on the run
    std::string name;                      // of its directory in the workspace
};

struct RunSettings {
    std::vector<std::string> argv;
    std::optional<std::string> fixture;
    std::optional<std::string> after;
    std::chrono::milliseconds timeout{};
    bool use_seccomp = true;
};

struct RunReport {
    Judgement judgement;
    std::optional<int> exit_code;
    std::optional<int> signal;
    double seconds = 0;
    std::optional<PowerCut> power_cut;
};

using Progress = std::function<void(std::size_t done, std::size_t failing)>;

// Runs every job, `jobs` at a time, and returns their reports in the jobs' order. A run that
// could not be made at all (its fork failed, its child died) is reported crashed, with why.
std::vector<RunReport> run_all(const std::vector<RunJob>& jobs, const RunSettings& settings,
                               Workspace& workspace, unsigned parallel, const Progress& progress);

}  // namespace inject::exploration
