// The engine's stop handling, driven through a GoogleMock double of the ptrace layer: no
// tracee, every stop scripted, every action on a tracee checked.
#include "engine/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>

#include <chrono>
#include <cstring>
#include <span>
#include <vector>

#include "inject/names.hpp"
#include "inject/scenario.hpp"
#include "inject/syscall_log.hpp"

namespace inject::engine {
namespace {

using ::testing::_;
using ::testing::AnyNumber;
using ::testing::Assign;
using ::testing::DoAll;
using ::testing::ElementsAre;
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
    MOCK_METHOD(std::optional<Stop>, poll_stop, (), (override));
    MOCK_METHOD(trace::TimedWait, wait_for_stop_until, (std::chrono::steady_clock::time_point),
                (override));
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
    MOCK_METHOD(std::error_code, read_string, (pid_t, std::uint64_t, std::size_t, std::string&),
                (override));
    MOCK_METHOD(std::error_code, read_proc_link, (pid_t, std::string_view, std::string&),
                (override));
    MOCK_METHOD(std::error_code, read_comm, (pid_t, std::string&), (override));
    MOCK_METHOD(std::error_code, read_memory, (pid_t, std::uint64_t, std::size_t, std::string&),
                (override));
    MOCK_METHOD(std::error_code, fd_path, (pid_t, int, std::string&), (override));
    MOCK_METHOD(void, signal_process, (pid_t, int), (override));
    MOCK_METHOD(std::error_code, interrupt, (pid_t), (override));
    MOCK_METHOD(bool, has_exited, (pid_t), (override));
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
        // An injection's record looks for the file the call touched; tests about other things
        // need not script it (none is found). Tests about the facts expect them on top.
        EXPECT_CALL(tracer_, read_string(_, _, _, _))
            .Times(AnyNumber())
            .WillRepeatedly(Return(kGone));
        EXPECT_CALL(tracer_, read_proc_link(_, _, _))
            .Times(AnyNumber())
            .WillRepeatedly(Return(kGone));
        EXPECT_CALL(tracer_, read_comm(_, _)).Times(AnyNumber()).WillRepeatedly(Return(kGone));
        // No other stop is ready unless a test says so.
        EXPECT_CALL(tracer_, poll_stop()).Times(AnyNumber()).WillRepeatedly(Return(std::nullopt));
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

    EXPECT_TRUE(engine_->take_result().injections.empty());
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

    EXPECT_EQ(engine_->take_result().injections.size(), 1U);
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

    const RunResult outcome = engine_->take_result();
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

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 2U);
}

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
        EXPECT_CALL(tracer_, resume(kThread, Resume::cont, 0)).WillOnce(Return(kOk));
        engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    }

    void expect_write_served(pid_t tid) {
        expect_info(tid, seccomp_info(kWrite));
        EXPECT_CALL(tracer_, resume(tid, Resume::cont, 0)).WillOnce(Return(kOk));
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
            .WillOnce(Return(std::nullopt))
            .RetiresOnSaturation();
        expect_write_served(kProgram);
        expect_write_served(kThread);
    }
    EXPECT_CALL(tracer_, wait_for_stop())
        .WillOnce(Return(exited(kThread, 0)))
        .RetiresOnSaturation();
    EXPECT_CALL(tracer_, poll_stop()).WillOnce(Return(exited(kProgram, 0)));
    EXPECT_CALL(tracer_, poll_stop()).WillOnce(Return(std::nullopt));
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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
        .WillOnce(Return(std::nullopt))
        .RetiresOnSaturation();
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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

    EXPECT_TRUE(engine_->take_result().injections.empty());
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

