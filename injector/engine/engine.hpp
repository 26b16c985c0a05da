// The loop: stops in, decisions made, tracees acted on and resumed.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "engine/call_facts.hpp"
#include "engine/decide.hpp"
#include "engine/timer_queue.hpp"
#include "inject/run.hpp"
#include "inject/syscall_log.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/syscall_set.hpp"
#include "trace/notifier.hpp"
#include "trace/stacks.hpp"
#include "trace/tracer.hpp"

namespace inject::engine {

class PowerCutWatch;

// Where the engine learns of picked calls.
enum class StopPolicy : std::uint8_t {
    none,           // no rules: nothing to pick, no syscall ever stops
    seccomp,        // the filter stops the picked syscalls; everything else runs freely
    every_syscall,  // no filter: every syscall entry and exit stops
};

class Engine {
  public:
    // no_new_privs: the program runs with PR_SET_NO_NEW_PRIVS (set for the filter), so a
    // setuid program it execs loses its privileges; the engine says so once when that happens.
    Engine(trace::Tracer& tracer, Decider& decider, StopPolicy policy, bool no_new_privs = false);

    // How many injections are kept as records (all are counted): a rule firing on a hot
    // syscall must not grow inject's memory, nor allocate on every stop.
    void set_injection_record_limit(std::size_t limit) { record_limit_ = limit; }
    // Handed every injection as it fires, kept as a record or not (the JSON report's, which
    // lists them all, without keeping them in memory).
    void set_injection_sink(std::function<void(const Injection&)> sink) {
        injection_sink_ = std::move(sink);
    }

    // Where delays read the time (the unit tests give a clock of their own). Read only while
    // a rule's delay is in play: a run without delays never reads it.
    using Clock = std::function<TimerQueue::Clock::time_point()>;
    void set_clock(Clock clock) { clock_ = std::move(clock); }
    // A thread held for a delay is looked at this often for a signal the program would act
    // on (sent by anyone: the terminal, kill, inject's own forwarding); one there cuts the
    // wait short (see interrupt_hold). The kernel tells a tracer nothing of a signal sent to a
    // thread it holds stopped. None: never (the unit tests of other things).
    void set_signal_check_interval(std::optional<std::chrono::milliseconds> interval) {
        signal_check_interval_ = interval;
    }
    // The syscall log: every call that stops is also followed to its exit, and handed over
    // there (or when its thread is gone, if it never returns). Without it nothing is read.
    // `only`: the calls the log shows (strace's -e trace=SET); unset, every call that stops.
    void set_syscall_log(std::function<void(const SyscallRecord&)> log,
                         const std::optional<SyscallNames>& only = std::nullopt);
    // Where stacks come from (none: no stack is ever taken). They are taken only where needed:
    // for a rule that filters on the caller, for each injection recorded, and, with
    // `log_stacks`, for each call the syscall log shows.
    void set_stacks(trace::Stacks* stacks, bool log_stacks = false) {
        stacks_ = stacks;
        log_stacks_ = log_stacks;
    }
    // Where the calls the filter notifies come from (the listener the child loaded). With one,
    // the loop waits on it and on the tracees at once; without, every picked call stops by
    // ptrace and the loop waits in waitpid alone.
    void set_notifier(trace::Notifier* notifier) { notifier_ = notifier; }

    // With a lose_unsynced rule: the watch that keeps what unsynced changes undo, told of each
    // call that changes or syncs files before it runs, and of the crash point.
    void set_power_cut(PowerCutWatch* watch) { power_cut_ = watch; }

    // Runs until no tracee is left. `program` is the first process, stopped at the exec event
    // that started the program (or, at_exec false, at a signal-delivery-stop of the SIGSTOP
    // it raised, which is not delivered); its exit status is the outcome's. A thread held for
    // a delay is resumed when its time is up, while the other stops are handled as they come.
    RunResult run(pid_t program, bool at_exec = true);

    // Handles one stop, or one notified call (public for the unit tests, which feed them one by
    // one).
    void handle(const trace::Stop& stop);
    void handle(const trace::Notification& call);
    void adopt_stopped_program(pid_t program, bool at_exec = true);

