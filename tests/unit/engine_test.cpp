// The engine's stop handling, driven through a GoogleMock double of the ptrace layer: no
// tracee, every stop scripted, every action on a tracee checked.
#include "engine/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>

#include "inject/scenario.hpp"

namespace inject::engine {
namespace {

using ::testing::_;
using ::testing::Assign;
using ::testing::DoAll;
using ::testing::InSequence;
using ::testing::Return;
using ::testing::SetArgReferee;
using ::testing::StrictMock;
using trace::Resume;
using trace::Stop;
using trace::SyscallInfo;

class MockTracer : public trace::Tracer {
  public:
    MOCK_METHOD(std::optional<Stop>, wait_for_stop, (), (override));
    MOCK_METHOD(std::error_code, resume, (pid_t, Resume, int), (override));
    MOCK_METHOD(std::error_code, syscall_info, (pid_t, SyscallInfo&), (override));
    MOCK_METHOD(std::error_code, event_message, (pid_t, unsigned long&), (override));
    MOCK_METHOD(std::error_code, set_syscall_number, (pid_t, Abi, long), (override));
    MOCK_METHOD(std::error_code, set_return_value, (pid_t, Abi, std::int64_t), (override));
    MOCK_METHOD(std::error_code, send_signal, (pid_t, pid_t, int), (override));
    MOCK_METHOD(std::error_code, thread_group_of, (pid_t, pid_t&), (override));
    MOCK_METHOD(bool, runs_setid_program, (pid_t), (override));
    MOCK_METHOD(void, kill_process, (pid_t), (override));
    MOCK_METHOD(std::error_code, interrupt, (pid_t), (override));
    MOCK_METHOD(bool, has_exited, (pid_t), (override));
};

constexpr pid_t kProgram = 100;
constexpr long kWrite = 1;
constexpr long kRead = 0;
constexpr long kNanosleep = 35;
constexpr std::int64_t kRestartBlock = -516;  // -ERESTART_RESTARTBLOCK

const std::error_code kOk{};
const std::error_code kGone = std::make_error_code(std::errc::no_such_process);

Stop event_stop(pid_t tid, int event, int signal = SIGTRAP) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::event;
    stop.event = event;
    stop.signal = signal;
    return stop;
}
Stop syscall_stop(pid_t tid) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::syscall;
    stop.signal = SIGTRAP;
    return stop;
}
Stop signal_stop(pid_t tid, int signal) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::signal;
    stop.signal = signal;
    return stop;
}
Stop exited(pid_t tid, int code) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::exited;
    stop.code = code;
    return stop;
}
Stop killed(pid_t tid, int signal) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::killed;
    stop.signal = signal;
    return stop;
}

SyscallInfo seccomp_info(long number, Abi abi = Abi::x86_64) {
    SyscallInfo info;
    info.op = SyscallInfo::Op::seccomp;
    info.abi = abi;
    info.number = number;
    return info;
}
SyscallInfo entry_info(long number, Abi abi = Abi::x86_64) {
    SyscallInfo info = seccomp_info(number, abi);
    info.op = SyscallInfo::Op::entry;
    return info;
}
SyscallInfo exit_info(std::int64_t value, Abi abi = Abi::x86_64) {
    SyscallInfo info;
    info.op = SyscallInfo::Op::exit;
    info.abi = abi;
    info.return_value = value;
    return info;
}

class EngineTest : public ::testing::Test {
  protected:
    void use_rules(std::vector<Rule> rules, StopPolicy policy) {
        rules_ = std::move(rules);
        decider_.emplace(rules_);
        engine_.emplace(tracer_, *decider_, policy);
    }

    // The program arrives stopped at the exec event that started it.
    void adopt_program(Resume expected) {
        EXPECT_CALL(tracer_, event_message(kProgram, _))
            .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
        EXPECT_CALL(tracer_, resume(kProgram, expected, 0)).WillOnce(Return(kOk));
        engine_->adopt_stopped_program(kProgram);
    }