// Alone, as under strace, the signal is sent at the call and the call runs: SIGKILL ends the
// thread there, before the call did anything (the kernel skips a call with a fatal signal
// pending).
TEST_F(EngineTest, SignalAloneIsSentAtTheCallWhichRuns) {
    use_rules({parse_spec("write:signal=SIGKILL")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGKILL)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kGone));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    engine_->handle(killed(kProgram, SIGKILL));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].effect.signal, SIGKILL);
    EXPECT_EQ(outcome.injections[0].effect.action, Action{RunCall{}});
    EXPECT_EQ(outcome.signal, SIGKILL);
}

TEST_F(EngineTest, SignalAloneWithoutTheFilterIsSentAtTheEntryStop) {
    use_rules({parse_spec("write:signal=SIGUSR1")}, StopPolicy::every_syscall);
    InSequence order;
    adopt_program(Resume::syscall);
    expect_info(kProgram, entry_info(kWrite));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGUSR1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    // The call ran: its own result stays.
    expect_info(kProgram, exit_info(6));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, SIGUSR1)).WillOnce(Return(kOk));
    engine_->handle(signal_stop(kProgram, SIGUSR1));
}

// strace's syscall=: a call that does not run runs that harmless one instead of none.
TEST_F(EngineTest, SyscallKeyRunsThePureCallInsteadOfNone) {
    constexpr long kGettid64 = 186;
    constexpr long kGettid32 = 224;
    use_rules({parse_spec("write:retval=42:syscall=gettid")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, kGettid64))
        .WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(kProgram));  // gettid's result, replaced
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, 42)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));
    // A 32-bit call gets i386's number of it.
    expect_info(kProgram, seccomp_info(4, Abi::i386));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::i386, kGettid32)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
}

// strace's poke_enter and poke_exit: the bytes go where the argument points, before the call
// runs and after it returned.
TEST_F(EngineTest, PokesWriteWhereTheArgumentsPoint) {
    constexpr long kGetcwd = 79;
    use_rules({parse_spec("getcwd:poke_enter=@arg1=2f00:poke_exit=@arg1=53747261636500")},
              StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kGetcwd), {0x5000, 4096}));
    expect_memory_write(0x5000, {std::byte{0x2f}, std::byte{0}});
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(6));
    expect_memory_write(0x5000, {std::byte{'S'}, std::byte{'t'}, std::byte{'r'}, std::byte{'a'},
                                 std::byte{'c'}, std::byte{'e'}, std::byte{0}});
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_TRUE(outcome.notes.empty());
}

// As strace: an argument the call does not have, or memory that cannot be written, is said
// once, and the call goes on.
TEST_F(EngineTest, APokeThatCannotBeWrittenIsNotedOnce) {
    use_rules({parse_spec("write:poke_enter=@arg4=00,@arg2=00")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    for (int call = 0; call < 2; ++call) {
        expect_info(kProgram, with_args(seccomp_info(kWrite), {1, 0x10, 1}));
        EXPECT_CALL(tracer_, write_memory(kProgram, 0x10, _))
            .WillOnce(Return(std::make_error_code(std::errc::bad_address)))
            .RetiresOnSaturation();
        EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    }
    const RunResult outcome = engine_->take_result();
    EXPECT_EQ(outcome.injection_count, 2U);
    EXPECT_THAT(outcome.notes,
                ElementsAre("poke: write has 3 arguments, so @arg4 was not written",
                            "poke_enter: could not write write's @arg2 (Bad address): that call "
                            "ran with its memory as it was"));
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

    const RunResult outcome = engine_->take_result();
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
    const RunResult outcome = engine_->take_result();
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

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].effect.action, Action{ShortenTo{10}});
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

    EXPECT_EQ(engine_->take_result().injections.size(), 1U);
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
    const RunResult outcome = engine_->take_result();
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

    EXPECT_EQ(engine_->take_result().injections.size(), 1U);
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

    EXPECT_TRUE(engine_->take_result().injections.empty());
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

    const RunResult outcome = engine_->take_result();
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

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].effect.signal, SIGKILL);
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
    const RunResult outcome = engine_->run(kProgram);
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
    EXPECT_EQ(engine_->take_result().notes.size(), 1U);
}

