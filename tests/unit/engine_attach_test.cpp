// Attached processes (-p): the end of a run and detaching.
#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;

// Attached processes (-p): no filter, every syscall stops, and the detach.
class AttachTest : public EngineTest {
  protected:
    static constexpr pid_t kThread = 101;

    // The program's threads, seized and interrupted, reporting their first stop.
    void attach(std::vector<pid_t> tids) {
        use_rules({parse_spec("write:error=EIO")}, StopPolicy::every_syscall);
        for (pid_t tid : tids) {
            engine_->adopt_seized(tid, kProgram);
        }
        for (pid_t tid : tids) {
            expect_resume(tid, Resume::syscall);
            engine_->handle(event_stop(tid, PTRACE_EVENT_STOP));
        }
    }

    // A write whose number is replaced at its entry stop: it is then between entry and exit.
    void inject_a_write(pid_t tid) {
        expect_info(tid, entry_info(kWrite));
        expect_skip(tid);
        expect_resume(tid, Resume::syscall);
        engine_->handle(syscall_stop(tid));
    }
};

TEST_F(AttachTest, RunEndsWithTheLastTraceeAndTheProgramsStatus) {
    attach({kProgram, kThread});  // first: its catch-all expectations stay out of the sequence
    InSequence order;
    // No ECHILD is waited for: the caller may have children that are no tracees.
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(exited(kThread, 0)))
        .WillOnce(Return(exited(kProgram, 3)));
    const RunResult outcome = engine_->run_attached([] { return false; });
    EXPECT_EQ(outcome.exit_code, 3);
    EXPECT_FALSE(outcome.detached);
}

TEST_F(AttachTest, ARequestedDetachWaitsForTheExitStopOfAnInjectedCall) {
    attach({kProgram});  // first: its catch-all reads of the tracee stay out of the sequence
    InSequence order;
    inject_a_write(kProgram);
    bool requested = false;
    // The request comes while the loop waits; the wait returns, for whatever reason.
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(DoAll(Assign(&requested, true), Return(exited(4242, 0))));
    // No PTRACE_INTERRUPT: its exit stop comes next anyway. There the result is written
    // first, and only then is it let go, so the program never sees -ENOSYS.
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(syscall_stop(kProgram)));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -EIO);
    expect_resume(kProgram, Resume::detach);
    const RunResult outcome = engine_->run_attached([&] { return requested; });
    EXPECT_TRUE(outcome.detached);
    EXPECT_FALSE(outcome.exit_code.has_value());
    EXPECT_EQ(outcome.injection_count, 1U);
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachCutsADelayShortAndStillWritesTheSkippedCallsResult) {
    use_rules({parse_spec("write:delay=10s:error=EIO:signal=SIGKILL")}, StopPolicy::every_syscall);
    engine_->adopt_seized(kProgram, kProgram);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_STOP));
    // Held at its entry, its number already replaced: no resume until the wait is over.
    expect_info(kProgram, entry_info(kWrite));
    expect_skip(kProgram);
    engine_->handle(syscall_stop(kProgram));

    InSequence order;
    // The detach ends the wait at once: no interrupt (it is stopped already), no SIGKILL (the
    // program is let go unharmed), and the skipped call still gets its result before.
    EXPECT_CALL(tracer_, interrupt(_)).Times(0);
    EXPECT_CALL(tracer_, send_signal(_, _, _)).Times(0);
    expect_resume(kProgram, Resume::syscall);
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(syscall_stop(kProgram)));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -EIO);
    expect_resume(kProgram, Resume::detach);
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachPassesOnTheSignalOfASignalDeliveryStop) {
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(signal_stop(kProgram, SIGUSR1)));
    expect_resume(kProgram, Resume::detach, SIGUSR1);
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachLeavesAGroupStoppedThreadStopped) {
    InSequence order;
    attach({kProgram});
    expect_resume(kProgram, Resume::listen);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_STOP, SIGSTOP));
    // Interrupted in PTRACE_LISTEN, it stops again in its group-stop; let go there (with no
    // signal), the kernel keeps it stopped.
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_STOP, SIGSTOP)));
    expect_resume(kProgram, Resume::detach);
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachAtASyscallEntryLetsTheCallRunUninjected) {
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(syscall_stop(kProgram)));
    expect_info(kProgram, entry_info(kWrite));  // a write the rule would fail
    expect_resume(kProgram, Resume::detach);
    engine_->detach_all();
    EXPECT_EQ(engine_->take_result().injection_count, 0U);
}

TEST_F(AttachTest, DetachWaitsForAChildForkedMeanwhileAndLetsItGoToo) {
    constexpr pid_t kChild = 200;
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_FORK)));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kChild), Return(kOk)));
    expect_resume(kProgram, Resume::detach);
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(event_stop(kChild, PTRACE_EVENT_STOP)));
    expect_resume(kChild, Resume::detach);
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, AThreadLetGoBeforeItsParentsCloneEventIsNotWaitedForAgain) {
    constexpr pid_t kNew = 300;
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    // The new thread's first stop comes before its parent's clone event: it is let go there.
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(event_stop(kNew, PTRACE_EVENT_STOP)));
    EXPECT_CALL(tracer_, thread_group_of(kNew, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kNew, Resume::detach);
    // The event that announces it must not make it a tracee again: it would never stop, and
    // the detach would wait for it for ever (as `inject -p` once did after SIGINT).
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_CLONE)));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kNew), Return(kOk)));
    expect_resume(kProgram, Resume::detach);
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachDoesNotWaitForALeaderThatExitedBeforeItsThreads) {
    InSequence order;
    attach({kProgram, kThread});
    // It can neither stop nor be detached, and is reported only once the process ends.
    EXPECT_CALL(tracer_, has_exited(kProgram)).WillOnce(Return(true));
    EXPECT_CALL(tracer_, interrupt(kThread)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(event_stop(kThread, PTRACE_EVENT_STOP)));
    expect_resume(kThread, Resume::detach);
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, AProgramThatDiesAsItIsLetGoKeepsItsStatus) {
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_STOP)))
        .RetiresOnSaturation();
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, 0)).WillOnce(Return(kGone));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(killed(kProgram, SIGKILL)));
    engine_->detach_all();
    const RunResult outcome = engine_->take_result();
    EXPECT_EQ(outcome.signal, SIGKILL);
    EXPECT_FALSE(outcome.detached);
}

}  // namespace
}  // namespace inject::engine
