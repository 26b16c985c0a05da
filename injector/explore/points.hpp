// From the survey's calls to the runs: which calls are the loader's, which template names a
// call, what failure point a call is, and the rule that fails exactly that call. Pure: the
// unit tests feed it hand-made injections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "inject/explore.hpp"
#include "inject/run.hpp"

namespace inject::exploration {

// For each call, in the order the survey recorded them: whether it came before its process's
// own code first ran. A process's calls are startup until the first one with a frame outside
// the C library, the dynamic loader and the vDSO (trace::is_c_library_frame): the loader maps
// the libraries and libc sets itself up before any of the program's own code runs. A forked
// child starts inside the program's code; an exec'd one begins anew with its loader. A call
// whose stack could not be unwound is not startup (nothing says it is).
std::vector<bool> startup_calls(const std::vector<Injection>& calls);

// The rule that makes the survey stop at every call some template names, and change none.
Rule survey_rule(const std::vector<Rule>& templates);

// Whether the template names this call: its syscall set (short: only the calls with a byte
// count) and the filters the survey can check (path, caller); fd and process are left to the
// run, whose rule keeps them.
bool template_names(const Rule& rule, const Injection& call);

// The caller= glob that pins a stack's call site: FILE:LINE of its naming frame with debug
// information, else MODULE+0xOFFSET; "" for an empty stack.
std::string caller_glob_of(const std::vector<StackFrame>& stack);

// The file as a run names it: relative to the run directory when inside it, else absolute;
// "." for the run directory itself; "" for a pipe, a socket or none.
std::string file_in_run(const std::optional<std::string>& path, const std::string& run_dir);

// The path= glob that finds the file in any copy of the fixture: "**/out.txt" for a file in the
// run directory, the path itself outside it, "" for none and for the run directory itself (its
// name differs in every copy: the call is pinned by its site and number alone).
std::string path_glob_of(const std::string& file_in_run, const std::string& path);

// The failure points of the survey's calls, in the order their calls came: by site, a point's
// first call; by call, every call. Startup calls are left out unless include_startup.
struct PointsOfSurvey {
    std::vector<FailurePoint> points;  // the runs to make
    std::vector<SurveyCount> counts;   // per template and site
    std::uint64_t calls_seen = 0;
    std::uint64_t startup_calls = 0;
    std::size_t distinct = 0;
};
PointsOfSurvey failure_points(const std::vector<Rule>& templates,
                              const std::vector<Injection>& calls, const std::string& run_dir,
                              ExploreBy by, bool include_startup);

// The template made to fail the point's call alone: its one syscall, pinned by caller=,
// path= and when=, counted over the whole tree.
Rule pinned_rule(const Rule& rule, const FailurePoint& point);

}  // namespace inject::exploration
