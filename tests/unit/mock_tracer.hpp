// The engine's unit tests' shared pieces: a GoogleMock double of the tracer, the stops and
// syscall states it reports, and the fixture that drives an Engine with it.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <chrono>
#include <cstring>
#include <span>
#include <vector>

#include "engine/engine.hpp"
#include "inject/names.hpp"
#include "inject/scenario.hpp"
#include "inject/syscall_log.hpp"

namespace inject::engine::mock {

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
    MOCK_METHOD(std::error_code, restart_syscall, (pid_t, Abi, long), (override));
    MOCK_METHOD(std::error_code, signal_state, (pid_t, trace::SignalState&), (override));
    MOCK_METHOD(std::error_code, set_syscall_argument, (pid_t, Abi, unsigned, std::uint64_t),
                (override));
    MOCK_METHOD(std::error_code, read_memory, (pid_t, std::uint64_t, std::span<std::byte>),
                (override));
    MOCK_METHOD(std::error_code, write_memory, (pid_t, std::uint64_t, std::span<const std::byte>),
                (override));
    MOCK_METHOD(std::error_code, send_signal, (pid_t, pid_t, int), (override));
    MOCK_METHOD(std::error_code, thread_group_of, (pid_t, pid_t&), (override));
    MOCK_METHOD(std::optional<bool>, same_fd_table, (pid_t, pid_t), (override));
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

inline constexpr pid_t kProgram = 100;
inline constexpr long kWrite = 1;
inline constexpr long kRead = 0;
inline constexpr long kNanosleep = 35;
inline constexpr std::int64_t kRestartBlock = -516;  // -ERESTART_RESTARTBLOCK

inline constexpr long kReadv = 19;
inline constexpr long kWritev = 20;
inline constexpr long kReadv32 = 145;  // readv on i386

inline const std::error_code kOk{};
inline const std::error_code kGone = std::make_error_code(std::errc::no_such_process);
inline const std::error_code kFault = std::make_error_code(std::errc::bad_address);

inline Stop event_stop(pid_t tid, int event, int signal = SIGTRAP) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::event;
    stop.event = event;
    stop.signal = signal;
    return stop;
}
inline Stop syscall_stop(pid_t tid) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::syscall;
    stop.signal = SIGTRAP;
    return stop;
}
inline Stop signal_stop(pid_t tid, int signal) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::signal;
    stop.signal = signal;
    return stop;
}
inline Stop exited(pid_t tid, int code) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::exited;
    stop.code = code;
    return stop;
}
inline Stop killed(pid_t tid, int signal) {
    Stop stop;
    stop.tid = tid;
    stop.kind = Stop::Kind::killed;
    stop.signal = signal;
    return stop;
}

inline SyscallInfo seccomp_info(long number, Abi abi = Abi::x86_64) {
    SyscallInfo info;
    info.op = SyscallInfo::Op::seccomp;
    info.abi = abi;
    info.number = number;
    return info;
}
inline SyscallInfo entry_info(long number, Abi abi = Abi::x86_64) {
    SyscallInfo info = seccomp_info(number, abi);
    info.op = SyscallInfo::Op::entry;
    return info;
}
// A call with its arguments, and the stack pointer it was made with.
inline SyscallInfo with_args(SyscallInfo info, std::vector<std::uint64_t> args,
                             std::uint64_t stack_pointer = 0x7ffc'0000'1000) {
    std::copy(args.begin(), args.end(), info.args.begin());
    info.stack_pointer = stack_pointer;
    return info;
}

// struct iovec arrays as a tracee of each ABI holds them in memory.
template <typename Word>
inline std::vector<std::byte> iovec_bytes(const std::vector<std::pair<Word, Word>>& entries) {
    std::vector<std::byte> bytes(entries.size() * 2 * sizeof(Word));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::memcpy(&bytes[i * 2 * sizeof(Word)], &entries[i].first, sizeof(Word));
        std::memcpy(&bytes[(i * 2 + 1) * sizeof(Word)], &entries[i].second, sizeof(Word));
    }
    return bytes;
}
inline std::vector<std::byte> iovecs64(
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& e) {
    return iovec_bytes(e);
}
inline std::vector<std::byte> iovecs32(
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& e) {
    return iovec_bytes(e);
}

inline SyscallInfo exit_info(std::int64_t value, Abi abi = Abi::x86_64) {
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

    // The thread goes on as `how` says, with `signal` delivered.
    void expect_resume(pid_t tid, Resume how, int signal = 0) {
        EXPECT_CALL(tracer_, resume(tid, how, signal)).WillOnce(::testing::Return(kOk));
    }
    // The call is skipped: its number set to -1 (the kernel then runs nothing).
    void expect_skip(pid_t tid, Abi abi = Abi::x86_64) {
        EXPECT_CALL(tracer_, set_syscall_number(tid, abi, -1)).WillOnce(::testing::Return(kOk));
    }
    // The call's result register gets `value` (-errno for an error).
    void expect_result(pid_t tid, std::int64_t value, Abi abi = Abi::x86_64) {
        EXPECT_CALL(tracer_, set_return_value(tid, abi, value)).WillOnce(::testing::Return(kOk));
    }

    StrictMock<MockTracer> tracer_;
    std::vector<Rule> rules_;
    std::optional<Decider> decider_;
    std::optional<Engine> engine_;
};

}  // namespace inject::engine::mock
