// The engine's stop handling, driven through a GoogleMock double of the ptrace layer: no
// tracee, every stop scripted, every action on a tracee checked.
#include "engine/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>

#include "inject/names.hpp"
#include "inject/scenario.hpp"
#include "inject/syscall_log.hpp"

namespace inject::engine {
namespace {

using ::testing::_;
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
    MOCK_METHOD(std::error_code, read_memory, (pid_t, std::uint64_t, std::size_t, std::string&),
                (override));
    MOCK_METHOD(std::error_code, fd_path, (pid_t, int, std::string&), (override));
    MOCK_METHOD(void, kill_process, (pid_t), (override));
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

// The syscall log: what the engine reads of a call, and that it follows a logged call to its
// exit (PTRACE_SYSCALL) where the same call unlogged would go on with PTRACE_CONT.
class LoggingEngineTest : public EngineTest {
  protected:
    void use_logged_rules(std::vector<Rule> rules, StopPolicy policy) {
        use_rules(std::move(rules), policy);
        engine_->set_syscall_log(
            [this](const SyscallRecord& record) { lines_.push_back(syscall_log_line(record)); });
    }

    static SyscallInfo with_args(SyscallInfo info, std::array<std::uint64_t, 6> args) {
        info.args = args;
        return info;
    }

    void expect_fd_path(pid_t tid, int fd, const std::string& path) {
        EXPECT_CALL(tracer_, fd_path(tid, fd, _))
            .WillOnce(DoAll(SetArgReferee<2>(path), Return(kOk)))
            .RetiresOnSaturation();
    }
    void expect_memory(pid_t tid, std::uint64_t address, std::size_t size,
                       const std::string& bytes) {
        EXPECT_CALL(tracer_, read_memory(tid, address, size, _))
            .WillOnce(DoAll(SetArgReferee<3>(bytes), Return(kOk)))
            .RetiresOnSaturation();
    }

    static constexpr std::uint64_t kBuffer = 0x7000;
    std::vector<std::string> lines_;
};

TEST_F(LoggingEngineTest, ALoggedCallIsFollowedToItsExitAndLoggedThere) {
    use_logged_rules({parse_spec("write:error=ENOSPC:when=2")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    // Not injected, yet resumed to its exit stop: the result is known only there.
    expect_info(kProgram, with_args(seccomp_info(kWrite), {3, kBuffer, 7}));
    expect_fd_path(kProgram, 3, "/tmp/out");
    expect_memory(kProgram, kBuffer, 7, "line 1\n");
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    EXPECT_TRUE(lines_.empty());
    expect_info(kProgram, exit_info(7));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    // Injected: the result written at the exit is the one logged, with the mark.
    expect_info(kProgram, with_args(seccomp_info(kWrite), {3, kBuffer, 7}));
    expect_fd_path(kProgram, 3, "/tmp/out");
    expect_memory(kProgram, kBuffer, 7, "line 2\n");
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -ENOSPC)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(lines_, (std::vector<std::string>{
                          "[pid 100] write(3</tmp/out>, \"line 1\\n\", 7) = 7",
                          "[pid 100] write(3</tmp/out>, \"line 2\\n\", 7) = -1 ENOSPC (No space "
                          "left on device) (INJECTED)"}));
    EXPECT_EQ(engine_->take_outcome().syscall_stops, 4U);
}

TEST_F(LoggingEngineTest, OutputBuffersAreReadAtTheExitForTheBytesReturned) {
    use_logged_rules({parse_spec("read:error=EIO:when=2")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kRead), {0, kBuffer, 100}));
    expect_fd_path(kProgram, 0, "/dev/null");
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(3));
    expect_memory(kProgram, kBuffer, 3, "abc");
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    // The failed one filled nothing: no memory is read, the buffer is a pointer.
    expect_info(kProgram, with_args(seccomp_info(kRead), {0, kBuffer, 100}));
    expect_fd_path(kProgram, 0, "/dev/null");
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(lines_, (std::vector<std::string>{
                          "[pid 100] read(0</dev/null>, \"abc\", 100) = 3",
                          "[pid 100] read(0</dev/null>, 0x7000, 100) = -1 EIO (Input/output error) "
                          "(INJECTED)"}));
}

TEST_F(LoggingEngineTest, UnreadableMemoryLeavesThePointer) {
    use_logged_rules({parse_spec("write:error=EIO:when=9")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kWrite), {7, kBuffer, 3}));
    EXPECT_CALL(tracer_, fd_path(kProgram, 7, _)).WillOnce(Return(kGone));
    EXPECT_CALL(tracer_, read_memory(kProgram, kBuffer, 3, _))
        .WillOnce(Return(std::make_error_code(std::errc::bad_address)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-EBADF));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    EXPECT_EQ(lines_, (std::vector<std::string>{
                          "[pid 100] write(7, 0x7000, 3) = -1 EBADF (Bad file descriptor)"}));
}