    void expect_info(pid_t tid, const SyscallInfo& info) {
        EXPECT_CALL(tracer_, syscall_info(tid, _))
            .WillOnce(DoAll(SetArgReferee<1>(info), Return(kOk)))
            .RetiresOnSaturation();
    }

    StrictMock<MockTracer> tracer_;
    std::vector<Rule> rules_;
    std::optional<Decider> decider_;
    std::optional<Engine> engine_;
};

TEST_F(EngineTest, SeccompStopOfAnUninjectedCallIsItsOnlyStop) {
    use_rules({parse_spec("write:error=ENOSPC:when=2")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));

    EXPECT_TRUE(engine_->take_outcome().injections.empty());
}

TEST_F(EngineTest, InjectedCallIsSkippedAtSeccompStopAndGetsItsResultAtExit) {
    use_rules({parse_spec("write:error=ENOSPC:when=2")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    // First write: counted, let run.
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // Second write: number set to -1, resumed to its exit stop.
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // Its exit: -ENOSPC written, back to PTRACE_CONT.
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -ENOSPC)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    engine_->handle(exited(kProgram, 1));

    const EngineOutcome outcome = engine_->take_outcome();
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    // A read: entry and exit, untouched.
    expect_info(kProgram, entry_info(kRead));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(5));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    // Write 1 runs; write 2 is skipped at entry and returns 0 at exit.
    expect_info(kProgram, entry_info(kWrite));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(3));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, entry_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, 0)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(engine_->take_outcome().injections.size(), 1U);
}

TEST_F(EngineTest, I386CallsAreMatchedByTheirOwnNumbersAndAnsweredInTheirAbi) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(4, Abi::i386));  // write on i386
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::i386, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS, Abi::i386));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::i386, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    const EngineOutcome outcome = engine_->take_outcome();
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kThread, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_CLONE));
    EXPECT_EQ(engine_->tracee_count(), 2U);
    // The leader writes once, the thread once: the process's second write fails.
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kThread, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kThread, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kThread, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kThread, PTRACE_EVENT_SECCOMP));

    const EngineOutcome outcome = engine_->take_outcome();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].pid, kProgram);
    EXPECT_EQ(outcome.injections[0].tid, kThread);
}

TEST_F(EngineTest, ForkedChildIsANewProcessWithFreshPerProcessCounts) {
    use_rules({parse_spec("write:error=EIO:when=1:per=process")}, StopPolicy::seccomp);
    constexpr pid_t kChild = 200;
    InSequence order;
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kChild), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_FORK));
    EXPECT_CALL(tracer_, resume(kChild, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kChild, PTRACE_EVENT_STOP));
    for (pid_t tid : {kProgram, kChild}) {
        expect_info(tid, seccomp_info(kWrite));
        EXPECT_CALL(tracer_, set_syscall_number(tid, Abi::x86_64, -1)).WillOnce(Return(kOk));
        EXPECT_CALL(tracer_, resume(tid, Resume::syscall, 0)).WillOnce(Return(kOk));
        engine_->handle(event_stop(tid, PTRACE_EVENT_SECCOMP));
    }
    // The child's exit is not the program's.
    engine_->handle(exited(kChild, 7));
    const EngineOutcome outcome = engine_->take_outcome();
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_CLONE));
    EXPECT_CALL(tracer_, resume(kThread, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    // The thread writes once (its count: 1), then calls execve.
    expect_info(kThread, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, resume(kThread, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kThread, PTRACE_EVENT_SECCOMP));
    // The exec event comes from the leader's id, naming the thread as the former id.
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_EQ(engine_->tracee_count(), 1U);
    // A late report of the old thread id changes nothing.
    engine_->handle(exited(kThread, 0));
    EXPECT_EQ(engine_->tracee_count(), 1U);
    // The exec'd program's first write is the thread's second: it fails.
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));

    const EngineOutcome outcome = engine_->take_outcome();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 2U);
}

