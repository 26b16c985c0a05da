// The syscall log: calls followed to their exits, buffers, threads.
#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;

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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    EXPECT_TRUE(lines_.empty());
    expect_info(kProgram, exit_info(7));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
    // Injected: the result written at the exit is the one logged, with the mark.
    expect_info(kProgram, with_args(seccomp_info(kWrite), {3, kBuffer, 7}));
    expect_fd_path(kProgram, 3, "/tmp/out");
    expect_memory(kProgram, kBuffer, 7, "line 2\n");
    expect_skip(kProgram);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -ENOSPC);
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(3));
    expect_memory(kProgram, kBuffer, 3, "abc");
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
    // The failed one filled nothing: no memory is read, the buffer is a pointer.
    expect_info(kProgram, with_args(seccomp_info(kRead), {0, kBuffer, 100}));
    expect_fd_path(kProgram, 0, "/dev/null");
    expect_skip(kProgram);
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-ENOSYS));
    expect_result(kProgram, -EIO);
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kProgram, exit_info(-EBADF));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(syscall_stop(kProgram));
    EXPECT_EQ(lines_, (std::vector<std::string>{
                          "[pid 100] write(7, 0x7000, 3) = -1 EBADF (Bad file descriptor)"}));
}

TEST_F(LoggingEngineTest, ACallWhoseThreadEndsInItIsLoggedWithAQuestionMark) {
    use_logged_rules({parse_spec("exit_group:error=EIO:when=5")}, StopPolicy::seccomp);
    InSequence order;
    adopt_program(Resume::cont);
    expect_info(kProgram, with_args(seccomp_info(*syscall_number(Abi::x86_64, "exit_group")), {3}));
    expect_resume(kProgram, Resume::syscall);
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
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    const long getpid = *syscall_number(Abi::x86_64, "getpid");
    expect_info(kProgram, entry_info(getpid));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(syscall_stop(kProgram));
    expect_info(kProgram, exit_info(kProgram));
    expect_resume(kProgram, Resume::syscall);
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
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_CLONE));
    expect_resume(kThread, Resume::cont);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    // The leader sits in an execve of its own that the thread's exec ends.
    const long execve = *syscall_number(Abi::x86_64, "execve");
    expect_info(kProgram, with_args(seccomp_info(execve), {0, 0, 0}));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_SECCOMP));
    expect_info(kThread, with_args(seccomp_info(execve), {kPath, 0, 0}));
    EXPECT_CALL(tracer_, read_memory(kThread, kPath, _, _))
        .WillOnce(DoAll(SetArgReferee<3>(std::string("/bin/true\0", 10)), Return(kOk)));
    expect_resume(kThread, Resume::syscall);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_SECCOMP));
    // The exec event, reported by the leader's id: the thread's call goes on there.
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kThread), Return(kOk)));
    expect_resume(kProgram, Resume::syscall);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_EXEC));
    expect_info(kProgram, exit_info(0));
    expect_resume(kProgram, Resume::cont);
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
    expect_resume(kThread, Resume::cont);
    engine_->handle(event_stop(kThread, PTRACE_EVENT_STOP));
    for (const pid_t tid : {kProgram, kThread}) {
        expect_info(tid, with_args(seccomp_info(fsync), {static_cast<std::uint64_t>(tid - 97)}));
        EXPECT_CALL(tracer_, fd_path(tid, _, _)).WillOnce(Return(kGone));
        expect_resume(tid, Resume::syscall);
        engine_->handle(event_stop(tid, PTRACE_EVENT_SECCOMP));
    }
    for (const pid_t tid : {kThread, kProgram}) {
        expect_info(tid, exit_info(0));
        expect_resume(tid, Resume::cont);
        engine_->handle(syscall_stop(tid));
    }
    EXPECT_EQ(lines_,
              (std::vector<std::string>{"[pid 101] fsync(4) = 0", "[pid 100] fsync(3) = 0"}));
}

}  // namespace
}  // namespace inject::engine
