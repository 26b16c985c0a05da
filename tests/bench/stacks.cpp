// The stack benchmark (issue 11): what a stack costs the tracer at a syscall stop. A workload
// makes its writes DEPTH calls deep; a minimal tracer stops it at each write (its seccomp stop,
// as inject does) and takes the thread's stack there with DwflStacks, with the service's caches
// warm, for a process new to it (as after a fork or an exec), or with a new service each time
// (the first stack of a run). Measured, never asserted: it prints medians and ratios.
#include <fcntl.h>
#include <linux/ptrace.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "trace/dwfl_stacks.hpp"
#include "trace/launcher.hpp"
#include "trace/ptrace_tracer.hpp"
#include "trace/seccomp_filter.hpp"
#include "trace/unique_fd.hpp"

#ifndef BENCH_STACK_WORKLOAD
#define BENCH_STACK_WORKLOAD ""
#endif

namespace {

using Clock = std::chrono::steady_clock;
using inject::trace::DwflStacks;

enum class Mode { none, warm, new_process, cold };

constexpr Mode kModes[] = {Mode::none, Mode::warm, Mode::new_process, Mode::cold};

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::none:
            return "no stacks (the service never asked)";
        case Mode::warm:
            return "warm caches";
        case Mode::new_process:
            return "a process new to the service";
        case Mode::cold:
            return "cold: a new service for each stack";
    }
    return "";
}

struct Options {
    int writes = 2000;
    int depth = 20;
    int rounds = 3;
};

struct RunFigures {
    double seconds = 0;
    std::vector<double> stack_micros;
    std::size_t frames = 0;
};

double micros(Clock::duration duration) {
    return std::chrono::duration<double, std::micro>(duration).count();
}

// One traced run of the workload, a stack taken at each write as `mode` says.
RunFigures run(Mode mode, const Options& options) {
    const auto filter = inject::trace::SeccompProgram::trace_only({"write"});
    const auto start = Clock::now();
    const auto launched = inject::trace::launch_traced(
        {BENCH_STACK_WORKLOAD, std::to_string(options.writes), std::to_string(options.depth)},
        {&filter});
    inject::trace::PtraceTracer tracer;
    auto stacks = std::make_unique<DwflStacks>(tracer);
    std::vector<inject::StackFrame> frames;
    RunFigures figures;
    tracer.resume(launched.pid, inject::trace::Resume::cont, 0);
    while (const auto stop = tracer.wait_for_stop()) {
        using Kind = inject::trace::Stop::Kind;
        if (stop->kind == Kind::exited || stop->kind == Kind::killed) {
            continue;
        }
        if (stop->kind == Kind::event && stop->event == PTRACE_EVENT_SECCOMP &&
            mode != Mode::none) {
            const auto before = Clock::now();
            if (mode == Mode::cold) {
                stacks = std::make_unique<DwflStacks>(tracer);
            } else if (mode == Mode::new_process) {
                stacks->forget_process(launched.pid);
            }
            if (const auto error = stacks->stack_of(launched.pid, stop->tid, frames)) {
                throw std::runtime_error("no stack: " + error.message());
            }
            figures.stack_micros.push_back(micros(Clock::now() - before));
            figures.frames = frames.size();
        }
        const int signal = stop->kind == Kind::signal ? stop->signal : 0;
        tracer.resume(stop->tid, inject::trace::Resume::cont, signal);
    }
    figures.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return figures;
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

Options parse(int argc, char** argv) {
    Options options;
    for (int index = 1; index < argc; ++index) {
        const std::string_view argument = argv[index];
        const auto value = [&] {
            if (index + 1 >= argc) {
                throw std::runtime_error(std::string(argument) + " needs a value");
            }
            return std::atoi(argv[++index]);
        };
        if (argument == "--quick") {
            options = {20, 5, 1};
        } else if (argument == "--writes") {
            options.writes = value();
        } else if (argument == "--depth") {
            options.depth = value();
        } else if (argument == "--rounds") {
            options.rounds = value();
        } else {
            throw std::runtime_error("unknown argument " + std::string(argument) +
                                     " (--writes N, --depth D, --rounds R, --quick)");
        }
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options options = parse(argc, argv);
    std::vector<std::vector<RunFigures>> runs(std::size(kModes));
    // Round-robin, so that a noisy moment of the machine hits every mode alike.
    for (int round = 0; round < options.rounds; ++round) {
        for (std::size_t mode = 0; mode < std::size(kModes); ++mode) {
            runs[mode].push_back(run(kModes[mode], options));
        }
    }
    std::vector<double> bare_seconds;
    for (const RunFigures& figures : runs[0]) {
        bare_seconds.push_back(figures.seconds);
    }
    const double bare = median(bare_seconds);
    std::printf("stacks of a write %zu frames deep, %d writes per run, %d round(s), medians\n",
                runs[1].front().frames, options.writes, options.rounds);
    std::printf("  %-38s %12s %14s\n", "", "per stack", "run vs none");
    for (std::size_t mode = 0; mode < std::size(kModes); ++mode) {
        std::vector<double> stack_micros;
        std::vector<double> seconds;
        for (const RunFigures& figures : runs[mode]) {
            stack_micros.insert(stack_micros.end(), figures.stack_micros.begin(),
                                figures.stack_micros.end());
            seconds.push_back(figures.seconds);
        }
        std::array<char, 32> per_stack{"-"};
        if (!stack_micros.empty()) {
            std::snprintf(per_stack.data(), per_stack.size(), "%.1f us", median(stack_micros));
        }
        std::printf("  %-38s %12s %13.2fx\n", mode_name(kModes[mode]), per_stack.data(),
                    median(seconds) / bare);
    }
    std::printf("  (a run without stacks: %.1f ms, %.1f us per write stop)\n", bare * 1e3,
                bare * 1e6 / options.writes);
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "stacks bench: error: %s\n", error.what());
    return 1;
}
