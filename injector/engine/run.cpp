// inject::run and inject::run_function: the rules compiled, the filter built, the program
// launched and traced, its output relayed, its time limited.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string_view>
#include <system_error>
#include <thread>

#include "engine/decide.hpp"
#include "engine/engine.hpp"
#include "engine/filter_plan.hpp"
#include "engine/power_cut.hpp"
#include "engine/stream_tail.hpp"
#include "inject/exit_status.hpp"
#include "inject/run.hpp"
#include "syscalls/catalogue.hpp"
#include "trace/attacher.hpp"
#include "trace/dwfl_stacks.hpp"
#include "trace/launcher.hpp"
#include "trace/ptrace_tracer.hpp"
#include "trace/seccomp_filter.hpp"
#include "trace/seccomp_listener.hpp"
#include "trace/unique_fd.hpp"

namespace inject {

namespace {

using trace::UniqueFd;

using trace::make_pipe;
using trace::Pipe;

void write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;  // our own stdout is gone: keep capturing all the same
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

// For the threads a run starts besides the tracer's. While a delayed call waits, the tracer
// learns of the other tracees' stops from SIGCHLD (PtraceTracer::wait_for_stop_until); a
// thread of the process that does not block it could take the signal, and the tracer would
// hear of those stops only when the delay ends.
void leave_sigchld_to_the_tracer() {
    sigset_t child_signal;
    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &child_signal, nullptr);
}

// Collects the program's stdout and stderr from pipes and, when asked, passes them on to
// inject's own as they come, on a thread of its own while the engine runs on this one.
class OutputRelay {
  public:
    OutputRelay(bool pass_through, std::size_t kept)
        : pass_through_(pass_through),
          out_(make_pipe()),
          err_(make_pipe()),
          captured_{engine::StreamTail(kept), engine::StreamTail(kept)} {}
    OutputRelay(const OutputRelay&) = delete;
    OutputRelay& operator=(const OutputRelay&) = delete;

    trace::ChildIo child_io() const { return {out_.write_end.get(), err_.write_end.get()}; }

    // Once the child holds the write ends: ours must close, or the pipes never reach EOF.
    void start() {
        out_.write_end.reset();
        err_.write_end.reset();
        thread_ = std::jthread([this] { relay(); });
    }

    // Waits for end-of-file on both, which comes when every process holding them has ended.
    void finish(RunResult& result) {
        if (thread_.joinable()) {
            thread_.join();
        }
        result.stdout_bytes = captured_[0].total();
        result.stderr_bytes = captured_[1].total();
        result.captured_stdout = captured_[0].take();
        result.captured_stderr = captured_[1].take();
    }

  private:
    void relay() {
        // A closed stdout of ours must not kill inject with SIGPIPE; SIGPIPE goes to the
        // writing thread, so blocking it here is enough.
        sigset_t pipe_signal;
        sigemptyset(&pipe_signal);
        sigaddset(&pipe_signal, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
        leave_sigchld_to_the_tracer();

        std::array<pollfd, 2> fds{pollfd{out_.read_end.get(), POLLIN, 0},
                                  pollfd{err_.read_end.get(), POLLIN, 0}};
        constexpr std::array<int, 2> kDestinations{STDOUT_FILENO, STDERR_FILENO};
        std::array<char, 65536> buffer{};
        int open_pipes = 2;
        while (open_pipes > 0) {
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return;
            }
            for (std::size_t index = 0; index < fds.size(); ++index) {
                if (fds[index].fd < 0 || fds[index].revents == 0) {
                    continue;
                }
                const ssize_t got = ::read(fds[index].fd, buffer.data(), buffer.size());
                if (got < 0 && errno == EINTR) {
                    continue;
                }
                if (got <= 0) {
                    fds[index].fd = -1;  // poll ignores negative fds
                    --open_pipes;
                    continue;
                }
                const auto size = static_cast<std::size_t>(got);
                captured_[index].append(std::string_view(buffer.data(), size));
                if (pass_through_) {
                    write_all(kDestinations[index], buffer.data(), size);
                }
            }
        }
    }