    // A thread of a running process (-p), seized and interrupted by the caller: its first
    // stop is still to come. The first process adopted is the program whose exit status is
    // the outcome's.
    void adopt_seized(pid_t tid, pid_t tgid);
    // Runs until no tracee is left or, once detach_requested() says so, lets them all go
    // (detach_all). It is asked before each wait: whoever makes it true must also make the
    // wait return (see trace::WaitWaker).
    RunResult run_attached(const std::function<bool()>& detach_requested);
    // Lets every tracee go on untraced, each as it reports its next stop: no call is injected
    // any more, one whose number was already replaced first gets its result at its exit stop,
    // a signal about to be delivered is passed on, and a thread in a group-stop stays
    // stopped. Returns once no tracee is left.
    void detach_all();

    // Kills every traced process, now and as new ones appear; the loop then sees them die.
    // The one member that may be called from another thread (the timeout's).
    void kill_everything();
    // A signal to every traced process now, from any thread (the CLI forwards SIGTERM and
    // SIGHUP so): only processes still traced get it, never a reaped one's reused PID.
    void signal_everything(int signal);
    // What the engine knows of the run: how the program ended, the injections (the first
    // ones, up to the record limit, and the count of all), injected per rule index (possibly
    // shorter than the rules), the stops, notes, and whether a tracee was let go while it ran.
    RunResult take_result() { return std::move(result_); }
    std::size_t tracee_count() const { return threads_.size(); }

  private:
    // What a picked call changed that its exit stop must set right.
    struct NoChange {};
    // Its number was replaced, so the kernel ran nothing: its result is still to be written.
    struct Skipped {
        Abi abi;
        std::int64_t result;
    };
    // It runs with some argument registers changed (short): the program must find them as it
    // left them when the call returns.
    struct Shortened {
        Abi abi;
        std::array<std::optional<std::uint64_t>, 6> arguments;  // the originals, by index
    };
    // A call held for a delay before it ran, which a signal may still interrupt.
    struct HeldCall {
        Abi abi;
        long number;
    };
    // Such a call, interrupted: its number was replaced, and at its exit stop it is set to be
    // made again (see Tracer::restart_syscall).
    struct Interrupted {
        HeldCall call;
    };
    using CallChange = std::variant<NoChange, Skipped, Shortened, Interrupted>;

    // A notified call's answer: its result (none: the call runs) and the rule's signal, sent
    // just before it.
    struct Answer {
        std::uint64_t id = 0;
        std::optional<std::int64_t> result;
        std::optional<int> signal;
    };

    struct ThreadState {
        pid_t tid = 0;
        pid_t tgid = 0;
        // Between a changed call's entry and its exit stop.
        CallChange change;
        // A picked call's wait still to come once it has run (delay_exit).
        std::optional<std::chrono::microseconds> exit_delay;
        // The rule's signal, sent once the call is done with (see send_signal_when_due).
        std::optional<int> signal;
        // A picked call's poke_exit, written at its exit stop: where, and what.
        std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> exit_pokes;
        // Set while the thread is held stopped for a delay: before its call goes on (a
        // skipped call then has its result still to come) or before it returns. Never for a
        // notified call: delays take the ptrace path (filter_plan).
        std::optional<TimerQueue::Timer> timer;
        // With a timer, when the call has not run yet.
        std::optional<HeldCall> held_call;
        // Set between a logged call's entry and its exit stop (a pointer: most threads never
        // have one, and a thread's state stays small).
        std::unique_ptr<SyscallRecord> logged;
        bool detached = false;  // let go at its last stop; forgotten once that is handled
        // False while its parent's fork or clone event is still to come: its own first stop
        // was reported first.
        bool announced = true;
        // A change the power-cut watch saved the undo of, to be confirmed at the call's exit.
        std::optional<std::uint64_t> unsynced_change;
    };