TEST_F(EngineTest, SignalDuringASyscallIsPassedOnAndTheRestartIsAnotherCall) {
    use_rules({parse_spec("clock_nanosleep:error=EINTR:when=5")}, StopPolicy::every_syscall);
    InSequence order;
    adopt_program(Resume::syscall);
    expect_info(kProgram, entry_info(kNanosleep));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    // Interrupted: the kernel's restart code at exit, then the signal's delivery stop.
    expect_info(kProgram, exit_info(kRestartBlock));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, SIGALRM)).WillOnce(Return(kOk));
    engine_->handle(signal_stop(kProgram, SIGALRM));

    EXPECT_TRUE(engine_->take_outcome().injections.empty());
}

TEST_F(EngineTest, SignalAfterAnInjectedCallIsDeliveredAfterItsExit) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, SIGUSR1)).WillOnce(Return(kOk));
    engine_->handle(signal_stop(kProgram, SIGUSR1));
}

TEST_F(EngineTest, SignalKeySendsTheSignalToTheCallingThreadAtTheSkippedCall) {
    use_rules({parse_spec("write:signal=SIGKILL")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGKILL)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // Alone, the signal makes the call return EINTR, as a call a signal interrupted does.
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EINTR)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    engine_->handle(killed(kProgram, SIGKILL));

    const EngineOutcome outcome = engine_->take_outcome();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].signal, SIGKILL);
    EXPECT_EQ(outcome.signal, SIGKILL);
}

TEST_F(EngineTest, SignalKeyWithAnErrorWritesTheErrorAndToleratesADeadThread) {
    use_rules({parse_spec("write:error=EIO:signal=SIGUSR1")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGUSR1)).WillOnce(Return(kGone));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
}

TEST_F(EngineTest, GroupStopIsListenedToAndItsEndResumes) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, SIGSTOP)).WillOnce(Return(kOk));
    engine_->handle(signal_stop(kProgram, SIGSTOP));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::listen, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_STOP, SIGSTOP));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_STOP, SIGTRAP));
}

TEST_F(EngineTest, TraceeKilledWhileStoppedIsNotAnError) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    // SIGKILL arrived while it sat at its seccomp stop: every request fails with ESRCH.
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kGone));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kGone));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    engine_->handle(killed(kProgram, SIGKILL));

    const EngineOutcome outcome = engine_->take_outcome();
    EXPECT_EQ(outcome.signal, SIGKILL);
    EXPECT_FALSE(outcome.exit_code.has_value());
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(EngineTest, OtherPtraceErrorsAreNotSwallowed) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1))
        .WillOnce(Return(std::make_error_code(std::errc::io_error)));
    EXPECT_THROW(engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP)), std::system_error);
}

TEST_F(EngineTest, InjectionsBeyondTheRecordLimitAreCountedNotKept) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    engine_->set_injection_record_limit(2);
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, syscall_info(kProgram, _))
        .WillRepeatedly(DoAll(SetArgReferee<1>(seccomp_info(kWrite)), Return(kOk)));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1))
        .Times(5)
        .WillRepeatedly(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).Times(5).WillRepeatedly(Return(kOk));
    for (int call = 0; call < 5; ++call) {
        engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    }
    const EngineOutcome outcome = engine_->take_outcome();
    EXPECT_EQ(outcome.injection_count, 5U);
    ASSERT_EQ(outcome.injections.size(), 2U);
    EXPECT_EQ(outcome.injections[1].nth, 2U);
}

TEST_F(EngineTest, WithoutRulesNothingStopsAtSyscalls) {
    use_rules({}, StopPolicy::none);
    InSequence order;
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(exited(kProgram, 3)))
        .WillOnce(Return(std::nullopt));
    const EngineOutcome outcome = engine_->run(kProgram);
    EXPECT_EQ(outcome.exit_code, 3);
    EXPECT_EQ(outcome.syscall_stops, 0U);
}