    bool pass_through_;
    Pipe out_;
    Pipe err_;
    std::array<engine::StreamTail, 2> captured_;
    std::jthread thread_;
};

// Kills everything the run traces when it outlives its time.
class Watchdog {
  public:
    Watchdog(engine::Engine& engine, std::chrono::milliseconds timeout)
        : thread_([this, &engine, timeout](std::stop_token stop) {
              leave_sigchld_to_the_tracer();
              std::unique_lock lock(mutex_);
              wake_.wait_for(lock, stop, timeout, [] { return false; });
              if (!stop.stop_requested()) {
                  fired_ = true;
                  engine.kill_everything();
              }
          }) {}
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    // Stops the clock; whether it had fired.
    bool stop() {
        thread_.request_stop();
        if (thread_.joinable()) {
            thread_.join();
        }
        return fired_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable_any wake_;
    bool fired_ = false;
    std::jthread thread_;  // last: it uses the members above
};

// Passes the signals a SignalForwarder was given to every traced process, on a thread of its
// own: the signal handler that posts them may not take the engine's lock.
class SignalRelay {
  public:
    SignalRelay(engine::Engine& engine, const SignalForwarder& forwarder)
        : stop_(make_pipe()),
          thread_([this, &engine, fd = forwarder.readable_fd()] { relay(engine, fd); }) {}
    SignalRelay(const SignalRelay&) = delete;
    SignalRelay& operator=(const SignalRelay&) = delete;
    ~SignalRelay() { stop_.write_end.reset(); }  // the thread sees the end, and is joined

  private:
    void relay(engine::Engine& engine, int forwarded) {
        leave_sigchld_to_the_tracer();
        std::array<pollfd, 2> fds{pollfd{forwarded, POLLIN, 0},
                                  pollfd{stop_.read_end.get(), POLLIN, 0}};
        for (;;) {
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return;
            }
            if (fds[1].revents != 0) {
                return;
            }
            unsigned char signal = 0;
            if (::read(forwarded, &signal, 1) == 1) {
                engine.signal_everything(signal);
            }
        }
    }

    Pipe stop_;
    std::jthread thread_;  // last: it uses the member above
};

// What only the run knows, added to the engine's result: notes from before the engine ran
// first, then the calls each rule counted, and an injected count for every rule.
void add_rule_counts(RunResult& result, std::vector<std::string> notes_before,
                     const engine::Decider& decider, std::size_t rule_count) {
    result.notes.insert(result.notes.begin(), std::make_move_iterator(notes_before.begin()),
                        std::make_move_iterator(notes_before.end()));
    result.matched.reserve(rule_count);
    for (std::size_t index = 0; index < rule_count; ++index) {
        result.matched.push_back(decider.matched(index));
    }
    result.injected.resize(rule_count);
}

using Launch =
    std::function<trace::LaunchedProgram(const trace::ChildFilters&, const trace::ChildIo&)>;

// The filters the child may load: the tracing one, where every picked syscall stops by ptrace,
// and, when some syscall can be served by a notification, the notifying one, tried first.
struct Filters {
    std::optional<trace::SeccompProgram> tracing;
    std::optional<trace::SeccompProgram> notifying;

