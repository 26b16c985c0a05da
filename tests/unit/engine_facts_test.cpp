// What the engine reads of a call for the filters: fds, fd tables, names, paths.
#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;

// The facts of the filters: what the engine reads from the tracee, and what it remembers.

constexpr long kClose = 3;
constexpr long kDup2 = 33;
constexpr long kUnshare = 272;
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

// The program starts a process (clone with CLONE_FILES | SIGCHLD is reported as a fork) or a
// thread, and the tracer says whether its fd table is the program's.
class FdTableTest : public EngineFactsTest {
  protected:
    static constexpr pid_t kChild = 200;
    void start(int event, pid_t tgid, std::optional<bool> shared) {
        EXPECT_CALL(tracer_, event_message(kProgram, _))
            .WillOnce(DoAll(SetArgReferee<1>(kChild), Return(kOk)));
        if (event == PTRACE_EVENT_CLONE) {
            EXPECT_CALL(tracer_, thread_group_of(kChild, _))
                .WillOnce(DoAll(SetArgReferee<1>(tgid), Return(kOk)));
        }
        EXPECT_CALL(tracer_, same_fd_table(kProgram, kChild)).WillOnce(Return(shared));
        EXPECT_CALL(tracer_, resume(kProgram, Resume::cont, 0))
            .WillOnce(Return(kOk))
            .RetiresOnSaturation();
        engine_->handle(event_stop(kProgram, event));
    }
    // The program writes to fd 3 twice: how often is its file read?
    void writes_read_the_fd(int times) {
        EXPECT_CALL(tracer_, read_proc_link(kProgram, std::string_view("fd/3"), _))
            .Times(times)
            .WillRepeatedly(DoAll(SetArgReferee<2>(std::string("/tmp/a.log")), Return(kOk)))
            .RetiresOnSaturation();
        call_passes(seccomp_call(kWrite, {3}));
        call_passes(seccomp_call(kWrite, {3}));
    }
};

// What the child closes and reopens under fd 3 the program's next write goes to: a cache of
// the program's own would not hear of the child's close.
TEST_F(FdTableTest, AProcessSharingTheProgramsFdTableLeavesItUncached) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/b.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    start(PTRACE_EVENT_FORK, kChild, true);
    writes_read_the_fd(2);
}

TEST_F(FdTableTest, AThreadWithAnFdTableOfItsOwnLeavesItsProcessUncached) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/b.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    start(PTRACE_EVENT_CLONE, kProgram, false);
    writes_read_the_fd(2);
}

TEST_F(FdTableTest, ATableThatCannotBeComparedIsTakenAsShared) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/b.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    start(PTRACE_EVENT_FORK, kChild, std::nullopt);
    writes_read_the_fd(2);
}

TEST_F(FdTableTest, AForkedChildOrAPlainThreadKeepsTheCache) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/b.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    start(PTRACE_EVENT_FORK, kChild, false);
    writes_read_the_fd(1);
}

TEST_F(FdTableTest, UnsharingTheFdTableLeavesTheProcessUncached) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/b.log")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    expect_no_reads();
    call_passes(seccomp_call(kUnshare, {CLONE_FS}));  // not the fd table: nothing changes
    writes_read_the_fd(1);
    call_passes(seccomp_call(kUnshare, {CLONE_FILES}));
    writes_read_the_fd(2);
}

TEST_F(FdTableTest, WithoutAPathFilterNoTableIsCompared) {
    use_rules({parse_spec("write:error=EIO:when=9")}, StopPolicy::seccomp);
    adopt_program(Resume::cont);
    EXPECT_CALL(tracer_, same_fd_table(_, _)).Times(0);
    EXPECT_CALL(tracer_, event_message(kProgram, _))
        .WillOnce(DoAll(SetArgReferee<1>(kChild), Return(kOk)));
    expect_resume(kProgram, Resume::cont);
    engine_->handle(event_stop(kProgram, PTRACE_EVENT_FORK));
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

}  // namespace
}  // namespace inject::engine
