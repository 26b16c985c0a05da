// The engine's stop handling: seccomp and syscall stops, ABIs, new threads, forks, exec.
#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;

TEST_F(EngineTest, SeccompStopOfAnUninjectedCallIsItsOnlyStop) {
    use_rules({parse_spec("write:error=ENOSPC:when=2")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));

    EXPECT_TRUE(engine_->take_result().injections.empty());
}

TEST_F(EngineTest, InjectedCallIsSkippedAtSeccompStopAndGetsItsResultAtExit) {
    use_rules({parse_spec("write:error=ENOSPC:when=2")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    // First write: counted, let run.
    expect_info(kProgram, seccomp_info(kWrite));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // Second write: number set to -1, resumed to its exit stop.
    expect_info(kProgram, seccomp_info(kWrite));
    expect_skip(kProgram);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // Its exit: -ENOSPC written, back to PTRACE_CONT.
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -ENOSPC);
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
    engine_->handle(exited(kProgram, 1));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].syscall, "write");
    EXPECT_EQ(outcome.injections[0].nth, 2U);
    EXPECT_EQ(outcome.injections[0].pid, kProgram);
    EXPECT_EQ(outcome.exit_code, 1);
    EXPECT_EQ(outcome.syscall_stops, 3U);
}

TEST_F(EngineTest, WithoutFilterEntryAndExitPairUp) {
    use_rules({parse_spec("write:retval=0:when=2")}, StopPolicy::every_syscall);
    InSequence order;
    adopt_program(Resume::syscall);
    // The exit stop of the execve that started the program: nothing pending.
    expect_info(kProgram, exit_info(0));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    // A read: entry and exit, untouched.
    expect_info(kProgram, entry_info(kRead));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(5));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    // Write 1 runs; write 2 is skipped at entry and returns 0 at exit.
    expect_info(kProgram, entry_info(kWrite));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(3));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, entry_info(kWrite));
    expect_skip(kProgram);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, 0);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(engine_->take_result().injections.size(), 1U);
}

TEST_F(EngineTest, I386CallsAreMatchedByTheirOwnNumbersAndAnsweredInTheirAbi) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(4, Abi::i386));  // write on i386
    expect_skip(kProgram, Abi::i386);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS, Abi::i386));
    expect_result(kProgram, -EIO, Abi::i386);
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].abi, Abi::i386);
    EXPECT_EQ(outcome.injections[0].syscall, "write");
}

TEST_F(EngineTest, CallsOfAnUnhandledAbiAreLeftAlone) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    SyscallInfo x32 = seccomp_info(0x40000001);
    x32.abi.reset();
    expect_info(kProgram, x32);
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
}

TEST_F(EngineTest, NewThreadStoppingBeforeItsCloneEventIsAdoptedIntoItsProcess) {
    use_rules({parse_spec("write:error=EIO:when=2:per=process")}, StopPolicy::seccomp);
    constexpr pid_t kThread = 101;
    InSequence order;
    adopt_program(Resume::cont);
    // The thread's first stop arrives before the parent's clone event.
    EXPECT_CALL(tracer_, thread_group_of(kThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kThread, Resume::cont);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_CLONE));
    EXPECT_EQ(engine_->tracee_count(), 2U);
    // The leader writes once, the thread once: the process's second write fails.
    expect_info(kProgram, seccomp_info(kWrite));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kThread, seccomp_info(kWrite));
    expect_skip(kThread);
    expect_resume(kThread, Resume::syscall);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_SECCOMP));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].pid, kProgram);
    EXPECT_EQ(outcome.injections[0].tid, kThread);
}

TEST_F(EngineTest, AThreadThatEndsBeforeItsCloneEventIsNotBroughtBackByIt) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    constexpr pid_t kThread = 101;
    InSequence order;
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, thread_group_of(kThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kThread, Resume::cont);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    engine_->handle(exited(kThread, 0));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_CLONE));
    EXPECT_EQ(engine_->tracee_count(), 1U) << "a thread that is gone is kept as a tracee";
}

TEST_F(EngineTest, ForkedChildIsANewProcessWithFreshPerProcessCounts) {
    use_rules({parse_spec("write:error=EIO:when=1:per=process")}, StopPolicy::seccomp);
    constexpr pid_t kChild = 200;
    InSequence order;
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kChild), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_FORK));
    expect_resume(kChild, Resume::cont);
    engine_->handle(event_stop(kChild, PTRACE_EVENT_STOP));
    for (pid_t tid : {kProgram, kChild}) {
        expect_info(tid, seccomp_info(kWrite));
        expect_skip(tid);
        expect_resume(tid, Resume::syscall);
        engine_->handle(event_stop(tid, PTRACE_EVENT_SECCOMP));
    }
    // The child's exit is not the program's.
    engine_->handle(exited(kChild, 7));
    const RunResult outcome = engine_->take_result();
    EXPECT_EQ(outcome.injections.size(), 2U);
    EXPECT_FALSE(outcome.exit_code.has_value());
}

TEST_F(EngineTest, ExecFromANonLeaderThreadTakesOverTheLeader) {
    use_rules({parse_spec("write:error=EIO:when=2:per=thread")}, StopPolicy::seccomp);
    constexpr pid_t kThread = 101;
    InSequence order;
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    // clone() may make a thread or a process: the engine asks which.
    EXPECT_CALL(tracer_, thread_group_of(kThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_CLONE));
    expect_resume(kThread, Resume::cont);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    // The thread writes once (its count: 1), then calls execve.
    expect_info(kThread, seccomp_info(kWrite));
    expect_resume(kThread, Resume::cont);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_SECCOMP));
    // The exec event comes from the leader's id, naming the thread as the former id.
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_EQ(engine_->tracee_count(), 1U);
    // A late report of the old thread id changes nothing.
    engine_->handle(exited(kThread, 0));
    EXPECT_EQ(engine_->tracee_count(), 1U);
    // The exec'd program's first write is the thread's second: it fails.
    expect_info(kProgram, seccomp_info(kWrite));
    expect_skip(kProgram);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 2U);
}

}  // namespace
}  // namespace inject::engine