    trace::ChildFilters for_child() const {
        return {tracing ? &*tracing : nullptr, notifying ? &*notifying : nullptr};
    }
};

// Whether the run must stop at some calls: a rule may pick them, or the log names them
// (-e trace=SET).
bool stops_at_calls(const engine::Decider& decider, const RunOptions& options) {
    return decider.has_rules() || (options.syscall_log && options.traced);
}

Filters build_filters(const engine::Decider& decider, const std::vector<Rule>& rules,
                      const RunOptions& options) {
    // Seen only to forget what the fds referred to, counted by no rule that does not name them;
    // and those the log names (-e trace=SET).
    std::vector<std::string> also_seen =
        decider.needs_fd_paths() ? engine::fd_closing_syscalls() : std::vector<std::string>{};
    if (options.syscall_log && options.traced) {
        for (const Abi abi : kAllAbis) {
            for (std::string& name : catalogue::syscalls_named(*options.traced, abi)) {
                also_seen.push_back(std::move(name));  // plan_filter drops the repeats
            }
        }
    }
    const bool power_cut = engine::PowerCutWatch::wanted_by(rules);
    if (power_cut) {
        // Seen only to keep what a power cut undoes: stopped in runs that have one, and
        // counted by no rule that does not name them.
        for (const std::string& name : engine::PowerCutWatch::watched_syscalls()) {
            also_seen.push_back(name);  // plan_filter drops the repeats
        }
    }
    // The syscall log needs every logged call's exit, and a power cut's watch reads what a
    // call changes before it runs and confirms it at its exit: only ptrace shows both.
    const bool notify =
        options.use_notify && !options.syscall_log && !power_cut && trace::kernel_can_notify();
    engine::FilterPlan plan = engine::plan_filter(rules, also_seen, notify);
    Filters filters;
    if (!plan.notified.empty()) {
        try {
            filters.notifying = trace::SeccompProgram::build(plan.traced, plan.notified);
        } catch (const std::runtime_error&) {
            // A libseccomp that does not know SCMP_ACT_NOTIFY: the tracing filter does it all.
        }
    }
    plan.traced.insert(plan.traced.end(), plan.notified.begin(), plan.notified.end());
    filters.tracing = trace::SeccompProgram::trace_only(plan.traced);
    return filters;
}

RunResult run_traced(const std::vector<Rule>& rules, const RunOptions& options,
                     const Launch& launch) {
    engine::Decider decider(rules, options.seed.value_or(0));

    engine::StopPolicy policy = engine::StopPolicy::none;
    Filters filters;
    if (stops_at_calls(decider, options)) {
        policy =
            options.use_seccomp ? engine::StopPolicy::seccomp : engine::StopPolicy::every_syscall;
    }
    if (policy == engine::StopPolicy::seccomp) {
        filters = build_filters(decider, rules, options);
    }

    std::optional<OutputRelay> relay;
    if (options.capture_output) {
        relay.emplace(options.pass_through, options.max_captured_output);
    }
    trace::LaunchedProgram launched =
        launch(filters.for_child(), relay ? relay->child_io() : trace::ChildIo{});
    if (relay) {
        relay->start();
    }

    if (policy == engine::StopPolicy::seccomp && !launched.filter_installed) {
        policy = engine::StopPolicy::every_syscall;  // the launcher has said why
    }
    if (options.on_start) {
        options.on_start(launched.pid);
    }

    trace::PtraceTracer tracer;
    trace::DwflStacks stacks(tracer);  // does nothing until a stack is asked for
    engine::Engine engine(tracer, decider, policy, launched.no_new_privs);
    engine.set_injection_record_limit(options.max_recorded_injections);
    engine.set_injection_sink(options.on_injection);
    engine.set_syscall_log(options.syscall_log, options.traced);
    engine.set_stacks(&stacks, options.log_stacks);
    engine.set_notifier(launched.listener.get());
    std::optional<engine::PowerCutWatch> power_cut;
    if (engine::PowerCutWatch::wanted_by(rules)) {
        power_cut.emplace(tracer, options.undo_limit, options.seed.value_or(0));
        engine.set_power_cut(&*power_cut);
    }
    std::optional<Watchdog> watchdog;
    if (options.timeout) {
        watchdog.emplace(engine, *options.timeout);
    }
    std::optional<SignalRelay> forwarded_signals;
    if (options.forward_signals != nullptr) {
        forwarded_signals.emplace(engine, *options.forward_signals);
    }
    RunResult result;
    try {
        result = engine.run(launched.pid, launched.stopped_at_exec);
    } catch (...) {
        // Nothing may outlive a failed run (the relay would wait for it): kill and reap all.
        engine.kill_everything();
        try {
            while (tracer.wait_for_stop()) {
            }
        } catch (...) {
        }
        throw;
    }
    result.timed_out = watchdog && watchdog->stop();
    if (power_cut) {
        power_cut->finish(result);  // every process is dead: nothing changes the disk now
    }
    result.seccomp_filter = launched.filter_installed;
    result.seed = options.seed.value_or(0);
    if (relay) {
        relay->finish(result);
    }
    add_rule_counts(result, std::move(launched.notes), decider, rules.size());
    return result;
}

// What a scenario asks of the run when the options leave it open: its seed, and, from its
// expectations, a time limit and the output kept.
RunOptions with_scenario_defaults(const Scenario& scenario, RunOptions options) {
    if (!options.seed) {
        options.seed = scenario.seed;
    }
    if (scenario.expect) {
        if (!options.timeout) {
            options.timeout = scenario.expect->timeout;
        }
        options.capture_output = options.capture_output || scenario.expect->needs_output();
    }
    return options;
}

}  // namespace

detail::SignalPipe::SignalPipe() {
    // Non-blocking: a write into a full pipe must not block a signal handler.
    trace::Pipe pipe = trace::make_pipe(O_CLOEXEC | O_NONBLOCK);
    read_fd_ = pipe.read_end.release();
    write_fd_ = pipe.write_end.release();
}

