#include "engine/engine.hpp"

#include <signal.h>
#include <sys/ptrace.h>

#include <cerrno>
#include <system_error>
#include <unordered_set>

#include "arch/registers.hpp"

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

std::int64_t result_register_value(const Action& action) {
    if (const auto* fail = std::get_if<FailWithErrno>(&action)) {
        return -static_cast<std::int64_t>(fail->error);
    }
    return std::get<ReturnValue>(action).value;
}

}  // namespace

Engine::Engine(trace::Tracer& tracer, Decider& decider, StopPolicy policy, bool no_new_privs)
    : tracer_(tracer), decider_(decider), policy_(policy), no_new_privs_(no_new_privs) {
    threads_.reserve(64);
}

EngineOutcome Engine::run(pid_t program, bool at_exec) {
    adopt_stopped_program(program, at_exec);
    while (auto stop = tracer_.wait_for_stop()) {
        handle(*stop);
    }
    return take_outcome();
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

EngineOutcome Engine::run_attached(const std::function<bool()>& detach_requested) {
    // Not until waitpid reports ECHILD: the caller may have children that are not tracees
    // (the WaitWaker is one).
    while (!threads_.empty()) {
        if (detach_requested()) {
            detach_all();
            break;
        }
        const auto stop = tracer_.wait_for_stop();
        if (!stop) {
            break;
        }
        handle(*stop);
    }
    return take_outcome();
}

void Engine::detach_all() {
    detaching_ = true;
    forget_exited_leaders();
    for (const auto& [tid, thread] : threads_) {
        // A call whose number was replaced stops at its exit next anyway, and must: the
        // program would see -ENOSYS instead of its result if it were let go before.
        if (!thread.pending) {
            check(tracer_.interrupt(tid), "PTRACE_INTERRUPT");
        }
    }
    // Each tracee is let go at whatever stop it reports next (see resume and listen), and
    // new ones (forked meanwhile) at their first.
    while (!threads_.empty()) {
        const auto stop = tracer_.wait_for_stop();
        if (!stop) {
            break;
        }
        handle(*stop);
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
            threads_.erase(leader);
            decider_.forget_thread(leader);
        }
    }
}

Engine::ThreadState& Engine::add_thread(pid_t tid, pid_t tgid) {
    auto [it, inserted] = threads_.try_emplace(tid);
    it->second = ThreadState{};
    it->second.tid = tid;
    it->second.tgid = tgid;
    if (tid == tgid) {
        const std::lock_guard lock(processes_mutex_);
        processes_.push_back(tgid);
    }
    if (killing_.load()) {
        tracer_.kill_process(tgid);  // born after the timeout: it goes too
    }
    return it->second;
}

void Engine::forget_process(pid_t tgid) {
    decider_.forget_process(tgid);
    const std::lock_guard lock(processes_mutex_);
    std::erase(processes_, tgid);
}

