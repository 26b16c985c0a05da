// Delays: held threads, their deadlines, and signals that come while a call is held.
#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;

// --- delays ----------------------------------------------------------------------------------
// The engine reads a clock of the test's: time passes only when a scripted wait says so.

constexpr pid_t kOtherThread = 101;
constexpr long kExecve = 59;
using std::chrono::milliseconds;

class EngineDelayTest : public EngineTest {
  protected:
    using TimePoint = TimerQueue::Clock::time_point;
    static constexpr TimePoint kStart = TimePoint(std::chrono::hours(1));

    EngineDelayTest() {
        // A wait the script did not foresee fails the test (StrictMock) and ends the run,
        // rather than feeding the loop forever.
        ON_CALL(tracer_, wait_for_stop_until(_))
            .WillByDefault(Return(trace::TimedWait{trace::NoTraceeLeft{}}));
    }

    void use_rules(std::vector<Rule> rules, StopPolicy policy) {
        EngineTest::use_rules(std::move(rules), policy);
        engine_->set_clock([this] { return now_; });
        // Signals sent to a held thread have tests of their own (EngineSignalDuringDelayTest).
        engine_->set_signal_check_interval(std::nullopt);
    }

    // What run() does first: the program's exec event, then its resumption.
    void expect_adoption(Resume expected) {
        EXPECT_CALL(tracer_, event_message(kProgram, _))
            .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)))
            .RetiresOnSaturation();
        expect_resume(kProgram, expected);
    }

    void expect_wait(const std::optional<Stop>& stop) {
        EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(stop)).RetiresOnSaturation();
    }

    // A wait with the deadline `due` that the clock reaches before anything else happens.
    void expect_wait_until_deadline(TimePoint due) {
        EXPECT_CALL(tracer_, wait_for_stop_until(due))
            .WillOnce([this](TimePoint deadline) {
                now_ = deadline;
                return trace::TimedWait{trace::DeadlinePassed{}};
            })
            .RetiresOnSaturation();
    }

    // A wait with the deadline `due` that another stop ends first, `passed` into the wait.
    void expect_wait_until(TimePoint due, const Stop& stop,
                           std::chrono::nanoseconds passed = std::chrono::nanoseconds(0)) {
        EXPECT_CALL(tracer_, wait_for_stop_until(due))
            .WillOnce([this, stop, passed](TimePoint) {
                now_ += passed;
                return trace::TimedWait{stop};
            })
            .RetiresOnSaturation();
    }

    // Another thread of the program makes its first stop, a write that no delay picks.
    void expect_thread_write(pid_t tid) {
        EXPECT_CALL(tracer_, thread_group_of(tid, _))
            .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)))
            .RetiresOnSaturation();
        expect_info(tid, seccomp_info(kWrite));
        expect_resume(tid, Resume::cont);
    }

    TimePoint now_ = kStart;
};

TEST_F(EngineDelayTest, HeldThreadGoesOnAtItsDeadlineAndOtherThreadsMeanwhile) {
    use_rules({parse_spec("write:delay=300ms:when=1")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    // Not resumed: held until kStart + 300ms, while the other thread's write goes through.
    expect_wait_until(kStart + milliseconds(300), event_stop(kOtherThread, PTRACE_EVENT_SECCOMP));
    expect_thread_write(kOtherThread);
    expect_wait_until_deadline(kStart + milliseconds(300));
    expect_resume(kProgram, Resume::cont);
    // Nobody held: back to the plain wait.
    expect_wait(exited(kOtherThread, 0));
    expect_wait(exited(kProgram, 0));
    expect_wait(std::nullopt);

    const RunResult outcome = engine_->run(kProgram);
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].tid, kProgram);
    EXPECT_EQ(outcome.injections[0].effect.action, Action{RunCall{}});
    EXPECT_EQ(outcome.injections[0].effect.delay, milliseconds(300));
    EXPECT_EQ(outcome.exit_code, 0);
}