    // Handles the next stop, first waiting for stops when none is ready and letting held
    // threads go on when due; false once no tracee is left.
    bool step();
    // Waits for a stop (or a held thread's deadline) and takes every other one already there;
    // false once no tracee is left.
    bool wait_for_stops();
    // The same with a notifier: waits for a notified call, a stop or a deadline, and takes every
    // stop already there and the oldest call.
    bool wait_for_events();
    // Every stop already there, into the queue; false once no tracee is left.
    bool take_ready_stops();
    void queue(const trace::Stop& stop);
    // Between a changed call's entry and its exit stop, where it must not be let go.
    static bool mid_call(const ThreadState& thread) {
        return !std::holds_alternative<NoChange>(thread.change);
    }
    ThreadState* find_or_adopt(pid_t tid);
    void forget_process(pid_t tgid);
    ThreadState& add_thread(pid_t tid, pid_t tgid);
    void on_gone(const trace::Stop& stop);
    // Counts a syscall or seccomp stop and reads what it is; false when there is nothing to do
    // (the thread died under us, or the stop is stale: see is_stale).
    bool read_syscall_stop(ThreadState& thread, trace::SyscallInfo& info);
    void on_syscall_stop(ThreadState& thread);
    void on_event(ThreadState& thread, const trace::Stop& stop);
    void on_new_tracee(ThreadState& parent, int event);
    // Whether the new tracee's fd table is its parent's, when a thread's is not or a
    // process's is (or it cannot be told): then neither process caches fd files any more.
    void note_fd_table(const ThreadState& parent, pid_t child, pid_t child_tgid);
    void on_exec(ThreadState& thread);
    // Whether the thread is now held for a delay, and so must not be resumed.
    bool decide_and_act(ThreadState& thread, const trace::SyscallInfo& info);
    // Before a call that may close or replace an fd, what the process's fds referred to is
    // forgotten.
    void forget_fd_files_before(pid_t tgid, const trace::SyscallInfo& info);
    // The file the call touches, for the record: the one the rule's path filter passed, or the
    // call's first (while records are kept).
    std::optional<std::string> recorded_path(const Verdict& verdict, CallFacts& facts) const;
    // A notified call's verdict, as its answer.
    static Answer answer_for(std::uint64_t id, const std::optional<Verdict>& verdict);
    // Sends the answer (its signal first); false when the call no longer waited for it.
    bool deliver(const ThreadState& thread, const Answer& answer);
    // Tells the power-cut watch of a call about to run, or kills the tree at its crash point.
    void watch_for_power_cut(ThreadState& thread, const trace::SyscallInfo& info,
                             const std::optional<Verdict>& verdict);
    void hold(ThreadState& thread, std::chrono::microseconds delay);
    void forget_timer(ThreadState& thread);
    void resume_due_threads();
    // Cuts short the waits of held threads that a signal is pending for, which the program
    // would act on (see signals_acted_on), at most once per signal_check_interval_.
    void interrupt_signalled_holds();
    // The wait ends as if the signal had come just before the call: a call that has not run
    // yet is not run, but made again once the thread has taken the signal (killed by it, or
    // stopped, or after its handler); one that has run returns now. The rule's signal, due at
    // the end of the wait, is not sent.
    void interrupt_hold(ThreadState& thread);
    // A verdict other than short: the call skipped with its result to come at the exit stop,
    // or (delay alone) let run; held first for a delay, its signal sent or kept for after.
    void skip_or_hold_call(ThreadState& thread, const trace::SyscallInfo& info,
                           const Verdict& verdict);
    // Cuts the call's byte count to `limit`; false when it asks for no more (or cannot be cut),
    // and so runs untouched.
    bool shorten_call(ThreadState& thread, const trace::SyscallInfo& info, std::uint64_t limit);
    bool shorten_iovecs(ThreadState& thread, const trace::SyscallInfo& info,
                        const catalogue::ByteCount& count, std::uint64_t limit,
                        Shortened& shortened);
    void change_argument(ThreadState& thread, const trace::SyscallInfo& info, unsigned index,
                         std::uint64_t value, Shortened& shortened);
    // At a changed call's exit stop: its result written, or its arguments given back.
    void undo_change(ThreadState& thread, std::int64_t& result);
    void send_signal_when_due(ThreadState& thread);
    // strace's poke_enter and poke_exit: the bytes written where the call's arguments point,
    // now, or (exit_pokes) at its exit stop.
    void poke(ThreadState& thread, const trace::SyscallInfo& info, const Effect& effect);
    void write_exit_pokes(ThreadState& thread);
    // A note for the run's result, once whatever number of times it comes up.
    void note_once(std::string note);
    void record_injection(const SyscallEvent& call, const Verdict& verdict,
                          std::optional<std::string> path, std::vector<StackFrame> stack);
    // Says once that a module has no symbols, so that sites are named by offset.
    void note_unnamed_frames(const std::vector<StackFrame>& stack);
    void log_entry(ThreadState& thread, Abi abi, const trace::SyscallInfo& info);
    void log_exit(ThreadState& thread, std::int64_t result);
    // The call will not return (exit_group, its thread killed): logged with no result.
    void log_unfinished(ThreadState& thread);
    // The one place that decides how a tracee goes on.
    void resume(ThreadState& thread, int signal = 0);
    void listen(ThreadState& thread);
    void let_go(ThreadState& thread, int signal);
    void forget_detached(pid_t tid);
    // Drops a thread that is gone or let go, remembering it if its parent's event is to come.
    void forget_thread(std::unordered_map<pid_t, ThreadState>::iterator thread);
    void forget_exited_leaders();