// The facts of the filters: what the engine reads from the tracee, and what it remembers.

constexpr long kClose = 3;
constexpr long kDup2 = 33;
constexpr long kOpenat = 257;
constexpr std::uint64_t kAtFdcwd = static_cast<std::uint32_t>(-100);  // as a register holds it
constexpr std::uint64_t kNameAddress = 0x7ffd0000;

SyscallInfo seccomp_call(long number, std::initializer_list<std::uint64_t> args) {
    SyscallInfo info = seccomp_info(number);
    std::copy(args.begin(), args.end(), info.args.begin());
    return info;
}

class EngineFactsTest : public EngineTest {
  protected:
    // The next read of the link /proc/PID/NAME shows `target`.
    void expect_link(std::string_view name, const std::string& target) {
        EXPECT_CALL(tracer_, read_proc_link(kProgram, name, _))
            .WillOnce(DoAll(SetArgReferee<2>(target), Return(kOk)))
            .RetiresOnSaturation();
    }
    void expect_comm(const std::string& name) {
        EXPECT_CALL(tracer_, read_comm(kProgram, _))
            .WillOnce(DoAll(SetArgReferee<1>(name), Return(kOk)))
            .RetiresOnSaturation();
    }
    // Nothing may be read from the tracee from now on (until a newer expectation says so).
    void expect_no_reads() {
        EXPECT_CALL(tracer_, read_proc_link(_, _, _)).Times(0);
        EXPECT_CALL(tracer_, read_comm(_, _)).Times(0);
        EXPECT_CALL(tracer_, read_string(_, _, _, _)).Times(0);
    }
    // A call that no rule fires on: resumed with PTRACE_CONT.
    void call_passes(const SyscallInfo& info) {
        expect_info(kProgram, info);
        EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    }
    // A call the engine skips: its number set to -1, its result written at its exit stop.
    void call_is_injected(const SyscallInfo& info) {
        expect_info(kProgram, info);
        EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
        expect_info(kProgram, exit_info(-ENOSYS));
        EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, _))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        engine_->handle(syscall_stop(kProgram));
    }
    void exec() {
        EXPECT_CALL(tracer_, event_message(kProgram, _))
            .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)))
            .RetiresOnSaturation();
        EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        engine_->handle(event_stop(kProgram, PTRACE_EVENT_EXEC));
    }
};

TEST_F(EngineFactsTest, AnFdsFileIsReadOnceAndAgainAfterClose) {
    use_rules({parse_spec("write:error=ENOSPC:path=/tmp/x.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    expect_link("fd/3", "/tmp/data.bin");
    call_passes(seccomp_call(kWrite, {3}));
    call_passes(seccomp_call(kWrite, {3}));  // remembered: no second readlink
    // fd 3 is closed (only observed: no rule names close) and reopened on the log.
    call_passes(seccomp_call(kClose, {3}));
    expect_link("fd/3", "/tmp/x.log");
    call_is_injected(seccomp_call(kWrite, {3}));
    call_is_injected(seccomp_call(kWrite, {3}));  // remembered again

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 2U);
    EXPECT_EQ(outcome.injections[0].path, "/tmp/x.log");
    EXPECT_EQ(outcome.injections[0].nth, 1U);
    EXPECT_EQ(outcome.injections[1].nth, 2U);
    EXPECT_EQ(decider_->matched(0), 2U);  // the close and the data's writes are not counted
}

TEST_F(EngineFactsTest, Dup2MakesAnFdReadAgain) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/x.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    expect_link("fd/1", "/dev/pts/0");
    call_passes(seccomp_call(kWrite, {1}));
    call_passes(seccomp_call(kDup2, {3, 1}));  // stdout now goes to the log
    expect_link("fd/1", "/tmp/x.log");
    call_is_injected(seccomp_call(kWrite, {1}));
}

TEST_F(EngineFactsTest, ExecMakesAnFdReadAgain) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/x.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    expect_link("fd/4", "/tmp/data.bin");
    call_passes(seccomp_call(kWrite, {4}));
    exec();  // a close-on-exec fd 4 is gone; the new program may open the log as 4
    expect_link("fd/4", "/tmp/x.log");
    call_is_injected(seccomp_call(kWrite, {4}));
}