detail::SignalPipe::~SignalPipe() {
    ::close(read_fd_);
    ::close(write_fd_);
}

void detail::SignalPipe::post(unsigned char byte) noexcept {
    const int saved_errno = errno;  // a signal handler must leave errno as it found it
    [[maybe_unused]] const ssize_t written = ::write(write_fd_, &byte, 1);
    errno = saved_errno;
}

void DetachRequest::request() noexcept {
    requested_.store(true);
    pipe_.post(1);  // one byte is all it takes to wake the waiter
}

int exit_status(const RunResult& result) {
    if (result.signal) {
        return kExitSignalBase + *result.signal;
    }
    return result.exit_code.value_or(0);
}

RunResult run(const std::vector<Rule>& rules, const std::vector<std::string>& argv,
              const RunOptions& options) {
    return run_traced(rules, options,
                      [&](const trace::ChildFilters& filters, const trace::ChildIo& io) {
                          return trace::launch_traced(argv, filters, io);
                      });
}

RunResult run(const Scenario& scenario, const std::vector<std::string>& argv,
              const RunOptions& options) {
    return run(scenario.rules, argv, with_scenario_defaults(scenario, options));
}

RunResult run_function(const Scenario& scenario, const std::function<int()>& body,
                       const RunOptions& options) {
    return run_traced(scenario.rules, with_scenario_defaults(scenario, options),
                      [&](const trace::ChildFilters& filters, const trace::ChildIo& io) {
                          return trace::launch_traced_function(body, filters, io);
                      });
}

RunResult attach(const std::vector<Rule>& rules, const std::vector<pid_t>& pids,
                 const RunOptions& options) {
    if (pids.empty()) {
        throw std::invalid_argument("attach: no process to attach to");
    }
    if (options.capture_output || options.timeout) {
        // Their output goes where their own stdout and stderr do, and a process inject did
        // not start is not inject's to kill.
        throw std::invalid_argument("attach: capture_output and timeout need run()");
    }
    std::vector<pid_t> processes;
    for (const pid_t pid : pids) {
        const pid_t process = trace::process_to_attach(pid);
        if (std::find(processes.begin(), processes.end(), process) == processes.end()) {
            processes.push_back(process);
        }
    }

    engine::Decider decider(rules, options.seed.value_or(0));
    const engine::StopPolicy policy = stops_at_calls(decider, options)
                                          ? engine::StopPolicy::every_syscall
                                          : engine::StopPolicy::none;
    trace::PtraceTracer tracer;
    trace::DwflStacks stacks(tracer);
    engine::Engine engine(tracer, decider, policy);
    engine.set_injection_record_limit(options.max_recorded_injections);
    engine.set_injection_sink(options.on_injection);
    engine.set_syscall_log(options.syscall_log, options.traced);
    engine.set_stacks(&stacks, options.log_stacks);
    std::optional<trace::WaitWaker> waker;
    if (options.detach != nullptr) {
        waker.emplace(options.detach->readable_fd());
    }
    const auto detach_requested = [&] {
        return options.detach != nullptr && options.detach->requested();
    };

    // Whatever fails, the processes must go on as they were: never stopped for good, nor
    // killed (a tracer that just returned would leave them stopped until its thread ends).
    const auto let_go_after_failure = [&] {
        try {
            engine.detach_all();
        } catch (...) {
        }
    };
    try {
        for (const pid_t process : processes) {
            trace::seize_process(process, [&](pid_t tid) { engine.adopt_seized(tid, process); });
        }
    } catch (...) {
        let_go_after_failure();
        throw;
    }
    RunResult result;
    try {
        if (options.on_start) {
            for (const pid_t process : processes) {
                options.on_start(process);
            }
        }
        result = engine.run_attached(detach_requested);
    } catch (...) {
        let_go_after_failure();
        throw;
    }
    result.attached = std::move(processes);
    result.seed = options.seed.value_or(0);
    add_rule_counts(result, {}, decider, rules.size());
    return result;
}

RunResult attach(const Scenario& scenario, const std::vector<pid_t>& pids,
                 const RunOptions& options) {
    RunOptions with_seed = options;
    if (!with_seed.seed) {
        with_seed.seed = scenario.seed;
    }
    return attach(scenario.rules, pids, with_seed);
}

}  // namespace inject