void Engine::kill_everything() {
    killing_.store(true);
    const std::lock_guard lock(processes_mutex_);
    for (const pid_t process : processes_) {
        tracer_.kill_process(process);
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
    return &add_thread(tid, tgid);
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
    threads_.erase(it);
    decider_.forget_thread(tid);
    if (tid == tgid) {
        forget_process(tgid);
    }
}

void Engine::on_gone(const Stop& stop) {
    const auto it = threads_.find(stop.tid);
    if (it == threads_.end()) {
        return;  // a thread replaced by an exec, already forgotten
    }
    const pid_t tgid = it->second.tgid;
    threads_.erase(it);
    decider_.forget_thread(stop.tid);
    if (stop.tid == tgid) {
        // A leader is reported last, when its whole thread group is gone.
        forget_process(tgid);
    }
    if (stop.tid == program_) {
        if (stop.kind == Stop::Kind::exited) {
            outcome_.exit_code = stop.code;
        } else {
            outcome_.signal = stop.signal;
        }
    }
}

void Engine::on_syscall_stop(ThreadState& thread) {
    ++outcome_.syscall_stops;
    SyscallInfo info;
    if (const auto error = tracer_.syscall_info(thread.tid, info)) {
        check(error, "PTRACE_GET_SYSCALL_INFO");
        return;
    }
    if (info.op == SyscallInfo::Op::exit) {
        if (thread.pending) {
            check(tracer_.set_return_value(thread.tid, thread.pending->abi, thread.pending->value),
                  "writing a syscall's result");
            thread.pending.reset();
        }
    } else if (info.op == SyscallInfo::Op::entry && policy_ == StopPolicy::every_syscall) {
        decide_and_act(thread, info);
    }
    // With the filter, an entry stop is only seen when a tracee was resumed with
    // PTRACE_SYSCALL for another reason; its seccomp stop follows and decides.
    resume(thread);
}

void Engine::decide_and_act(ThreadState& thread, const SyscallInfo& info) {
    if (detaching_) {
        return;  // letting go: the call at hand runs as the program made it
    }
    if (!info.abi) {
        return;  // an ABI no rule can name (x32)
    }
    const SyscallEvent event{thread.tid, thread.tgid, *info.abi, info.number};
    std::optional<Verdict> verdict = decider_.on_syscall(event);
    if (!verdict) {
        return;
    }
    // The kernel runs nothing for an invalid number; the result goes in at the exit stop.
    check(tracer_.set_syscall_number(thread.tid, *info.abi, arch::kSkippedSyscallNumber),
          "skipping a syscall");
    thread.pending = PendingResult{*info.abi, result_register_value(verdict->action)};
    if (verdict->signal) {
        // Queued now, delivered after the exit stop writes the result: the call still never
        // runs, and a fatal signal kills the program at this call.
        check(tracer_.send_signal(thread.tgid, thread.tid, *verdict->signal), "tgkill");
    }
    if (verdict->rule_index >= outcome_.injected.size()) {
        outcome_.injected.resize(verdict->rule_index + 1);
    }
    ++outcome_.injected[verdict->rule_index];
    if (++outcome_.injection_count > record_limit_) {
        return;  // not even a clock read: a capped hot rule stays cheap
    }
    outcome_.injections.push_back(
        Injection{verdict->rule_index, std::string(decider_.name_of(*info.abi, info.number)),
                  *info.abi, verdict->nth, thread.tgid, thread.tid, verdict->action,
                  std::chrono::steady_clock::now() - start_, verdict->signal});
}

void Engine::on_event(ThreadState& thread, const Stop& stop) {
    switch (stop.event) {
        case PTRACE_EVENT_SECCOMP: {
            ++outcome_.syscall_stops;
            SyscallInfo info;
            if (const auto error = tracer_.syscall_info(thread.tid, info)) {
                check(error, "PTRACE_GET_SYSCALL_INFO");
                return;
            }
            if (info.op == SyscallInfo::Op::seccomp) {
                decide_and_act(thread, info);
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
    if (threads_.contains(child)) {
        return;  // its first stop came first and adopted it
    }
    if (event == PTRACE_EVENT_CLONE) {
        // clone() makes a thread or, without CLONE_THREAD, a process: ask.
        pid_t tgid = 0;
        if (!tracer_.thread_group_of(child, tgid)) {
            add_thread(child, tgid);
        }
    } else {
        add_thread(child, child);
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
    // The exec has killed every other thread of the process; a non-leader that exec'd now
    // carries the leader's id. None of them will report again under their old state.
    std::erase_if(threads_, [&](const auto& entry) {
        const ThreadState& other = entry.second;
        return other.tgid == tgid && other.tid != leader;
    });
    if (former_tid != leader) {
        threads_.erase(former_tid);
        decider_.on_exec(former_tid, leader);
    }
    ThreadState& state = threads_[leader];
    state.pending.reset();
    if (no_new_privs_ && !setid_noted_ && tracer_.runs_setid_program(leader)) {
        setid_noted_ = true;
        // Without privileges ptrace alone would also keep it from gaining them, so the
        // remedy to offer is privileges, not --no-seccomp.
        outcome_.notes.push_back(
            "a setuid/setgid program ran without its privileges: inject is not privileged, so "
            "its seccomp filter needs PR_SET_NO_NEW_PRIVS (run inject as root to keep them)");
    }
    resume(state);
}

void Engine::resume(ThreadState& thread, int signal) {
    if (detaching_ && !thread.pending) {
        let_go(thread, signal);
        return;
    }
    // PTRACE_CONT unless a stop at the next syscall boundary is needed: to write a picked
    // call's result at its exit, or, without the filter, to see every call.
    const bool stop_at_syscalls = thread.pending || policy_ == StopPolicy::every_syscall;
    check(tracer_.resume(thread.tid, stop_at_syscalls ? Resume::syscall : Resume::cont, signal),
          "resuming a tracee");
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
        outcome_.detached = true;
    }
}

}  // namespace inject::engine
