// inject::run: the rules compiled, the filter built, the program launched and traced.
#include <optional>
#include <stdexcept>

#include "engine/decide.hpp"
#include "engine/engine.hpp"
#include "inject/run.hpp"
#include "trace/launcher.hpp"
#include "trace/ptrace_tracer.hpp"
#include "trace/seccomp_filter.hpp"

namespace inject {

int exit_status(const RunResult& result) {
    if (result.signal) {
        return 128 + *result.signal;
    }
    return result.exit_code.value_or(0);
}

RunResult run(const std::vector<Rule>& rules, const std::vector<std::string>& argv,
              const RunOptions& options) {
    engine::Decider decider(rules);

    engine::StopPolicy policy = engine::StopPolicy::none;
    std::optional<trace::SeccompProgram> filter;
    if (decider.has_rules()) {
        policy =
            options.use_seccomp ? engine::StopPolicy::seccomp : engine::StopPolicy::every_syscall;
    }
    if (policy == engine::StopPolicy::seccomp) {
        filter = trace::SeccompProgram::trace_only(decider.syscall_names());
    }

    trace::LaunchedProgram launched = trace::launch_traced(argv, filter ? &*filter : nullptr);
    RunResult result;
    result.notes = std::move(launched.notes);
    if (policy == engine::StopPolicy::seccomp && !launched.filter_installed) {
        policy = engine::StopPolicy::every_syscall;  // the launcher has said why
    }
    result.seccomp_filter = launched.filter_installed;
    if (options.on_start) {
        options.on_start(launched.pid);
    }

    trace::PtraceTracer tracer;
    engine::Engine engine(tracer, decider, policy, launched.no_new_privs);
    engine::EngineOutcome outcome = engine.run(launched.pid);

    result.exit_code = outcome.exit_code;
    result.signal = outcome.signal;
    result.injections = std::move(outcome.injections);
    result.syscall_stops = outcome.syscall_stops;
    for (std::string& note : outcome.notes) {
        result.notes.push_back(std::move(note));
    }
    result.matched.reserve(rules.size());
    for (std::size_t index = 0; index < rules.size(); ++index) {
        result.matched.push_back(decider.matched(index));
    }
    return result;
}

}  // namespace inject
