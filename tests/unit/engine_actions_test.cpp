// What the engine does to a picked call: signals, syscall=, pokes, short counts, notes.
#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;

TEST_F(EngineTest, SignalDuringASyscallIsPassedOnAndTheRestartIsAnotherCall) {
    use_rules({parse_spec("clock_nanosleep:error=EINTR:when=5")}, StopPolicy::every_syscall);
    InSequence order;
    adopt_program(Resume::syscall);
    expect_info(kProgram, entry_info(kNanosleep));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    // Interrupted: the kernel's restart code at exit, then the signal's delivery stop.
    expect_info(kProgram, exit_info(kRestartBlock));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_resume(kProgram, Resume::syscall, SIGALRM);
    engine_->handle(signal_stop(kProgram, SIGALRM));

    EXPECT_TRUE(engine_->take_result().injections.empty());
}

TEST_F(EngineTest, SignalAfterAnInjectedCallIsDeliveredAfterItsExit) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, seccomp_info(kWrite));
    expect_skip(kProgram);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -EIO);
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
    expect_resume(kProgram, Resume::cont, SIGUSR1);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    // The call ran: its own result stays.
    expect_info(kProgram, exit_info(6));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_resume(kProgram, Resume::syscall, SIGUSR1);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(kProgram));  // gettid's result, replaced
    expect_result(kProgram, 42);
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
    // A 32-bit call gets i386's number of it.
    expect_info(kProgram, seccomp_info(4, Abi::i386));
    EXPECT_CALL(tracer_, set_syscall_number(kProgram, Abi::i386, kGettid32)).WillOnce(Return(kOk));
    expect_resume(kProgram, Resume::syscall);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(6));
    expect_memory_write(0x5000, {std::byte{'S'}, std::byte{'t'}, std::byte{'r'}, std::byte{'a'},
                                 std::byte{'c'}, std::byte{'e'}, std::byte{0}});
    expect_resume(kProgram, Resume::cont);
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
    expect_skip(kProgram);
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGUSR1)).WillOnce(Return(kGone));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -EIO);
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
}

TEST_F(EngineTest, GroupStopIsListenedToAndItsEndResumes) {
    use_rules({parse_spec("write:error=EIO")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_resume(kProgram, Resume::cont, SIGSTOP);
    engine_->handle(signal_stop(kProgram, SIGSTOP));
    expect_resume(kProgram, Resume::listen);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_STOP, SIGSTOP));
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // The second write: rdx cut to 10, and the number left alone: the call really runs.
    expect_info(kProgram, with_args(seccomp_info(kWrite), {3, 0x5000, 100}));
    expect_argument(2, 10);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // At its exit the program's count is back in rdx; rax keeps what the kernel returned.
    expect_info(kProgram, exit_info(10));
    expect_argument(2, 100);
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(0));
    expect_argument(2, 4096);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));

    EXPECT_EQ(engine_->take_result().injections.size(), 1U);
}

TEST_F(EngineTest, CallAlreadyShortEnoughRunsUntouchedAndIsNotInjected) {
    use_rules({parse_spec("write:short=10")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    for (std::uint64_t count : {10, 3}) {
        expect_info(kProgram, with_args(seccomp_info(kWrite), {3, 0x5000, count}));
        expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // The program finds its own array and count in rsi and rdx again.
    expect_info(kProgram, exit_info(45));
    expect_argument(1, kArray);
    expect_argument(2, 3);
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(60));
    expect_argument(2, 3);
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(5, Abi::i386));
    expect_argument(1, 0x0804'0000, Abi::i386);
    expect_argument(2, 2, Abi::i386);
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
}

TEST_F(EngineTest, IovecsWithinTheLimitOrUnreadableAreLeftAlone) {
    use_rules({parse_spec("readv,writev:short=100")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(kReadv), {3, 0x6000, 2}));
    expect_memory_read(0x6000, iovecs64({{0xa000, 60}, {0xb000, 40}}));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // An array the kernel could not read either: the call fails with EFAULT by itself.
    expect_info(kProgram, with_args(seccomp_info(kWritev), {3, 0x6000, 2}));
    EXPECT_CALL(tracer_, read_memory(kProgram, 0x6000, _)).WillOnce(Return(kFault));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    // More entries than the kernel takes: it refuses the call as it is.
    expect_info(kProgram, with_args(seccomp_info(kWritev), {3, 0x6000, 5000}));
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(10));
    expect_argument(2, 100);
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGKILL)).WillOnce(Return(kOk));
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::cont);
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

}  // namespace
}  // namespace inject::engine