TEST_F(LoggingEngineTest, ACallWhoseThreadEndsInItIsLoggedWithAQuestionMark) {
    use_logged_rules({parse_spec("exit_group:error=EIO:when=5")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(*syscall_number(Abi::x86_64, "exit_group")), {3}));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    engine_->handle(exited(kProgram, 3));
    EXPECT_EQ(lines_, (std::vector<std::string>{"[pid 100] exit_group(3) = ?"}));
}

TEST_F(LoggingEngineTest, WithoutTheFilterEveryCallIsLoggedAtItsExit) {
    use_logged_rules({parse_spec("write:retval=0:when=2")}, StopPolicy::every_syscall);
    InSequence order;
    adopt_program(Resume::syscall);
    // The exit of the execve that started the program: its entry was never seen, no line.
    expect_info(kProgram, exit_info(0));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    const long getpid = *syscall_number(Abi::x86_64, "getpid");
    expect_info(kProgram, entry_info(getpid));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(kProgram));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    EXPECT_EQ(lines_, (std::vector<std::string>{"[pid 100] getpid() = 100"}));
}

TEST_F(LoggingEngineTest, AnExecFromAThreadIsLoggedWhenItReturnsInTheLeader) {
    use_logged_rules({parse_spec("execve:error=EIO:when=9")}, StopPolicy::seccomp);
    constexpr pid_t kThread = 101;
    constexpr std::uint64_t kPath = 0x5000;
    InSequence order;
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    EXPECT_CALL(tracer_, thread_group_of(kThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_CLONE));
    EXPECT_CALL(tracer_, resume(kThread, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    // The leader sits in an execve of its own that the thread's exec ends.
    const long execve = *syscall_number(Abi::x86_64, "execve");
    expect_info(kProgram, with_args(seccomp_info(execve), {0, 0, 0}));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kThread, with_args(seccomp_info(execve), {kPath, 0, 0}));
    EXPECT_CALL(tracer_, read_memory(kThread, kPath, _, _))
        .WillOnce(DoAll(SetArgReferee<3>(std::string("/bin/true\0", 10)), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kThread, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kThread, PTRACE_EVENT_SECCOMP));
    // The exec event, reported by the leader's id: the thread's call goes on there.
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_EXEC));
    expect_info(kProgram, exit_info(0));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(lines_,
              (std::vector<std::string>{"[pid 100] execve(NULL, NULL, NULL) = ?",
                                        "[pid 101] execve(\"/bin/true\", NULL, NULL) = 0"}));
}

TEST_F(LoggingEngineTest, ThreadsLogWholeLinesInTheOrderTheirCallsReturn) {
    use_logged_rules({parse_spec("fsync:error=EIO:when=9")}, StopPolicy::seccomp);
    constexpr pid_t kThread = 101;
    const long fsync = *syscall_number(Abi::x86_64, "fsync");
    InSequence order;
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, thread_group_of(kThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kThread, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    for (const pid_t tid : {kProgram, kThread}) {
        expect_info(tid, with_args(seccomp_info(fsync), {static_cast<std::uint64_t>(tid - 97)}));
        EXPECT_CALL(tracer_, fd_path(tid, _, _)).WillOnce(Return(kGone));
        EXPECT_CALL(tracer_, resume(tid, Resume::syscall, 0)).WillOnce(Return(kOk));
        engine_->handle(event_stop(tid, PTRACE_EVENT_SECCOMP));
    }
    for (const pid_t tid : {kThread, kProgram}) {
        expect_info(tid, exit_info(0));
        EXPECT_CALL(tracer_, resume(tid, Resume::cont, 0)).WillOnce(Return(kOk));
        engine_->handle(syscall_stop(tid));
    }
    EXPECT_EQ(lines_,
              (std::vector<std::string>{"[pid 101] fsync(4) = 0", "[pid 100] fsync(3) = 0"}));
}

}  // namespace
}  // namespace inject::engine
