// The engine's stop handling, driven through a GoogleMock double of the ptrace layer: no
// tracee, every stop scripted, every action on a tracee checked.
#include "engine/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>

#include <cstring>
#include <span>
#include <vector>

#include "inject/scenario.hpp"

namespace inject::engine {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::ElementsAreArray;
using ::testing::InSequence;
using ::testing::Invoke;
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
    MOCK_METHOD(std::error_code, set_syscall_argument, (pid_t, Abi, unsigned, std::uint64_t),
                (override));
    MOCK_METHOD(std::error_code, read_memory, (pid_t, std::uint64_t, std::span<std::byte>),
                (override));
    MOCK_METHOD(std::error_code, write_memory, (pid_t, std::uint64_t, std::span<const std::byte>),
                (override));
    MOCK_METHOD(std::error_code, send_signal, (pid_t, pid_t, int), (override));
    MOCK_METHOD(std::error_code, thread_group_of, (pid_t, pid_t&), (override));
    MOCK_METHOD(bool, runs_setid_program, (pid_t), (override));
    MOCK_METHOD(void, kill_process, (pid_t), (override));
};

constexpr pid_t kProgram = 100;
constexpr long kWrite = 1;
constexpr long kRead = 0;
constexpr long kNanosleep = 35;
constexpr std::int64_t kRestartBlock = -516;  // -ERESTART_RESTARTBLOCK

constexpr long kReadv = 19;
constexpr long kWritev = 20;
constexpr long kReadv32 = 145;  // readv on i386

const std::error_code kOk{};
const std::error_code kGone = std::make_error_code(std::errc::no_such_process);
const std::error_code kFault = std::make_error_code(std::errc::bad_address);

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
// A call with its arguments, and the stack pointer it was made with.
SyscallInfo with_args(SyscallInfo info, std::vector<std::uint64_t> args,
                      std::uint64_t stack_pointer = 0x7ffc'0000'1000) {
    std::copy(args.begin(), args.end(), info.args.begin());
    info.stack_pointer = stack_pointer;
    return info;
}

// struct iovec arrays as a tracee of each ABI holds them in memory.
template <typename Word>
std::vector<std::byte> iovec_bytes(const std::vector<std::pair<Word, Word>>& entries) {
    std::vector<std::byte> bytes(entries.size() * 2 * sizeof(Word));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::memcpy(&bytes[i * 2 * sizeof(Word)], &entries[i].first, sizeof(Word));
        std::memcpy(&bytes[(i * 2 + 1) * sizeof(Word)], &entries[i].second, sizeof(Word));
    }
    return bytes;
}
std::vector<std::byte> iovecs64(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& e) {
    return iovec_bytes(e);
}
std::vector<std::byte> iovecs32(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& e) {
    return iovec_bytes(e);
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

    // The tracee's memory at `address` holds `bytes`; reading any other range is a mistake.
    void expect_memory_read(std::uint64_t address, std::vector<std::byte> bytes) {
        EXPECT_CALL(tracer_, read_memory(kProgram, address, _))
            .WillOnce(Invoke([bytes](pid_t, std::uint64_t, std::span<std::byte> into) {
                EXPECT_EQ(into.size(), bytes.size());
                std::memcpy(into.data(), bytes.data(), std::min(into.size(), bytes.size()));
                return kOk;
            }));
    }

    void expect_memory_write(std::uint64_t address, std::vector<std::byte> bytes) {
        EXPECT_CALL(tracer_, write_memory(kProgram, address, _))
            .WillOnce(Invoke([bytes](pid_t, std::uint64_t, std::span<const std::byte> written) {
                EXPECT_THAT(std::vector<std::byte>(written.begin(), written.end()),
                            ElementsAreArray(bytes));
                return kOk;
            }));
    }

    void expect_argument(unsigned index, std::uint64_t value, Abi abi = Abi::x86_64) {
        EXPECT_CALL(tracer_, set_syscall_argument(kProgram, abi, index, value))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
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

TEST_F(EngineTest, ShortRunsTheCallWithItsCountCutAndGivesTheCountBackAtExit) {
    use_rules({parse_spec("write:short=10:when=2")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kWrite), {3, 0x5000, 100}));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // The second write: rdx cut to 10, and the number left alone: the call really runs.
    expect_info(kProgram, with_args(seccomp_info(kWrite), {3, 0x5000, 100}));
    expect_argument(2, 10);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // At its exit the program's count is back in rdx; rax keeps what the kernel returned.
    expect_info(kProgram, exit_info(10));
    expect_argument(2, 100);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    const EngineOutcome outcome = engine_->take_outcome();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].action, Action{ShortenTo{10}});
    EXPECT_EQ(outcome.injections[0].nth, 2U);
}

TEST_F(EngineTest, ShortWithoutFilterCutsAtTheEntryStop) {
    use_rules({parse_spec("read:short=0")}, StopPolicy::every_syscall);
    InSequence order;
    adopt_program(Resume::syscall);
    expect_info(kProgram, with_args(entry_info(kRead), {0, 0x5000, 4096}));
    expect_argument(2, 0);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(0));
    expect_argument(2, 4096);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(engine_->take_outcome().injections.size(), 1U);
}