    trace::Tracer& tracer_;
    trace::Notifier* notifier_ = nullptr;
    Decider& decider_;
    StopPolicy policy_;
    bool no_new_privs_;
    bool setid_noted_ = false;
    bool detaching_ = false;
    std::size_t record_limit_ = 1000;
    std::function<void(const Injection&)> injection_sink_;
    std::function<void(const SyscallRecord&)> syscall_log_;
    trace::Stacks* stacks_ = nullptr;
    bool log_stacks_ = false;
    std::vector<StackFrame> frames_;  // a stop's stack, unwound here and reused
    bool unnamed_frames_noted_ = false;
    std::optional<SyscallSet> logged_only_;  // the calls of -e trace=SET
    pid_t program_ = 0;
    std::chrono::steady_clock::time_point start_;  // Injection::at counts from here
    std::unordered_map<pid_t, ThreadState> threads_;
    // Threads that died, or were let go, before their parent's event announced them: that
    // event must not bring them back as tracees that will never stop.
    std::unordered_set<pid_t> gone_unannounced_;
    // Stops and notified calls taken from the kernel and not yet served, in the order they came.
    std::deque<std::variant<trace::Stop, trace::Notification>> ready_;
    bool tracees_gone_ = false;  // waitpid said so while taking stops
    RunResult result_;
    TimerQueue timers_;
    Clock clock_ = [] { return TimerQueue::Clock::now(); };
    std::optional<std::chrono::milliseconds> signal_check_interval_{10};
    TimerQueue::Clock::time_point next_signal_check_{};

    // For the rules' filters: by process, what is known of its fds and names.
    ProcessFactsMap process_facts_;
    bool cache_fd_files_ = false;  // a path filter may need fds' files: remember them
    SyscallSet fd_closers_;  // the calls that close or replace fds, while a path filter needs them
    std::vector<std::byte> iovecs_;  // a shortened call's iovec array, reused
    bool stack_write_noted_ = false;
    PowerCutWatch* power_cut_ = nullptr;
    std::unordered_set<std::string> noted_;

    // The traced processes, for kill_everything(). Changed only when a process appears or
    // goes, so the lock costs nothing on the per-syscall path.
    std::mutex processes_mutex_;
    std::vector<pid_t> processes_;
    bool adopted_a_process_ = false;         // under processes_mutex_
    std::vector<int> signals_before_start_;  // under processes_mutex_
    std::atomic<bool> killing_{false};
};

}  // namespace inject::engine