TEST_F(EngineTest, SetuidProgramUnderNoNewPrivsIsNotedOnce) {
    rules_ = {parse_spec("write:error=EIO")};
    decider_.emplace(rules_);
    engine_.emplace(tracer_, *decider_, StopPolicy::seccomp, /*no_new_privs=*/true);
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillRepeatedly(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    EXPECT_CALL(tracer_, runs_setid_program(kProgram)).WillOnce(Return(true));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).Times(2).WillRepeatedly(Return(kOk));
    engine_->adopt_stopped_program(kProgram);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_EQ(engine_->take_outcome().notes.size(), 1U);
}

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
            EXPECT_CALL(tracer_, resume(tid, Resume::syscall, 0)).WillOnce(Return(kOk));
            engine_->handle(event_stop(tid, PTRACE_EVENT_STOP));
        }
    }

    // A write whose number is replaced at its entry stop: it is then between entry and exit.
    void inject_a_write(pid_t tid) {
        expect_info(tid, entry_info(kWrite));
        EXPECT_CALL(tracer_, set_syscall_number(tid, Abi::x86_64, -1)).WillOnce(Return(kOk));
        EXPECT_CALL(tracer_, resume(tid, Resume::syscall, 0)).WillOnce(Return(kOk));
        engine_->handle(syscall_stop(tid));
    }
};

TEST_F(AttachTest, RunEndsWithTheLastTraceeAndTheProgramsStatus) {
    InSequence order;
    attach({kProgram, kThread});
    // No ECHILD is waited for: the caller may have children that are no tracees.
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(exited(kThread, 0)))
        .WillOnce(Return(exited(kProgram, 3)));
    const EngineOutcome outcome = engine_->run_attached([] { return false; });
    EXPECT_EQ(outcome.exit_code, 3);
    EXPECT_FALSE(outcome.detached);
}

TEST_F(AttachTest, ARequestedDetachWaitsForTheExitStopOfAnInjectedCall) {
    InSequence order;
    attach({kProgram});
    inject_a_write(kProgram);
    bool requested = false;
    // The request comes while the loop waits; the wait returns, for whatever reason.
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(DoAll(Assign(&requested, true), Return(exited(4242, 0))));
    // No PTRACE_INTERRUPT: its exit stop comes next anyway. There the result is written
    // first, and only then is it let go, so the program never sees -ENOSYS.
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(syscall_stop(kProgram)));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, 0)).WillOnce(Return(kOk));
    const EngineOutcome outcome = engine_->run_attached([&] { return requested; });
    EXPECT_TRUE(outcome.detached);
    EXPECT_FALSE(outcome.exit_code.has_value());
    EXPECT_EQ(outcome.injection_count, 1U);
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachPassesOnTheSignalOfASignalDeliveryStop) {
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(signal_stop(kProgram, SIGUSR1)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, SIGUSR1)).WillOnce(Return(kOk));
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachLeavesAGroupStoppedThreadStopped) {
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, resume(kProgram, Resume::listen, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_STOP, SIGSTOP));
    // Interrupted in PTRACE_LISTEN, it stops again in its group-stop; let go there (with no
    // signal), the kernel keeps it stopped.
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_STOP, SIGSTOP)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, 0)).WillOnce(Return(kOk));
    engine_->detach_all();
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachAtASyscallEntryLetsTheCallRunUninjected) {
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(syscall_stop(kProgram)));
    expect_info(kProgram, entry_info(kWrite));  // a write the rule would fail
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, 0)).WillOnce(Return(kOk));
    engine_->detach_all();
    EXPECT_EQ(engine_->take_outcome().injection_count, 0U);
}

TEST_F(AttachTest, DetachWaitsForAChildForkedMeanwhileAndLetsItGoToo) {
    constexpr pid_t kChild = 200;
    InSequence order;
    attach({kProgram});
    EXPECT_CALL(tracer_, interrupt(kProgram)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(event_stop(kProgram, PTRACE_EVENT_FORK)));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kChild), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, 0)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(event_stop(kChild, PTRACE_EVENT_STOP)));
    EXPECT_CALL(tracer_, resume(kChild, Resume::detach, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kThread, Resume::detach, 0)).WillOnce(Return(kOk));
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
    const EngineOutcome outcome = engine_->take_outcome();
    EXPECT_EQ(outcome.signal, SIGKILL);
    EXPECT_FALSE(outcome.detached);
}

}  // namespace
}  // namespace inject::engine