TEST_F(EngineDelayTest, AStreamOfOtherStopsDoesNotKeepAHeldThreadPastItsTime) {
    use_rules({parse_spec("write:delay=300ms:when=1")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    // The deadline passes while the other thread's stop is handled: the wait never times out.
    expect_wait_until(kStart + milliseconds(300), event_stop(kOtherThread, PTRACE_EVENT_SECCOMP),
                      milliseconds(301));
    expect_thread_write(kOtherThread);
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, DelayWithAnErrorSkipsTheCallThenWaitsThenReturnsTheError) {
    use_rules({parse_spec("write:error=EIO:delay=1s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_skip(kProgram);
    expect_wait_until_deadline(kStart + std::chrono::seconds(1));
    expect_resume(kProgram, Resume::syscall);
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -EIO);
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    const RunResult outcome = engine_->run(kProgram);
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].effect.action, Action{FailWithErrno{EIO}});
}

TEST_F(EngineDelayTest, WithoutTheFilterTheEntryStopIsHeld) {
    use_rules({parse_spec("write:delay=50ms")}, StopPolicy::every_syscall);
    InSequence order;
    expect_adoption(Resume::syscall);
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, entry_info(kWrite));
    expect_wait_until_deadline(kStart + milliseconds(50));
    expect_resume(kProgram, Resume::syscall);
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(6));
    expect_resume(kProgram, Resume::syscall);
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, DelayExitHoldsTheCallAtItsExitAfterItRan) {
    use_rules({parse_spec("write:delay_exit=200ms")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    // The call runs (its number untouched); the exit stop is needed to hold it there.
    expect_resume(kProgram, Resume::syscall);
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(6));
    expect_wait_until_deadline(kStart + milliseconds(200));
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    const RunResult outcome = engine_->run(kProgram);
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].effect.delay_exit, milliseconds(200));
    EXPECT_FALSE(outcome.injections[0].effect.delay.has_value());
}

TEST_F(EngineDelayTest, SignalWithADelayIsSentWhenTheWaitEnds) {
    use_rules({parse_spec("write:signal=SIGKILL:delay=1s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_wait_until_deadline(kStart + std::chrono::seconds(1));
    // SIGKILL sent at the call would have ended the wait at once.
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGKILL)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kGone));
    expect_wait(killed(kProgram, SIGKILL));
    expect_wait(std::nullopt);

    EXPECT_EQ(engine_->run(kProgram).signal, SIGKILL);
}

