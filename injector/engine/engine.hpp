// The loop: stops in, decisions made, tracees acted on and resumed.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/decide.hpp"
#include "inject/run.hpp"
#include "trace/tracer.hpp"

namespace inject::engine {

// Where the engine learns of picked calls.
enum class StopPolicy : std::uint8_t {
    none,           // no rules: nothing to pick, no syscall ever stops
    seccomp,        // the filter stops the picked syscalls; everything else runs freely
    every_syscall,  // no filter: every syscall entry and exit stops
};

struct EngineOutcome {
    std::optional<int> exit_code;
    std::optional<int> signal;
    std::vector<Injection> injections;  // the first ones, up to the record limit
    std::uint64_t injection_count = 0;
    std::vector<std::uint64_t> injected;  // per rule index (may be shorter than the rules)
    std::uint64_t syscall_stops = 0;
    std::vector<std::string> notes;
    bool detached = false;  // some tracee was let go while it still ran
};

class Engine {
  public:
    // no_new_privs: the program runs with PR_SET_NO_NEW_PRIVS (set for the filter), so a
    // setuid program it execs loses its privileges; the engine says so once when that happens.
    Engine(trace::Tracer& tracer, Decider& decider, StopPolicy policy, bool no_new_privs = false);

    // How many injections are kept as records (all are counted): a rule firing on a hot
    // syscall must not grow inject's memory, nor allocate on every stop.
    void set_injection_record_limit(std::size_t limit) { record_limit_ = limit; }

    // Runs until no tracee is left. `program` is the first process, stopped at the exec event
    // that started the program (or, at_exec false, at a signal-delivery-stop of the SIGSTOP
    // it raised, which is not delivered); its exit status is the outcome's.
    EngineOutcome run(pid_t program, bool at_exec = true);

    // Handles one stop (public for the unit tests, which feed stops one by one).
    void handle(const trace::Stop& stop);
    void adopt_stopped_program(pid_t program, bool at_exec = true);

    // A thread of a running process (-p), seized and interrupted by the caller: its first
    // stop is still to come. The first process adopted is the program whose exit status is
    // the outcome's.
    void adopt_seized(pid_t tid, pid_t tgid);
    // Runs until no tracee is left or, once detach_requested() says so, lets them all go
    // (detach_all). It is asked before each wait: whoever makes it true must also make the
    // wait return (see trace::WaitWaker).
    EngineOutcome run_attached(const std::function<bool()>& detach_requested);
    // Lets every tracee go on untraced, each as it reports its next stop: no call is injected
    // any more, one whose number was already replaced first gets its result at its exit stop,
    // a signal about to be delivered is passed on, and a thread in a group-stop stays
    // stopped. Returns once no tracee is left.
    void detach_all();

    // Kills every traced process, now and as new ones appear; the loop then sees them die.
    // The one member that may be called from another thread (the timeout's).
    void kill_everything();
    EngineOutcome take_outcome() { return std::move(outcome_); }
    std::size_t tracee_count() const { return threads_.size(); }

  private:
    struct PendingResult {
        Abi abi;
        std::int64_t value;
    };
    struct ThreadState {
        pid_t tid = 0;
        pid_t tgid = 0;
        // Set between a picked call's entry and its exit stop: what to write there.
        std::optional<PendingResult> pending;
        bool detached = false;  // let go at its last stop; forgotten once that is handled
    };

    ThreadState* find_or_adopt(pid_t tid);
    void forget_process(pid_t tgid);
    ThreadState& add_thread(pid_t tid, pid_t tgid);
    void on_gone(const trace::Stop& stop);
    void on_syscall_stop(ThreadState& thread);
    void on_event(ThreadState& thread, const trace::Stop& stop);
    void on_new_tracee(ThreadState& parent, int event);
    void on_exec(ThreadState& thread);
    void decide_and_act(ThreadState& thread, const trace::SyscallInfo& info);
    // The one place that decides how a tracee goes on.
    void resume(ThreadState& thread, int signal = 0);
    void listen(ThreadState& thread);
    void let_go(ThreadState& thread, int signal);
    void forget_detached(pid_t tid);
    void forget_exited_leaders();

    trace::Tracer& tracer_;
    Decider& decider_;
    StopPolicy policy_;
    bool no_new_privs_;
    bool setid_noted_ = false;
    bool detaching_ = false;
    std::size_t record_limit_ = 1000;
    pid_t program_ = 0;
    std::chrono::steady_clock::time_point start_;  // Injection::at counts from here
    std::unordered_map<pid_t, ThreadState> threads_;
    EngineOutcome outcome_;

    // The traced processes, for kill_everything(). Changed only when a process appears or
    // goes, so the lock costs nothing on the per-syscall path.
    std::mutex processes_mutex_;
    std::vector<pid_t> processes_;
    std::atomic<bool> killing_{false};
};

}  // namespace inject::engine
