#include "engine/engine.hpp"

#include <linux/uio.h>
#include <signal.h>
#include <sys/ptrace.h>

#include <algorithm>
#include <cerrno>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <variant>

#include "arch/registers.hpp"
#include "engine/log_record.hpp"
#include "engine/power_cut.hpp"
#include "inject/names.hpp"
#include "syscalls/signals.hpp"
#include "syscalls/text.hpp"
#include "trace/call_site.hpp"

namespace inject::engine {

using trace::Resume;
using trace::Stop;
using trace::SyscallInfo;

namespace {

bool is_group_stop_signal(int signal) {
    return signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU;
}

// A tracee that died between its stop and our request reports ESRCH; its death is the next
// thing waitpid tells, so that is not an error. Anything else is a bug or a lost tracee.
void check(std::error_code error, const char* what) {
    if (error && error != std::errc::no_such_process) {
        throw std::system_error(error, what);
    }
}

// The result of a skipped call (error or retval; short calls run and keep their own).
std::int64_t result_register_value(const Action& action) {
    if (const auto* fail = std::get_if<FailWithErrno>(&action)) {
        return -static_cast<std::int64_t>(fail->error);
    }
    return std::get<ReturnValue>(action).value;
}

// Whether a syscall or seccomp stop is one its thread is no longer in: a stop of the old leader,
// taken just before an exec in another thread killed it, whose id the execing thread now has,
// stopped at its exec event (ptrace then has no syscall to tell of). That event is reported
// next; resumed now, the thread would run on unseen.
bool is_stale(const SyscallInfo& info) {
    return info.op == SyscallInfo::Op::none;
}

// The kernel's ERESTARTNOINTR (include/linux/errno.h; not in the headers of user space): how
// the syscall log shows a call that is to be made again.
constexpr std::int64_t kRestartNoIntr = 513;

// The signals of `pending` the thread would take now: not blocked, and acted on (caught, or
// with a default action other than leaving the program alone). An ignored signal reaches a
// traced thread all the same (the kernel queues it for the tracer to see), and must not cut
// a wait short, nor must one the program blocks.
std::uint64_t signals_acted_on(std::uint64_t pending, const trace::SignalState& state) {
    std::uint64_t acted = 0;
    for (int signal = 1; signal <= kMaxSignal; ++signal) {
        const std::uint64_t bit = std::uint64_t{1} << (signal - 1);
        if ((pending & bit) == 0 || ((state.blocked | state.ignored) & bit) != 0) {
            continue;
        }
        if ((state.caught & bit) != 0 || !ignored_by_default(signal)) {
            acted |= bit;
        }
    }
    return acted;
}

}  // namespace

Engine::Engine(trace::Tracer& tracer, Decider& decider, StopPolicy policy, bool no_new_privs)
    : tracer_(tracer),
      decider_(decider),
      policy_(policy),
      no_new_privs_(no_new_privs),
      cache_fd_files_(decider.needs_fd_paths()) {
    threads_.reserve(64);
    if (cache_fd_files_) {
        for (const std::string& name : fd_closing_syscalls()) {
            for (const Abi abi : kAllAbis) {
                if (const auto number = syscall_number(abi, name)) {
                    fd_closers_.insert(abi, *number);
                }
            }
        }
    }
}

void Engine::set_syscall_log(std::function<void(const SyscallRecord&)> log,
                             const std::optional<SyscallNames>& only) {
    syscall_log_ = std::move(log);
    logged_only_.reset();
    if (syscall_log_ && only) {
        logged_only_ = catalogue::syscall_numbers(*only);
    }
}

RunResult Engine::run(pid_t program, bool at_exec) {
    adopt_stopped_program(program, at_exec);
    while (step()) {
    }
    return take_result();
}

bool Engine::step() {
    if (ready_.empty()) {
        if (!(notifier_ != nullptr ? wait_for_events() : wait_for_stops())) {
            return false;
        }
        if (ready_.empty()) {
            return true;  // held threads went on, or a deadline passed
        }
    }
    const auto next = std::move(ready_.front());
    ready_.pop_front();
    std::visit([this](const auto& event) { handle(event); }, next);
    return true;
}

bool Engine::wait_for_stops() {
    if (timers_.empty()) {
        // No thread is held: wait as if delays did not exist, without reading the clock.
        std::optional<Stop> stop = tracer_.wait_for_stop();
        if (!stop) {
            return false;
        }
        queue(*stop);
    } else {
        // Before every wait, not only when one times out: a steady stream of other stops must
        // not keep a held thread waiting past its time.
        resume_due_threads();
        interrupt_signalled_holds();
        if (timers_.empty()) {
            return true;
        }
        TimerQueue::Clock::time_point deadline = *timers_.next_due();
        if (signal_check_interval_) {
            deadline = std::min(deadline, next_signal_check_);
        }
        const trace::TimedWait waited = tracer_.wait_for_stop_until(deadline);
        if (std::holds_alternative<trace::NoTraceeLeft>(waited)) {
            return false;
        }
        const Stop* stop = std::get_if<Stop>(&waited);
        if (stop == nullptr) {
            return true;  // the deadline
        }
        queue(*stop);
    }
    // waitpid(-1) reports the first tracee it finds with a stop, so a thread that stops again
    // as soon as it is resumed would be found first every time and the others would starve.
    // Every stop already there is taken now and served in turn, each stopped thread once, as
    // strace does. A lone tracee has no one to starve: it pays no extra waitpid.
    if (threads_.size() > 1) {
        take_ready_stops();  // none left: the next blocking wait says so
    }
    return true;
}

bool Engine::wait_for_events() {
    if (tracees_gone_) {
        return false;
    }
    std::optional<TimerQueue::Clock::time_point> deadline;
    if (!timers_.empty()) {
        resume_due_threads();  // before every wait, as in wait_for_stops
        if (timers_.empty()) {
            return true;
        }
        deadline = timers_.next_due();
    }
    // Fair between the sources as within each: every stop already there is taken (see
    // wait_for_stops), and one notified call, the oldest, whose thread waited longest; the next
    // round takes the next. Neither source can keep the other waiting more than one round.
    const trace::Ready ready = notifier_->wait(deadline);
    if (ready.tracees && !take_ready_stops() && ready_.empty()) {
        return false;
    }
    if (ready.notification) {
        trace::Notification call;
        if (!notifier_->receive(call)) {
            ready_.emplace_back(call);
        }
    }
    return true;
}

bool Engine::take_ready_stops() {
    for (;;) {
        const trace::PolledStop polled = tracer_.poll_stop();
        if (const Stop* stop = std::get_if<Stop>(&polled)) {
            queue(*stop);
            continue;
        }
        tracees_gone_ = std::holds_alternative<trace::NoTraceeLeft>(polled);
        return !tracees_gone_;
    }
}

void Engine::queue(const Stop& stop) {
    if (stop.kind == Stop::Kind::event && stop.event == PTRACE_EVENT_EXEC) {
        // A stop of this id that is still waiting to be served cannot be the execing thread's
        // (it stopped once, here): it was the old leader's, which the exec killed, and the id
        // now stands for the thread stopped at this event.
        std::erase_if(ready_, [&](const auto& queued) {
            const Stop* earlier = std::get_if<Stop>(&queued);
            return earlier != nullptr && earlier->tid == stop.tid;
        });
    }
    ready_.push_back(stop);
}

void Engine::watch_for_power_cut(ThreadState& thread, const SyscallInfo& info,
                                 const std::optional<Verdict>& verdict) {
    thread.unsynced_change.reset();
    if (verdict && verdict->effect.lose_unsynced) {
        // The crash point: the whole tree dies now, so nothing changes the disk after it, and
        // the disk is cut once it is dead (PowerCutWatch::finish).
        power_cut_->crash(*verdict->effect.lose_unsynced);
        kill_everything();
        return;
    }
    const bool call_runs = !verdict || std::holds_alternative<RunCall>(verdict->effect.action) ||
                           std::holds_alternative<ShortenTo>(verdict->effect.action);
    if (call_runs &&
        power_cut_->entry(thread.tid, thread.tgid, *info.abi, info, thread.unsynced_change) ==
            PowerCutWatch::Entry::over_limit) {
        kill_everything();  // the note says why; nothing is undone
    }
}

void Engine::hold(ThreadState& thread, std::chrono::microseconds delay) {
    // Left stopped, not put to sleep: the loop goes on with the others' stops meanwhile.
    forget_timer(thread);  // one timer per thread, whatever happens
    thread.timer = timers_.add(clock_() + delay, thread.tid);
}

void Engine::forget_timer(ThreadState& thread) {
    if (thread.timer) {
        timers_.cancel(*thread.timer);
        thread.timer.reset();
    }
    thread.held_call.reset();
}

void Engine::resume_due_threads() {
    const auto now = clock_();
    while (const std::optional<TimerQueue::Timer> timer = timers_.pop_due(now)) {
        const auto it = threads_.find(timer->tid);
        if (it == threads_.end()) {
            continue;  // cannot happen: a thread's timer leaves with it
        }
        ThreadState& thread = it->second;
        thread.timer.reset();
        thread.held_call.reset();
        resume(thread);
    }
}

void Engine::interrupt_signalled_holds() {
    if (!signal_check_interval_ || timers_.empty()) {
        return;
    }
    const auto now = clock_();
    if (now < next_signal_check_) {
        return;
    }
    next_signal_check_ = now + *signal_check_interval_;
    // A signal sent to a process goes to one of its threads: it interrupts one held thread.
    std::vector<pid_t> interrupted_for_process;
    for (auto& [tid, thread] : threads_) {
        trace::SignalState state;
        if (!thread.timer || tracer_.signal_state(tid, state)) {
            continue;  // not held, or gone (its end is reported next)
        }
        const bool own = signals_acted_on(state.own_pending, state) != 0;
        const bool shared =
            signals_acted_on(state.shared_pending, state) != 0 &&
            std::find(interrupted_for_process.begin(), interrupted_for_process.end(),
                      thread.tgid) == interrupted_for_process.end();
        if (own || shared) {
            if (!own) {
                interrupted_for_process.push_back(thread.tgid);
            }
            interrupt_hold(thread);
        }
    }
}

void Engine::interrupt_hold(ThreadState& thread) {
    const std::optional<HeldCall> call = thread.held_call;
    forget_timer(thread);
    thread.exit_delay.reset();
    thread.signal.reset();
    if (call) {
        if (!std::holds_alternative<Skipped>(thread.change)) {
            check(tracer_.set_syscall_number(thread.tid, call->abi, arch::kSkippedSyscallNumber),
                  "skipping an interrupted syscall");
        }
        thread.change = Interrupted{*call};
    }
    resume(thread);
}

void Engine::adopt_stopped_program(pid_t program, bool at_exec) {
    program_ = program;
    start_ = std::chrono::steady_clock::now();
    ThreadState& thread = add_thread(program, program);
    if (at_exec) {
        on_exec(thread);
    } else {
        resume(thread);  // the SIGSTOP that marked the start is not delivered
    }
}

void Engine::adopt_seized(pid_t tid, pid_t tgid) {
    if (program_ == 0) {
        program_ = tgid;
        start_ = std::chrono::steady_clock::now();
    }
    add_thread(tid, tgid);
}

RunResult Engine::run_attached(const std::function<bool()>& detach_requested) {
    // Not until waitpid reports ECHILD: the caller may have children that are not tracees
    // (the WaitWaker is one).
    while (!threads_.empty()) {
        if (detach_requested()) {
            detach_all();
            break;
        }
        if (!step()) {
            break;
        }
    }
    return take_result();
}

void Engine::detach_all() {
    detaching_ = true;
    forget_exited_leaders();
    for (auto& [tid, thread] : threads_) {
        if (thread.timer) {
            // Held for a delay, so stopped where the engine left it: the wait is cut short (and
            // the signal that was to end it dropped), and it goes on as any other would.
            forget_timer(thread);
            thread.exit_delay.reset();
            thread.signal.reset();
            resume(thread);
            continue;
        }
        // A call whose number was replaced, or whose arguments were cut, stops at its exit
        // next anyway, and must: the program would see -ENOSYS instead of its result, or its
        // registers changed, if it were let go before.
        if (!mid_call(thread)) {
            check(tracer_.interrupt(tid), "PTRACE_INTERRUPT");
        }
    }
    // Each tracee is let go at whatever stop it reports next (see resume and listen), and
    // new ones (forked meanwhile) at their first.
    while (!threads_.empty() && step()) {
    }
}

void Engine::forget_exited_leaders() {
    // A leader that exited while its threads live on would be waited for until the whole
    // process ends: it can neither stop nor be detached. Only such a leader can have exited
    // unreported, so only leaders with threads are asked.
    std::unordered_set<pid_t> processes_with_threads;
    for (const auto& [tid, thread] : threads_) {
        if (tid != thread.tgid) {
            processes_with_threads.insert(thread.tgid);
        }
    }
    for (const pid_t leader : processes_with_threads) {
        if (threads_.contains(leader) && tracer_.has_exited(leader)) {
            forget_thread(threads_.find(leader));
        }
    }
}

Engine::ThreadState& Engine::add_thread(pid_t tid, pid_t tgid) {
    auto [it, inserted] = threads_.try_emplace(tid);
    forget_timer(it->second);
    it->second = ThreadState{};
    it->second.tid = tid;
    it->second.tgid = tgid;
    if (tid == tgid) {
        const std::lock_guard lock(processes_mutex_);
        processes_.push_back(tgid);
        adopted_a_process_ = true;
        for (const int signal : std::exchange(signals_before_start_, {})) {
            tracer_.signal_process(tgid, signal);
        }
    }
    if (killing_.load()) {
        tracer_.signal_process(tgid, SIGKILL);  // born after the timeout: it goes too
    }
    return it->second;
}

void Engine::forget_process(pid_t tgid) {
    decider_.forget_process(tgid);
    process_facts_.erase(tgid);
    if (stacks_ != nullptr) {
        stacks_->forget_process(tgid);
    }
    const std::lock_guard lock(processes_mutex_);
    std::erase(processes_, tgid);
}

void Engine::kill_everything() {
    killing_.store(true);
    signal_everything(SIGKILL);
}

void Engine::signal_everything(int signal) {
    const std::lock_guard lock(processes_mutex_);
    if (!adopted_a_process_) {
        // Sent while the program was being started: it gets it as soon as it is adopted.
        signals_before_start_.push_back(signal);
    }
    for (const pid_t process : processes_) {
        tracer_.signal_process(process, signal);
    }
}

Engine::ThreadState* Engine::find_or_adopt(pid_t tid) {
    if (auto it = threads_.find(tid); it != threads_.end()) {
        return &it->second;
    }
    // A new tracee whose first stop came before its parent's fork/clone event.
    pid_t tgid = 0;
    if (const auto error = tracer_.thread_group_of(tid, tgid)) {
        if (error == std::errc::no_such_process || error == std::errc::no_such_file_or_directory) {
            return nullptr;  // gone already; its death will be reported
        }
        tgid = tid;  // no /proc to ask: count it as a process of its own rather than hang it
    }
    ThreadState& adopted = add_thread(tid, tgid);
    adopted.announced = false;
    return &adopted;
}

void Engine::handle(const Stop& stop) {
    if (stop.kind == Stop::Kind::exited || stop.kind == Stop::Kind::killed) {
        on_gone(stop);
        return;
    }
    ThreadState* thread = find_or_adopt(stop.tid);
    if (thread == nullptr) {
        return;
    }
    switch (stop.kind) {
        case Stop::Kind::syscall:
            on_syscall_stop(*thread);
            break;
        case Stop::Kind::event:
            on_event(*thread, stop);
            break;
        case Stop::Kind::signal:
            // Signal-delivery-stop: the signal is the program's; pass it on, never eat it.
            resume(*thread, stop.signal);
            break;
        case Stop::Kind::exited:
        case Stop::Kind::killed:
            break;
    }
    if (detaching_) {
        forget_detached(stop.tid);
    }
}

void Engine::forget_detached(pid_t tid) {
    const auto it = threads_.find(tid);
    if (it == threads_.end() || !it->second.detached) {
        return;
    }
    const pid_t tgid = it->second.tgid;
    forget_thread(it);
    if (tid == tgid) {
        forget_process(tgid);
    }
}

void Engine::forget_thread(std::unordered_map<pid_t, ThreadState>::iterator thread) {
    if (!thread->second.announced) {
        gone_unannounced_.insert(thread->first);
    }
    decider_.forget_thread(thread->first);
    threads_.erase(thread);
}

void Engine::on_gone(const Stop& stop) {
    const auto it = threads_.find(stop.tid);
    if (it == threads_.end()) {
        return;  // a thread replaced by an exec, already forgotten
    }
    const pid_t tgid = it->second.tgid;
    forget_timer(it->second);  // died while held: killed, or its process ended
    log_unfinished(it->second);
    forget_thread(it);
    if (stop.tid == tgid) {
        // A leader is reported last, when its whole thread group is gone.
        forget_process(tgid);
    }
    if (stop.tid == program_) {
        if (stop.kind == Stop::Kind::exited) {
            result_.exit_code = stop.code;
        } else {
            result_.signal = stop.signal;
        }
    }
}

bool Engine::read_syscall_stop(ThreadState& thread, SyscallInfo& info) {
    ++result_.syscall_stops;
    if (const auto error = tracer_.syscall_info(thread.tid, info)) {
        check(error, "PTRACE_GET_SYSCALL_INFO");
        return false;
    }
    return !is_stale(info);
}

void Engine::on_syscall_stop(ThreadState& thread) {
    SyscallInfo info;
    if (!read_syscall_stop(thread, info)) {
        return;
    }
    if (info.op == SyscallInfo::Op::exit) {
        if (const auto change = std::exchange(thread.unsynced_change, std::nullopt)) {
            power_cut_->exit(*change, info.return_value);
        }
        std::int64_t result = info.return_value;
        undo_change(thread, result);
        write_exit_pokes(thread);  // before the log reads what the call gave back
        if (thread.logged) {
            log_exit(thread, result);
        }
        if (thread.exit_delay) {
            // The call is done, its result in place: the program sees it after the wait.
            hold(thread, *thread.exit_delay);
            thread.exit_delay.reset();
            return;
        }
    } else if (info.op == SyscallInfo::Op::entry && policy_ == StopPolicy::every_syscall) {
        if (decide_and_act(thread, info)) {
            return;
        }
    }
    // With the filter, an entry stop is only seen when a tracee was resumed with
    // PTRACE_SYSCALL for another reason; its seccomp stop follows and decides.
    resume(thread);
}

bool Engine::decide_and_act(ThreadState& thread, const SyscallInfo& info) {
    if (detaching_) {
        return false;  // letting go: the call at hand runs as the program made it
    }
    if (!info.abi) {
        return false;  // an ABI no rule can name (x32)
    }
    forget_fd_files_before(thread.tgid, info);
    if (syscall_log_ && (!logged_only_ || logged_only_->contains(*info.abi, info.number))) {
        log_entry(thread, *info.abi, info);  // before the call is changed
    }
    const SyscallEvent event{thread.tid, thread.tgid, *info.abi, info.number};
    TraceeFacts facts(tracer_, process_facts_, thread.tid, thread.tgid, *info.abi, info,
                      cache_fd_files_, stacks_, frames_);
    std::optional<Verdict> verdict = decider_.on_syscall(event, facts);
    if (power_cut_ != nullptr) {
        watch_for_power_cut(thread, info, verdict);
    }
    if (!verdict) {
        return false;
    }
    // The file the call touches, for the record, and where it was called from. Read first,
    // while the tracee surely lives: a fatal signal sent below may end it before it is resumed.
    std::optional<std::string> path = recorded_path(*verdict, facts);
    std::vector<StackFrame> stack;
    // Stacks for the records only: a streamed report of a hot rule must not unwind each call.
    if (result_.injection_count < record_limit_) {
        const std::span<const StackFrame> frames = facts.stack();
        stack.assign(frames.begin(), frames.end());
        note_unnamed_frames(stack);
    }
    if (const auto* shorten = std::get_if<ShortenTo>(&verdict->effect.action)) {
        if (!shorten_call(thread, info, shorten->bytes)) {
            return false;  // short enough already: nothing was done, so nothing was injected
        }
        thread.signal = verdict->effect.signal;
    } else {
        skip_or_hold_call(thread, info, *verdict);
    }
    poke(thread, info, verdict->effect);
    if (thread.logged) {
        thread.logged->injected = true;
    }
    record_injection(event, *verdict, std::move(path), std::move(stack));
    return thread.timer.has_value();
}

void Engine::forget_fd_files_before(pid_t tgid, const SyscallInfo& info) {
    if (cache_fd_files_ && fd_closers_.contains(*info.abi, info.number)) {
        // Seen at entry, before the call runs: what the process's fds refer to is read anew
        // after it. (A thread that reads an fd's file while another closes that fd races in
        // the program itself.)
        forget_fd_files(process_facts_[tgid], syscall_name(*info.abi, info.number).value_or(""),
                        info);
    }
}

std::optional<std::string> Engine::recorded_path(const Verdict& verdict, CallFacts& facts) const {
    if (result_.injection_count >= record_limit_ && !injection_sink_) {
        return std::nullopt;  // neither kept nor streamed
    }
    const std::vector<std::string>& paths = facts.paths();
    if (verdict.path_index < paths.size()) {
        return paths[verdict.path_index];
    }
    return std::nullopt;
}

void Engine::handle(const trace::Notification& call) {
    ++result_.syscall_stops;
    ++result_.notified_calls;
    ThreadState* thread = find_or_adopt(call.tid);
    if (thread == nullptr || !call.abi) {
        // Gone already (then so is its call), or an ABI no rule can name (x32): it runs.
        [[maybe_unused]] const std::error_code gone = notifier_->let_run(call.id);
        return;
    }
    SyscallInfo info;
    info.op = SyscallInfo::Op::seccomp;
    info.abi = call.abi;
    info.number = call.number;
    info.args = call.args;
    forget_fd_files_before(thread->tgid, info);
    const SyscallEvent event{thread->tid, thread->tgid, *call.abi, call.number};
    // No stacks: the thread is not stopped to unwind it (no rule with a caller filter names a
    // notified syscall: see filter_plan).
    TraceeFacts facts(tracer_, process_facts_, thread->tid, thread->tgid, *call.abi, info,
                      cache_fd_files_, nullptr, frames_);
    const std::optional<Verdict> verdict = decider_.on_syscall(event, facts);
    // The thread does not stop for a notification: what the filters read of it is its own only
    // if its call still waits after, and not a thread's that took its id once it died. (The
    // record's file needs no such care: an answer that finds the call gone drops the record.)
    if (facts.read_from_tracee() && !notifier_->still_waits(call.id)) {
        decider_.take_back(event, facts);
        process_facts_.erase(thread->tgid);  // what was kept of it is no better
        return;
    }
    std::optional<std::string> path;
    if (verdict) {
        path = recorded_path(*verdict, facts);
    }
    if (verdict && verdict->effect.delay) {
        // A notified call would wait out its delay through the signals that must end it.
        throw std::logic_error(
            "a delayed call came as a notification: filter_plan keeps "
            "delays on the ptrace path");
    }
    if (!deliver(*thread, answer_for(call.id, verdict))) {
        // Its answer came too late to reach it: counted again when the call comes again.
        decider_.take_back(event, facts);
        return;
    }
    if (verdict) {
        record_injection(event, *verdict, std::move(path), {});  // no stack: it is not stopped
    }
}

Engine::Answer Engine::answer_for(std::uint64_t id, const std::optional<Verdict>& verdict) {
    Answer answer{id, std::nullopt, std::nullopt};
    if (verdict) {
        if (!std::holds_alternative<RunCall>(verdict->effect.action)) {
            answer.result = result_register_value(verdict->effect.action);
        }
        answer.signal = verdict->effect.signal;
    }
    return answer;
}

bool Engine::deliver(const ThreadState& thread, const Answer& answer) {
    if (answer.signal) {
        // Sent while the call waits: the thread waits on through it (WAIT_KILLABLE_RECV) and
        // finds it pending when the call returns, as it would after a ptrace stop. SIGKILL ends
        // the thread in its wait instead, so the call never runs, and the answer would be for
        // no one (and must not let the call run first).
        check(tracer_.send_signal(thread.tgid, thread.tid, *answer.signal), "tgkill");
        if (*answer.signal == SIGKILL) {
            return true;
        }
    }
    const std::error_code error = answer.result ? notifier_->answer(answer.id, *answer.result)
                                                : notifier_->let_run(answer.id);
    if (error == std::errc::no_such_file_or_directory) {
        // The wait ended first. Only a fatal signal ends it (WAIT_KILLABLE_RECV): with one sent
        // here, the rule's own (SIGTERM, SIGSEGV, ... uncaught), the call was the crash point it
        // was to be and will not come again; without, the thread died of another.
        return answer.signal.has_value();
    }
    check(error, "SECCOMP_IOCTL_NOTIF_SEND");
    return true;
}

void Engine::skip_or_hold_call(ThreadState& thread, const SyscallInfo& info,
                               const Verdict& verdict) {
    const Effect& effect = verdict.effect;
    const std::string_view name = decider_.name_of(*info.abi, info.number);
    if (name == "brk" && std::holds_alternative<FailWithErrno>(effect.action)) {
        // The kernel's brk never returns an error: a break it cannot move comes back
        // unchanged, which brk(0) returns (the argument is put back at the exit stop).
        Shortened unchanged{*info.abi, {}};
        change_argument(thread, info, 0, 0, unchanged);
        thread.change = unchanged;
    } else if (!std::holds_alternative<RunCall>(effect.action)) {
        // The kernel runs nothing for an invalid number, or the harmless call of strace's
        // syscall= (a getter the rule checked both ABIs have); the result goes in at the exit
        // stop. Set now even when the call waits first: the registers keep it while it is held.
        // A call that runs first (run=true; close by default) keeps its own number.
        if (!effect.run_first.value_or(name == "close")) {
            const long instead = effect.instead ? syscall_number(*info.abi, *effect.instead)
                                                      .value_or(arch::kSkippedSyscallNumber)
                                                : arch::kSkippedSyscallNumber;
            check(tracer_.set_syscall_number(thread.tid, *info.abi, instead), "skipping a syscall");
        }
        thread.change = Skipped{*info.abi, result_register_value(effect.action)};
    }
    thread.exit_delay = effect.delay_exit;
    thread.signal = effect.signal;
    if (effect.delay) {
        hold(thread, *effect.delay);
        thread.held_call = HeldCall{*info.abi, info.number};
    }
}

bool Engine::shorten_call(ThreadState& thread, const SyscallInfo& info, std::uint64_t limit) {
    const auto count = catalogue::byte_count(*info.abi, info.number);
    if (!count) {
        return false;  // the decider picks only calls that have one
    }
    Shortened shortened{*info.abi, {}};
    if (count->iovec_arg) {
        if (!shorten_iovecs(thread, info, *count, limit, shortened)) {
            return false;
        }
    } else {
        if (arch::decode_argument(*info.abi, info.args[count->length_arg]) <= limit) {
            return false;
        }
        change_argument(thread, info, count->length_arg, limit, shortened);
    }
    thread.change = shortened;
    return true;
}

bool Engine::shorten_iovecs(ThreadState& thread, const SyscallInfo& info,
                            const catalogue::ByteCount& count, std::uint64_t limit,
                            Shortened& shortened) {
    const Abi abi = *info.abi;
    const std::uint64_t entries = arch::decode_argument(abi, info.args[count.length_arg]);
    // More entries than the kernel takes make the call fail with EINVAL as it is.
    if (entries == 0 || entries > UIO_MAXIOV) {
        return false;
    }
    const std::size_t entry_size = arch::iovec_size(abi);
    iovecs_.resize(entries * entry_size);
    if (tracer_.read_memory(thread.tid, arch::decode_argument(abi, info.args[*count.iovec_arg]),
                            iovecs_)) {
        return false;  // an array the kernel cannot read either: the call fails with EFAULT
    }
    std::uint64_t whole = 0;  // the bytes of the entries before the cut
    for (std::size_t kept = 0; kept < entries; ++kept) {
        const std::span<std::byte> entry(iovecs_.data() + kept * entry_size, entry_size);
        const std::uint64_t length = arch::iovec_length(abi, entry);
        if (length <= limit - whole) {
            whole += length;
            continue;
        }
        if (whole == limit) {
            // The cut falls between two entries: fewer of the program's own entries do it.
            change_argument(thread, info, count.length_arg, kept, shortened);
            return true;
        }
        // The cut falls inside this entry, whose length must shrink. The program's own array
        // stays as it is (another thread may be reading it): a shortened copy goes on the
        // stack, below the red zone, where the thread keeps nothing while it is in the call.
        arch::set_iovec_length(abi, entry, limit - whole);
        const std::size_t copy_size = (kept + 1) * entry_size;
        const std::uint64_t copy = (info.stack_pointer - arch::red_zone_size(abi) - copy_size) &
                                   ~(arch::kStackAlignment - 1);
        if (const auto error = tracer_.write_memory(
                thread.tid, copy, std::span<const std::byte>(iovecs_).first(copy_size))) {
            if (error != std::errc::no_such_process && !stack_write_noted_) {
                stack_write_noted_ = true;
                result_.notes.push_back(
                    "short: could not write a shortened iovec array on the stack of thread " +
                    std::to_string(thread.tid) + " (" + error.message() +
                    "); such calls ran whole and are not counted as injected");
            }
            return false;
        }
        change_argument(thread, info, *count.iovec_arg, copy, shortened);
        change_argument(thread, info, count.length_arg, kept + 1, shortened);
        return true;
    }
    return false;  // no more bytes than the limit
}

void Engine::change_argument(ThreadState& thread, const SyscallInfo& info, unsigned index,
                             std::uint64_t value, Shortened& shortened) {
    shortened.arguments.at(index) = info.args.at(index);
    check(tracer_.set_syscall_argument(thread.tid, *info.abi, index, value),
          "shortening a syscall");
}

void Engine::undo_change(ThreadState& thread, std::int64_t& result) {
    const CallChange change = std::exchange(thread.change, NoChange{});
    if (const auto* interrupted = std::get_if<Interrupted>(&change)) {
        check(tracer_.restart_syscall(thread.tid, interrupted->call.abi, interrupted->call.number),
              "restarting an interrupted syscall");
        result = -kRestartNoIntr;
    } else if (const auto* skipped = std::get_if<Skipped>(&change)) {
        check(tracer_.set_return_value(thread.tid, skipped->abi, skipped->result),
              "writing a syscall's result");
        result = skipped->result;
    } else if (const auto* shortened = std::get_if<Shortened>(&change)) {
        // The x86 syscall ABIs keep argument registers across a call, so code after it may
        // still use them (the count, the iovec pointer); the result register keeps the real
        // result.
        for (unsigned index = 0; index < shortened->arguments.size(); ++index) {
            if (const auto& original = shortened->arguments[index]) {
                check(tracer_.set_syscall_argument(thread.tid, shortened->abi, index, *original),
                      "restoring a syscall's arguments");
            }
        }
    }
}

void Engine::send_signal_when_due(ThreadState& thread) {
    // Once the call is done with: its waits over, so that a fatal signal ends the program after
    // a wait rather than during it (SIGKILL would not wait), and a shortened call run first, so
    // that a crash follows a torn write. Queued while the thread is stopped, it is delivered
    // when the thread runs again: after a skipped call's exit stop writes its result, so the
    // call still never runs, and a fatal signal kills the program at this call.
    if (!thread.signal || thread.timer || thread.exit_delay ||
        std::holds_alternative<Shortened>(thread.change)) {
        return;
    }
    check(tracer_.send_signal(thread.tgid, thread.tid, *thread.signal), "tgkill");
    thread.signal.reset();
}

void Engine::poke(ThreadState& thread, const SyscallInfo& info, const Effect& effect) {
    if (effect.poke_enter.empty() && effect.poke_exit.empty()) {
        return;
    }
    const Abi abi = *info.abi;
    const catalogue::Signature* signature = catalogue::signature(abi, info.number);
    const auto arguments =
        static_cast<unsigned>(signature != nullptr ? signature->arg_count : info.args.size());
    const std::string name(decider_.name_of(abi, info.number));
    const auto where = [&](const Poke& poke) -> std::optional<std::uint64_t> {
        if (poke.argument > arguments) {
            // As strace: the call goes on, and the user learns why nothing was written.
            note_once("poke: " + name + " has " + std::to_string(arguments) +
                      (arguments == 1 ? " argument" : " arguments") + ", so @arg" +
                      std::to_string(poke.argument) + " was not written");
            return std::nullopt;
        }
        return arch::decode_argument(abi, info.args[poke.argument - 1]);
    };
    for (const Poke& poke : effect.poke_enter) {
        if (const auto address = where(poke)) {
            const auto bytes = std::as_bytes(std::span(poke.bytes));
            if (const auto error = tracer_.write_memory(thread.tid, *address, bytes);
                error && error != std::errc::no_such_process) {
                note_once("poke_enter: could not write " + name + "'s @arg" +
                          std::to_string(poke.argument) + " (" + error.message() +
                          "): that call ran with its memory as it was");
            }
        }
    }
    thread.exit_pokes.clear();
    for (const Poke& poke : effect.poke_exit) {
        if (const auto address = where(poke)) {
            thread.exit_pokes.emplace_back(*address, poke.bytes);
        }
    }
}

void Engine::write_exit_pokes(ThreadState& thread) {
    const auto pokes = std::exchange(thread.exit_pokes, {});
    for (const auto& [address, bytes] : pokes) {
        if (const auto error =
                tracer_.write_memory(thread.tid, address, std::as_bytes(std::span(bytes)));
            error && error != std::errc::no_such_process) {
            note_once("poke_exit: could not write into the program's memory (" + error.message() +
                      "): the call's memory was left as it returned");
        }
    }
}

void Engine::note_once(std::string note) {
    if (noted_.insert(note).second) {
        result_.notes.push_back(std::move(note));
    }
}

void Engine::record_injection(const SyscallEvent& call, const Verdict& verdict,
                              std::optional<std::string> path, std::vector<StackFrame> stack) {
    if (verdict.rule_index >= result_.injected.size()) {
        result_.injected.resize(verdict.rule_index + 1);
    }
    ++result_.injected[verdict.rule_index];
    const bool recorded = ++result_.injection_count <= record_limit_;
    if (!recorded && !injection_sink_) {
        return;  // not even a clock read: a capped hot rule stays cheap
    }
    Injection injection{verdict.rule_index, std::string(decider_.name_of(call.abi, call.number)),
                        call.abi,           verdict.nth,
                        call.tgid,          call.tid,
                        verdict.effect,     std::chrono::steady_clock::now() - start_,
                        std::move(path),    std::move(stack)};
    if (injection_sink_) {
        injection_sink_(injection);
    }
    if (recorded) {
        result_.injections.push_back(std::move(injection));
    }
}

void Engine::note_unnamed_frames(const std::vector<StackFrame>& stack) {
    if (unnamed_frames_noted_ || stack.empty()) {
        return;
    }
    // The program's own code only: the loader's internal functions have no symbol either.
    const StackFrame& frame = trace::naming_frame(stack);
    if (!frame.function.empty() || frame.module.empty() || frame.in_c_library) {
        return;
    }
    unnamed_frames_noted_ = true;
    result_.notes.push_back(frame.module +
                            " has no symbols: its frames are named MODULE+0xOFFSET, and caller= "
                            "matches them so (caller=" +
                            std::string(trace::base_name(frame.module)) + "+" +
                            text::hex(frame.offset) + ")");
}

void Engine::on_event(ThreadState& thread, const Stop& stop) {
    switch (stop.event) {
        case PTRACE_EVENT_SECCOMP: {
            SyscallInfo info;
            if (!read_syscall_stop(thread, info)) {
                return;
            }
            if (info.op == SyscallInfo::Op::seccomp && decide_and_act(thread, info)) {
                return;  // held for a delay
            }
            resume(thread);
            return;
        }
        case PTRACE_EVENT_FORK:
        case PTRACE_EVENT_VFORK:
        case PTRACE_EVENT_CLONE:
            on_new_tracee(thread, stop.event);
            resume(thread);
            return;
        case PTRACE_EVENT_EXEC:
            on_exec(thread);
            return;
        case PTRACE_EVENT_STOP:
            if (is_group_stop_signal(stop.signal)) {
                // Group-stop (SIGSTOP, SIGTSTP, ...): stay stopped as the program asked, but
                // without blocking the tracer; SIGCONT ends it with another stop.
                listen(thread);
            } else {
                // A new tracee's first stop, or the end of a group-stop.
                resume(thread);
            }
            return;
        default:
            resume(thread);
            return;
    }
}

void Engine::on_new_tracee(ThreadState& parent, int event) {
    unsigned long message = 0;
    if (const auto error = tracer_.event_message(parent.tid, message)) {
        check(error, "PTRACE_GETEVENTMSG");
        return;
    }
    const auto child = static_cast<pid_t>(message);
    if (gone_unannounced_.erase(child) != 0) {
        return;  // its first stop came first, and its end (or its detach) too
    }
    if (const auto known = threads_.find(child); known != threads_.end()) {
        known->second.announced = true;
        note_fd_table(parent, child, known->second.tgid);  // its first stop came first
        return;
    }
    if (event == PTRACE_EVENT_CLONE) {
        // clone() makes a thread or, without CLONE_THREAD, a process: ask.
        pid_t tgid = 0;
        if (!tracer_.thread_group_of(child, tgid)) {
            note_fd_table(parent, child, tgid);
            add_thread(child, tgid);
        }
    } else {
        note_fd_table(parent, child, child);
        add_thread(child, child);
    }
}

void Engine::note_fd_table(const ThreadState& parent, pid_t child, pid_t child_tgid) {
    if (!cache_fd_files_) {
        return;
    }
    // Any event may share it: clone(CLONE_FILES | SIGCHLD) is reported as a fork. The parent is
    // stopped at its event and the child has not run yet, so neither has used a stale cache.
    const std::optional<bool> shared = tracer_.same_fd_table(parent.tid, child);
    const bool is_thread = child_tgid == parent.tgid;
    if (!shared || *shared != is_thread) {
        for (const pid_t process : {parent.tgid, child_tgid}) {
            ProcessFacts& facts = process_facts_[process];
            facts.fd_table_shared = true;
            facts.fd_files.clear();
        }
    }
}

void Engine::on_exec(ThreadState& thread) {
    unsigned long message = 0;
    pid_t former_tid = thread.tid;
    if (!tracer_.event_message(thread.tid, message)) {
        former_tid = static_cast<pid_t>(message);
    }
    const pid_t tgid = thread.tgid;
    const pid_t leader = thread.tid;
    // The execve itself may still have a wait to come, after it (delay_exit), and its log
    // record goes on in the leader's id too, to be completed at its exit stop. A call the
    // leader itself was in never returns.
    std::optional<std::chrono::microseconds> exit_delay;
    std::optional<int> exec_signal;  // its rule's signal, sent when that wait ends
    std::unique_ptr<SyscallRecord> exec_record;
    if (const auto execing = threads_.find(former_tid); execing != threads_.end()) {
        exit_delay = execing->second.exit_delay;
        exec_signal = execing->second.signal;
        exec_record = std::move(execing->second.logged);
    }
    if (former_tid != leader) {
        log_unfinished(thread);
    }
    // The exec has killed every other thread of the process, held ones too; a non-leader that
    // exec'd now carries the leader's id. None of them will report again under their old state.
    for (auto it = threads_.begin(); it != threads_.end();) {
        ThreadState& other = it->second;
        if (other.tgid != tgid || other.tid == leader) {
            ++it;
            continue;
        }
        forget_timer(other);
        log_unfinished(other);
        it = threads_.erase(it);
    }
    if (former_tid != leader) {
        threads_.erase(former_tid);
        decider_.on_exec(former_tid, leader);
    }
    ThreadState& state = threads_[leader];
    forget_timer(state);  // a leader held for a delay died in the exec of another thread
    state.change = NoChange{};
    state.exit_pokes.clear();    // the new program's memory is not the one they were for
    process_facts_.erase(tgid);  // a new program: new name, and its close-on-exec fds are gone
    if (stacks_ != nullptr) {
        stacks_->forget_process(tgid);  // and other mappings
    }
    state.exit_delay = exit_delay;
    state.signal = exec_signal;
    state.logged = std::move(exec_record);
    if (no_new_privs_ && !setid_noted_ && tracer_.runs_setid_program(leader)) {
        setid_noted_ = true;
        // Without privileges ptrace alone would also keep it from gaining them, so the
        // remedy to offer is privileges, not --no-seccomp.
        result_.notes.push_back(
            "a setuid/setgid program ran without its privileges: inject is not privileged, so "
            "its seccomp filter needs PR_SET_NO_NEW_PRIVS (run inject as root to keep them)");
    }
    resume(state);
}

void Engine::resume(ThreadState& thread, int signal) {
    send_signal_when_due(thread);
    if (detaching_ && !mid_call(thread)) {
        let_go(thread, signal);
        return;
    }
    // PTRACE_CONT unless a stop at the next syscall boundary is needed: to write a picked
    // call's result at its exit or hold it there, or restore a shortened call's arguments
    // there, or follow a logged call to its result, or, without the filter, to see every call.
    const bool stop_at_syscalls = mid_call(thread) || thread.exit_delay || thread.logged ||
                                  thread.unsynced_change || !thread.exit_pokes.empty() ||
                                  policy_ == StopPolicy::every_syscall;
    check(tracer_.resume(thread.tid, stop_at_syscalls ? Resume::syscall : Resume::cont, signal),
          "resuming a tracee");
}

void Engine::log_entry(ThreadState& thread, Abi abi, const SyscallInfo& info) {
    if (thread.logged) {
        log_unfinished(thread);  // its exit never came: not seen to return
    }
    thread.logged =
        std::make_unique<SyscallRecord>(begin_record(tracer_, thread.tid, thread.tgid, abi, info));
    if (log_stacks_ && stacks_ != nullptr &&
        stacks_->stack_of(thread.tgid, thread.tid, thread.logged->stack)) {
        thread.logged->stack.clear();
    }
}

void Engine::log_exit(ThreadState& thread, std::int64_t result) {
    complete_record(tracer_, thread.tid, *thread.logged, result);
    const std::unique_ptr<SyscallRecord> record = std::move(thread.logged);
    syscall_log_(*record);
}

void Engine::log_unfinished(ThreadState& thread) {
    if (const std::unique_ptr<SyscallRecord> record = std::move(thread.logged)) {
        syscall_log_(*record);
    }
}

void Engine::listen(ThreadState& thread) {
    if (detaching_) {
        // Let go in a group-stop, a tracee is put back into it by the kernel: it stays
        // stopped until a SIGCONT, as it would have without inject.
        let_go(thread, 0);
        return;
    }
    check(tracer_.resume(thread.tid, Resume::listen, 0), "PTRACE_LISTEN");
}

void Engine::let_go(ThreadState& thread, int signal) {
    const std::error_code error = tracer_.resume(thread.tid, Resume::detach, signal);
    check(error, "PTRACE_DETACH");
    if (!error) {
        // Forgotten once its stop is handled; a tracee that died instead (ESRCH) stays
        // until its end is reported, which may be the program's exit status.
        thread.detached = true;
        result_.detached = true;
    }
}

}  // namespace inject::engine