TEST_F(EngineFactsTest, TheProgramsNameIsReadOncePerProgram) {
    use_rules({parse_spec("write:error=EIO:process=child")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    expect_comm("parent");
    expect_link("exe", "/usr/bin/parent");
    call_passes(seccomp_call(kWrite, {1}));
    call_passes(seccomp_call(kWrite, {1}));  // remembered
    exec();
    expect_comm("child");
    expect_link("exe", "/opt/bin/child");
    expect_link("fd/1", "/dev/pts/0");  // for the injection's record
    call_is_injected(seccomp_call(kWrite, {1}));
}

TEST_F(EngineFactsTest, ARelativePathIsTakenFromTheCwdOrTheDirfd) {
    use_rules({parse_spec("openat:error=EACCES:path=/tmp/x.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    EXPECT_CALL(tracer_, read_string(kProgram, kNameAddress, _, _))
        .WillOnce(DoAll(SetArgReferee<3>(std::string("./x.log")), Return(kOk)))
        .RetiresOnSaturation();
    expect_link("cwd", "/tmp");
    call_is_injected(seccomp_call(kOpenat, {kAtFdcwd, kNameAddress}));

    EXPECT_CALL(tracer_, read_string(kProgram, kNameAddress, _, _))
        .WillOnce(DoAll(SetArgReferee<3>(std::string("../tmp//x.log")), Return(kOk)))
        .RetiresOnSaturation();
    expect_link("fd/5", "/var");
    call_is_injected(seccomp_call(kOpenat, {5, kNameAddress}));

    EXPECT_CALL(tracer_, read_string(kProgram, kNameAddress, _, _))
        .WillOnce(DoAll(SetArgReferee<3>(std::string("x.log")), Return(kOk)))
        .RetiresOnSaturation();
    expect_link("fd/6", "pipe:[4321]");  // no place in the file tree: no path
    call_passes(seccomp_call(kOpenat, {6, kNameAddress}));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 2U);
    EXPECT_EQ(outcome.injections[0].path, "/tmp/x.log");
    EXPECT_EQ(outcome.injections[1].path, "/tmp/x.log");
}

TEST_F(EngineFactsTest, UnreadableMemoryIsNoPath) {
    use_rules({parse_spec("openat:error=EACCES:path=**")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    EXPECT_CALL(tracer_, read_string(kProgram, 0, _, _))
        .WillOnce(Return(std::make_error_code(std::errc::bad_address)))
        .RetiresOnSaturation();
    call_passes(seccomp_call(kOpenat, {kAtFdcwd, 0}));
    EXPECT_EQ(decider_->matched(0), 0U);
}

TEST_F(EngineFactsTest, UnfilteredRulesReadNothingFromTheTracee) {
    use_rules({parse_spec("write:error=EIO:when=2")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    call_passes(seccomp_call(kWrite, {3}));
    call_passes(seccomp_call(kClose, {3}));  // not even stopped for in a real run; ignored here
}

TEST_F(EngineFactsTest, FdFilterReadsNothingFromTheTracee) {
    use_rules({parse_spec("write:error=EIO:fd=2")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    call_passes(seccomp_call(kWrite, {1}));
    // The injection's record still looks for the file.
    expect_link("fd/2", "/dev/pts/0");
    call_is_injected(seccomp_call(kWrite, {2}));
    EXPECT_EQ(engine_->take_result().injections.at(0).path, "/dev/pts/0");
}

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
    }

    // What run() does first: the program's exec event, then its resumption.
    void expect_adoption(Resume expected) {
        EXPECT_CALL(tracer_, event_message(kProgram, _))
            .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)))
            .RetiresOnSaturation();
        EXPECT_CALL(tracer_, resume(kProgram, expected, 0)).WillOnce(Return(kOk));
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
        EXPECT_CALL(tracer_, resume(tid, Resume::cont, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, DelayWithAnErrorSkipsTheCallThenWaitsThenReturnsTheError) {
    use_rules({parse_spec("write:error=EIO:delay=1s")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    expect_wait_until_deadline(kStart + std::chrono::seconds(1));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(6));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(6));
    expect_wait_until_deadline(kStart + milliseconds(200));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(6));  // the call ran
    expect_wait_until_deadline(kStart + std::chrono::seconds(3));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGUSR1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kOtherThread, Resume::cont, 0)).WillOnce(Return(kOk));
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    // The thread's execve killed the held leader and reports under the leader's id.
    expect_wait_until(kStart + std::chrono::seconds(10), event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kOtherThread), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
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
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, DelayExitOfAnExecveWaitsAfterTheExec) {
    use_rules({parse_spec("execve:delay_exit=100ms")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kExecve));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    expect_wait(event_stop(kProgram, PTRACE_EVENT_EXEC));
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    expect_wait(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(0));
    expect_wait_until_deadline(kStart + milliseconds(100));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    expect_wait(std::nullopt);

    engine_->run(kProgram);
}

TEST_F(EngineDelayTest, ZeroDelayGoesOnAtTheNextTurnWithoutATimedWait) {
    use_rules({parse_spec("write:delay=0ms")}, StopPolicy::seccomp);
    InSequence order;
    expect_adoption(Resume::cont);
    expect_wait(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, seccomp_info(kWrite));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0)).WillOnce(Return(kOk));
    expect_wait(std::nullopt);

    EXPECT_EQ(engine_->run(kProgram).injection_count, 1U);
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
    EXPECT_EQ(engine_->take_result().syscall_stops, 4U);
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
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, 0)).WillOnce(Return(kOk));
    const RunResult outcome = engine_->run_attached([&] { return requested; });
    EXPECT_TRUE(outcome.detached);
    EXPECT_FALSE(outcome.exit_code.has_value());
    EXPECT_EQ(outcome.injection_count, 1U);
    EXPECT_EQ(engine_->tracee_count(), 0U);
}

TEST_F(AttachTest, DetachCutsADelayShortAndStillWritesTheSkippedCallsResult) {
    use_rules({parse_spec("write:delay=10s:error=EIO:signal=SIGKILL")}, StopPolicy::every_syscall);
    engine_->adopt_seized(kProgram, kProgram);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_STOP));
    // Held at its entry, its number already replaced: no resume until the wait is over.
    expect_info(kProgram, entry_info(kWrite));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::x86_64, -1)).WillOnce(Return(kOk));
    engine_->handle(syscall_stop(kProgram));

    InSequence order;
    // The detach ends the wait at once: no interrupt (it is stopped already), no SIGKILL (the
    // program is let go unharmed), and the skipped call still gets its result before.
    EXPECT_CALL(tracer_, interrupt(_)).Times(0);
    EXPECT_CALL(tracer_, send_signal(_, _, _)).Times(0);
    EXPECT_CALL(tracer_, resume(kProgram, Resume::syscall, 0)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, wait_for_stop()).WillOnce(Return(syscall_stop(kProgram)));
    expect_info(kProgram, exit_info(-ENOSYS));
    EXPECT_CALL(tracer_, set_return_value(kProgram, Abi::x86_64, -EIO)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, resume(kProgram, Resume::detach, 0)).WillOnce(Return(kOk));
    engine_->detach_all();
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
    const RunResult outcome = engine_->take_result();
    EXPECT_EQ(outcome.signal, SIGKILL);
    EXPECT_FALSE(outcome.detached);
}

}  // namespace
}  // namespace inject::engine