TEST_F(EngineDelayTest, SignalWithADelayExitIsSentWhenTheLastWaitEnds) {
    use_rules({parse_spec("write:signal=SIGUSR1:delay=1s:delay_exit=2s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_wait_until_deadline(kStart + std::chrono::seconds(1));
    expect_resume(kProgram, Resume::syscall);
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(6));  // the call ran
    expect_wait_until_deadline(kStart + std::chrono::seconds(3));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGUSR1)).WillOnce(Return(kOk));
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, ThreadKilledWhileHeldLeavesTheQueue) {
    use_rules({parse_spec("write:delay=10s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kOtherThread, PTRACE_EVENT_SECCOMP));
    EXPECT_CALL(tracer_, thread_group_of(kOtherThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_info(kOtherThread, seccomp_info(kWrite));
    // SIGKILL from outside (or the timeout's kill_everything) ends the wait early.
    expect_wait_until(kStart + std::chrono::seconds(10), killed(kOtherThread, SIGKILL));
    // Never resumed, and nobody is held any more: the plain wait again.
    expect_wait(killed(kProgram, SIGKILL));
    expect_wait(std::nullopt);

    EXPECT_EQ(engine_->run(kProgram).signal, SIGKILL);
}

TEST_F(EngineDelayTest, HeldLeaderDiesInTheExecOfAnotherThread) {
    use_rules({parse_spec("write:delay=10s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kOtherThread, PTRACE_EVENT_STOP));
    EXPECT_CALL(tracer_, thread_group_of(kOtherThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kOtherThread, Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    // The thread's execve killed the held leader and reports under the leader's id.
    expect_wait_until(kStart + std::chrono::seconds(10), event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kOtherThread), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    engine_->run(kProgram);
    EXPECT_EQ(engine_->tracee_count(), 1U);
}

TEST_F(EngineDelayTest, HeldThreadDiesInTheExecOfItsLeader) {
    use_rules({parse_spec("write:delay=10s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kOtherThread, PTRACE_EVENT_SECCOMP));
    EXPECT_CALL(tracer_, thread_group_of(kOtherThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_info(kOtherThread, seccomp_info(kWrite));
    // Its death may not even be reported before the exec event: the exec ends its wait.
    expect_wait_until(kStart + std::chrono::seconds(10), event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, DelayExitOfAnExecveWaitsAfterTheExec) {
    use_rules({parse_spec("execve:delay_exit=100ms")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kExecve));
    expect_resume(kProgram, Resume::syscall);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kProgram, Resume::syscall);
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(0));
    expect_wait_until_deadline(kStart + milliseconds(100));
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, ZeroDelayGoesOnAtTheNextTurnWithoutATimedWait) {
    use_rules({parse_spec("write:delay=0ms")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    EXPECT_EQ(engine_->run(kProgram).injection_count, 1U);
}

// --- signals during a delay -------------------------------------------------------------------
// The kernel tells a tracer nothing of a signal sent to a thread it holds stopped: the engine
// looks at the held threads' signals every 10 ms (of the test's clock) and cuts the wait of one
// that has a signal it would act on.

constexpr std::uint64_t bit_of(int signal) {
    return std::uint64_t{1} << (signal - 1);
}

class EngineSignalDuringDelayTest : public EngineDelayTest {
  protected:
    void use_rules(std::vector<Rule> rules, StopPolicy policy) {
        EngineDelayTest::use_rules(std::move(rules), policy);
        engine_->set_signal_check_interval(milliseconds(10));
    }
    void expect_signals(pid_t tid, const trace::SignalState& state) {
        EXPECT_CALL(tracer_, signal_state(tid, _))
            .WillOnce(DoAll(SetArgReferee<1>(state), Return(kOk)))
            .RetiresOnSaturation();
    }
    // Sent to the process, the program neither blocking nor catching it.
    static trace::SignalState sent(int signal) {
        trace::SignalState state;
        state.shared_pending = bit_of(signal);
        return state;
    }
    // The call's number was set to -1 and the thread resumed to its exit stop, where it is set
    // to make the call again; then it takes the signal.
    void expect_restart_then_signal(int signal) {
        expect_resume(kProgram, Resume::syscall);
        expect_wait(syscall_stop(kProgram));
        expect_info(kProgram, exit_info(-ENOSYS));
        EXPECT_CALL(tracer_, restart_syscall(kProgram, Abi::x86_64, kWrite)).WillOnce(Return(kOk));
        expect_resume(kProgram, Resume::cont);
        expect_wait(signal_stop(kProgram, signal));
        expect_resume(kProgram, Resume::cont, signal);
    }
};

TEST_F(EngineSignalDuringDelayTest, ASignalThatKillsEndsTheWaitAndTheCallNeverRuns) {
    use_rules({parse_spec("write:delay=10s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_signals(kProgram, {});  // looked at once held, then every 10 ms
    expect_wait_until_deadline(kStart + milliseconds(10));
    expect_signals(kProgram, sent(SIGTERM));
    // The call was to run after the wait (delay alone): it is skipped now, and made again.
    expect_skip(kProgram);
    expect_restart_then_signal(SIGTERM);
    expect_wait(killed(kProgram, SIGTERM));
    expect_wait(std::nullopt);

    const RunResult outcome = engine_->run(kProgram);
    EXPECT_EQ(outcome.signal, SIGTERM);
    EXPECT_EQ(outcome.injection_count, 1U);
}

TEST_F(EngineSignalDuringDelayTest, ACaughtSignalRunsItsHandlerAndTheCallIsMadeAgain) {
    use_rules({parse_spec("write:error=EIO:delay=10s:when=1")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_skip(kProgram);
    trace::SignalState alarm;
    alarm.own_pending = bit_of(SIGALRM);
    alarm.caught = bit_of(SIGALRM);
    expect_signals(kProgram, alarm);
    // Already skipped: no second change of its number. Its EIO is not written.
    expect_restart_then_signal(SIGALRM);
    // After the handler the program makes the call again: a second write for the rules.
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_resume(kProgram, Resume::cont);
    expect_wait(exited(kProgram, 0));
    expect_wait(std::nullopt);

    EXPECT_EQ(engine_->run(kProgram).exit_code, 0);
}

TEST_F(EngineSignalDuringDelayTest, SignalsTheProgramBlocksIgnoresOrLeavesAloneDoNotEndTheWait) {
    use_rules({parse_spec("write:delay=20ms")}, StopPolicy::seccomp);
    trace::SignalState untaken;
    untaken.shared_pending = bit_of(SIGCHLD) | bit_of(SIGUSR1) | bit_of(SIGUSR2) | bit_of(SIGWINCH);
    untaken.own_pending = bit_of(SIGHUP);
    untaken.blocked = bit_of(SIGUSR1) | bit_of(SIGHUP);
    untaken.ignored = bit_of(SIGUSR2);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_signals(kProgram, untaken);
    expect_wait_until_deadline(kStart + milliseconds(10));
    expect_signals(kProgram, untaken);
    expect_wait_until_deadline(kStart + milliseconds(20));
    expect_resume(kProgram, Resume::cont);
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineSignalDuringDelayTest, AfterTheCallRanItReturnsAtOnceAndTheRulesSignalIsNotSent) {
    use_rules({parse_spec("write:retval=6:delay_exit=10s:signal=SIGUSR1")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    expect_skip(kProgram);
    expect_resume(kProgram, Resume::syscall);
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, 6);
    expect_signals(kProgram, sent(SIGINT));
    expect_resume(kProgram, Resume::cont);
    expect_wait(signal_stop(kProgram, SIGINT));
    expect_resume(kProgram, Resume::cont, SIGINT);
    expect_wait(killed(kProgram, SIGINT));
    expect_wait(std::nullopt);

    EXPECT_EQ(engine_->run(kProgram).signal, SIGINT);
}

}  // namespace
}  // namespace inject::engine