TEST_F(EngineTest, CallAlreadyShortEnoughRunsUntouchedAndIsNotInjected) {
    use_rules({parse_spec("write:short=10")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    for (std::uint64_t count : {10, 3}) {
        expect_info(kProgram, with_args(seccomp_info(kWrite), {3, 0x5000, count}));
        EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
        engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    }
    const EngineOutcome outcome = engine_->take_outcome();
    EXPECT_TRUE(outcome.injections.empty());
    EXPECT_EQ(outcome.injection_count, 0U);
    EXPECT_EQ(decider_->matched(0), 2U);  // but `when` counted them
}

TEST_F(EngineTest, ShortCutsAnIovecArrayThroughACopyBelowTheRedZone) {
    use_rules({parse_spec("writev:short=45")}, StopPolicy::seccomp);
    constexpr std::uint64_t kArray = 0x6000;
    constexpr std::uint64_t kStack = 0x7ffc'0000'1008;  // not 16-byte aligned
    // Two entries go below rsp - 128, rounded down to 16 bytes.
    constexpr std::uint64_t kCopy = (kStack - 128 - 32) & ~std::uint64_t{15};
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kWritev), {3, kArray, 3}, kStack));
    expect_memory_read(kArray, iovecs64({{0xa000, 30}, {0xb000, 30}, {0xc000, 40}}));
    // 30 bytes of the first entry and 15 of the second; the third is dropped.
    expect_memory_write(kCopy, iovecs64({{0xa000, 30}, {0xb000, 15}}));
    expect_argument(1, kCopy);
    expect_argument(2, 2);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // The program finds its own array and count in rsi and rdx again.
    expect_info(kProgram, exit_info(45));
    expect_argument(1, kArray);
    expect_argument(2, 3);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(engine_->take_outcome().injections.size(), 1U);
}

TEST_F(EngineTest, ShortOnAnIovecBoundaryOnlyCutsTheEntryCount) {
    use_rules({parse_spec("writev:short=60")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kWritev), {3, 0x6000, 3}));
    expect_memory_read(0x6000, iovecs64({{0xa000, 30}, {0xb000, 30}, {0xc000, 40}}));
    expect_argument(2, 2);  // no copy: the program's first two entries are the 60 bytes
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(60));
    expect_argument(2, 3);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
}

TEST_F(EngineTest, ShortUsesI386IovecsAndRegisters) {
    use_rules({parse_spec("readv:short=5")}, StopPolicy::seccomp);
    constexpr std::uint64_t kStack = 0xffff'd004;
    constexpr std::uint64_t kCopy = (kStack - 128 - 16) & ~std::uint64_t{15};
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram,
                with_args(seccomp_info(kReadv32, Abi::i386), {0, 0x0804'0000, 2}, kStack));
    expect_memory_read(0x0804'0000, iovecs32({{0x1000, 4}, {0x2000, 4}}));
    expect_memory_write(kCopy, iovecs32({{0x1000, 4}, {0x2000, 1}}));
    expect_argument(1, kCopy, Abi::i386);  // ecx
    expect_argument(2, 2, Abi::i386);      // edx
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(5, Abi::i386));
    expect_argument(1, 0x0804'0000, Abi::i386);
    expect_argument(2, 2, Abi::i386);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
}

TEST_F(EngineTest, IovecsWithinTheLimitOrUnreadableAreLeftAlone) {
    use_rules({parse_spec("readv,writev:short=100")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kReadv), {3, 0x6000, 2}));
    expect_memory_read(0x6000, iovecs64({{0xa000, 60}, {0xb000, 40}}));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // An array the kernel could not read either: the call fails with EFAULT by itself.
    expect_info(kProgram, with_args(seccomp_info(kWritev), {3, 0x6000, 2}));
    EXPECT_CALL(tracer_, read_memory(kProgram, 0x6000, _)).WillOnce(Return(kFault));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // More entries than the kernel takes: it refuses the call as it is.
    expect_info(kProgram, with_args(seccomp_info(kWritev), {3, 0x6000, 5000}));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));

    EXPECT_TRUE(engine_->take_outcome().injections.empty());
}

TEST_F(EngineTest, StackThatCannotBeWrittenLeavesTheCallWholeWithANote) {
    use_rules({parse_spec("writev:short=10")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kWritev), {3, 0x6000, 1}));
    expect_memory_read(0x6000, iovecs64({{0xa000, 30}}));
    EXPECT_CALL(tracer_, write_memory(kProgram, _, _)).WillOnce(Return(kFault));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));

    const EngineOutcome outcome = engine_->take_outcome();
    EXPECT_TRUE(outcome.injections.empty());
    ASSERT_EQ(outcome.notes.size(), 1U);
    EXPECT_THAT(outcome.notes[0], ::testing::HasSubstr("ran whole"));
}

TEST_F(EngineTest, ShortWithASignalSendsItOnceTheCutCallHasRun) {
    use_rules({parse_spec("write:short=10:signal=SIGKILL")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kWrite), {3, 0x5000, 100}));
    expect_argument(2, 10);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(10));
    expect_argument(2, 100);
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGKILL)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    engine_->handle(killed(kProgram, SIGKILL));

    const EngineOutcome outcome = engine_->take_outcome();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].signal, SIGKILL);
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

}  // namespace
}  // namespace inject::engine
