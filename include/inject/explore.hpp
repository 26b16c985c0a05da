// Exploration: every failure point of a program failed in a run of its own, in parallel, the
// runs judged and the failures grouped (inject --explore; see docs/exploration.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inject/rule.hpp"
#include "inject/run.hpp"
#include "inject/scenario.hpp"

namespace inject {

// How a run of one failure point ended, worst first: the order a group's runs are told in.
enum class ExploreVerdict : std::uint8_t {
    crashed,        // killed by a signal inject did not send (SIGSEGV, SIGABRT...)
    hung,           // still running at the timeout
    expect_failed,  // its scenario's [expect] did not hold
    after_failed,   // the --after command exited non-zero
    not_reached,    // the pinned call never came: the program is not deterministic
    survived,
};

// "crashed", "hung", "expect failed", "after failed", "not reached", "survived".
std::string_view verdict_name(ExploreVerdict verdict);

enum class ExploreBy : std::uint8_t {
    site,  // one run per failure point, failing its first call
    call,  // one run per call
};

struct ExploreOptions {
    ExploreBy by = ExploreBy::site;
    std::size_t max_runs = 2000;
    // Each run's working directory is a fresh copy of this directory (none: an empty one).
    std::optional<std::string> fixture;
    // Runs at once; 0: one per CPU.
    unsigned jobs = 0;
    // A shell command run in the run's directory after the program ended; non-zero fails it.
    std::optional<std::string> after;
    // Include the calls made before the program's own code first ran (the dynamic loader's).
    bool include_startup = false;
    // Each run's time limit; none: 10 times the survey's time, at least 10s.
    std::optional<std::chrono::milliseconds> timeout;
    bool use_seccomp = true;
    // Where the run directories are made; empty: $TMPDIR or /tmp.
    std::string work_dir;
    // Called after each run with the runs done, the runs to do and the failing ones so far.
    std::function<void(std::size_t done, std::size_t total, std::size_t failing)> on_progress;
};

// Where a call came from and what it touched, as the survey saw it.
struct FailurePoint {
    std::size_t template_index = 0;  // into the templates, every scenario's rules in order
    std::string syscall;
    std::string site;    // its name: "notes::save (notes.cpp:42)"; "" without a stack
    std::string caller;  // the caller= glob that pins it: "notes.cpp:42", "prog+0x11b0"
    std::string file;    // the file, relative to the run directory when in it; "" for none
    std::string path;    // the path= glob that pins it ("**/out.txt"); "" for none
    std::uint64_t occurrence = 1;  // which of the calls that caller= and path= pick
};

struct ExploreRun {
    FailurePoint point;
    Rule rule;  // the template pinned to the point: the run's one rule
    ExploreVerdict verdict = ExploreVerdict::survived;
    std::optional<int> exit_code;
    std::optional<int> signal;
    double seconds = 0;
    std::string detail;     // why it failed, one line ("killed by SIGSEGV", an expectation)
    std::string directory;  // kept for a failed run, else ""
    // A template with lose_unsynced: what the power cut undid before the verdict was taken.
    std::optional<PowerCut> power_cut{};
};

// Failed runs that share a call site and a verdict: one bug, told once.
struct ExploreGroup {
    std::string site;
    ExploreVerdict verdict = ExploreVerdict::crashed;
    std::vector<std::size_t> runs;  // into ExploreResult::runs; the first is replayed
    std::string replay;             // the inject command line that reproduces the first
};

// How many calls of a template the survey saw at one site.
struct SurveyCount {
    std::size_t template_index = 0;
    std::string site;
    std::uint64_t calls = 0;
};

struct ExploreResult {
    // The survey run failed (did not exit 0): nothing was explored; this says how it ended.
    std::optional<std::string> survey_failure;
    double survey_seconds = 0;
    std::vector<Rule> templates;
    std::vector<SurveyCount> survey;
    std::uint64_t calls_seen = 0;     // calls the templates name, startup excluded
    std::uint64_t startup_calls = 0;  // left out as the loader's
    std::size_t points = 0;           // distinct failure points
    std::size_t left_out = 0;         // runs not made because of max_runs
    std::vector<ExploreRun> runs;
    std::vector<ExploreGroup> groups;
    std::vector<std::string> notes;

    bool all_survived() const { return !survey_failure && groups.empty(); }
};

// Explores argv under the templates: every rule of every scenario (no when, no probability;
// std::invalid_argument otherwise), each run's outcome checked against its scenario's [expect].
// Runs are forked from the calling thread, which must be the process's only one.
ExploreResult explore(const std::vector<Scenario>& templates, const std::vector<std::string>& argv,
                      const ExploreOptions& options = {});

// The command line that reproduces one run alone, shell-quoted:
//   inject -e 'write:error=ENOSPC:path=**/out.txt:caller=save:when=1' --fixture DIR -- PROG
std::string replay_line(const ExploreRun& run, const std::vector<std::string>& argv,
                        const ExploreOptions& options);

}  // namespace inject
