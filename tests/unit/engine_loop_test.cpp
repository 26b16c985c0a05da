// The engine's loop: every stop already there is served before the next wait.
#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;

// The loop: every stop already there is served before the next wait, so no thread starves.
class EngineLoopTest : public EngineTest {
  protected:
    static constexpr pid_t kThread = 101;

    // The program with a second thread, both running under a rule that never fires.
    void start_two_threads() {
        use_rules({parse_spec("write:error=EIO:when=1000")}, StopPolicy::seccomp);
        adopt_program(Resume::cont);
        EXPECT_CALL(tracer_, thread_group_of(kThread, _))
            .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
        expect_resume(kThread, Resume::cont);
        engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    }

    void expect_write_served(pid_t tid) {
        expect_info(tid, seccomp_info(kWrite));
        expect_resume(tid, Resume::cont);
    }
};

TEST_F(EngineLoopTest, AThreadThatStopsFirstEveryTimeDoesNotStarveTheOthers) {
    start_two_threads();
    InSequence order;
    // Each wait finds the program first, as waitpid(-1) does when it stops again at once; the
    // thread's stop, there all along, is taken with it and served before the next wait.
    for (int round = 0; round < 3; ++round) {
        EXPECT_CALL(tracer_, wait_for_stop())
            .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_SECCOMP)))
            .RetiresOnSaturation();
        EXPECT_CALL(tracer_, poll_stop())
            .WillOnce(Return(event_stop(kThread, PTRACE_EVENT_SECCOMP)))
            .WillOnce(Return(trace::NoStopYet{}))
            .RetiresOnSaturation();
        expect_write_served(kProgram);
        expect_write_served(kThread);
    }
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(exited(kThread, 0)))
        .RetiresOnSaturation();
    EXPECT_CALL(tracer_, poll_stop()).WillOnce(Return(exited(kProgram, 0)));
    EXPECT_CALL(tracer_, poll_stop()).WillOnce(Return(trace::NoStopYet{}));
    const RunResult outcome = engine_->run_attached([] { return false; });
    EXPECT_EQ(outcome.syscall_stops, 6U);
    EXPECT_EQ(outcome.exit_code, 0);
}

TEST_F(EngineLoopTest, ALoneTraceeCostsOneWaitPerStop) {
    use_rules({parse_spec("write:error=EIO:when=1000")}, StopPolicy::seccomp);
    EXPECT_CALL(tracer_, poll_stop()).Times(0);
    InSequence order;
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_SECCOMP)))
        .RetiresOnSaturation();
    expect_write_served(kProgram);
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(exited(kProgram, 0)))
        .WillOnce(Return(std::nullopt));
    EXPECT_EQ(engine_->run(kProgram).exit_code, 0);
}

TEST_F(EngineLoopTest, AStopOfTheOldLeaderTakenBeforeAnExecIsDroppedWithIt) {
    start_two_threads();
    InSequence order;
    // The leader stopped at a write just as the thread exec'd: that stop is gone with the old
    // leader, and its id now stands for the execing thread, stopped at its exec event.
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_SECCOMP)))
        .RetiresOnSaturation();
    EXPECT_CALL(tracer_, poll_stop())
        .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_EXEC)))
        .WillOnce(Return(trace::NoStopYet{}))
        .RetiresOnSaturation();
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(exited(kProgram, 0)));
    const RunResult outcome = engine_->run_attached([] { return false; });
    EXPECT_EQ(outcome.exit_code, 0);
}

TEST_F(EngineLoopTest, AStopItsThreadIsNoLongerInIsNotResumed) {
    start_two_threads();
    InSequence order;
    // Served before the exec event came: ptrace finds the thread at no syscall.
    expect_info(kProgram, SyscallInfo{});
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, SyscallInfo{});
    engine_->handle(syscall_stop(kProgram));
}

}  // namespace
}  // namespace inject::engine
