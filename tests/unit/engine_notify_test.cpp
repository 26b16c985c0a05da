// Seccomp user notifications: the calls the filter notifies, answered without a stop.
#include <stdexcept>

#include "mock_tracer.hpp"

namespace inject::engine {
namespace {

using namespace inject::engine::mock;
using std::chrono::milliseconds;

// --- seccomp user notifications --------------------------------------------------------------
// The calls the filter notifies, driven through a double of the listener. The calling thread is
// never stopped: the StrictMock tracer sees nothing of a notified call but what its rule's
// filters read and its signal, and the call gets nothing but its answer.

class MockNotifier : public trace::Notifier {
  public:
    MOCK_METHOD(trace::Ready, wait, (std::optional<std::chrono::steady_clock::time_point>),
                (override));
    MOCK_METHOD(std::error_code, receive, (trace::Notification&), (override));
    MOCK_METHOD(std::error_code, answer, (std::uint64_t, std::int64_t), (override));
    MOCK_METHOD(std::error_code, let_run, (std::uint64_t), (override));
    MOCK_METHOD(bool, still_waits, (std::uint64_t), (override));
};

const std::error_code kNoLongerWaits = std::make_error_code(std::errc::no_such_file_or_directory);

trace::Notification notified_call(std::uint64_t id, long number, pid_t tid = kProgram,
                                  std::vector<std::uint64_t> args = {}, Abi abi = Abi::x86_64) {
    trace::Notification call;
    call.id = id;
    call.tid = tid;
    call.abi = abi;
    call.number = number;
    std::copy(args.begin(), args.end(), call.args.begin());
    return call;
}

class EngineNotifyTest : public EngineTest {
  protected:
    using TimePoint = TimerQueue::Clock::time_point;
    static constexpr TimePoint kStart = TimePoint(std::chrono::hours(1));

    void use_rules(std::vector<Rule> rules) {
        EngineTest::use_rules(std::move(rules), StopPolicy::seccomp);
        engine_->set_notifier(&notifier_);
        engine_->set_clock([this] { return now_; });
        adopt_program(Resume::cont);
    }

    // The next wait finds what `ready` says, and then (after the stops it finds, if any) the
    // notified call `call` when it says so.
    void expect_wait(trace::Ready ready, std::optional<trace::Notification> call = {},
                     std::optional<TimePoint> deadline = {}) {
        EXPECT_CALL(notifier_, wait(deadline)).WillOnce(Return(ready)).RetiresOnSaturation();
        if (call) {
            expect_receive(*call);
        }
    }
    void expect_receive(const trace::Notification& call) {
        EXPECT_CALL(notifier_, receive(_))
            .WillOnce(DoAll(SetArgReferee<0>(call), Return(kOk)))
            .RetiresOnSaturation();
    }

    StrictMock<MockNotifier> notifier_;
    TimePoint now_ = kStart;
};

TEST_F(EngineNotifyTest, ACallNoRuleFiresOnRunsAndAFiredOneIsAnsweredWithoutRunning) {
    use_rules({parse_spec("write:error=ENOSPC:when=2")});
    InSequence order;
    EXPECT_CALL(notifier_, let_run(1)).WillOnce(Return(kOk));
    engine_->handle(notified_call(1, kWrite));
    EXPECT_CALL(notifier_, answer(2, -ENOSPC)).WillOnce(Return(kOk));
    engine_->handle(notified_call(2, kWrite));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 2U);
    EXPECT_EQ(outcome.injections[0].tid, kProgram);
    EXPECT_EQ(outcome.syscall_stops, 2U);
    EXPECT_EQ(outcome.notified_calls, 2U);
}

TEST_F(EngineNotifyTest, ARetvalIsTheAnswerAndAnI386CallIsMatchedByItsOwnNumber) {
    use_rules({parse_spec("write:retval=7")});
    InSequence order;
    EXPECT_CALL(notifier_, answer(1, 7)).WillOnce(Return(kOk));
    engine_->handle(notified_call(1, 4, kProgram, {}, Abi::i386));  // write on i386
    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].abi, Abi::i386);
    EXPECT_EQ(outcome.injections[0].syscall, "write");
}

TEST_F(EngineNotifyTest, ACallOfAnUnhandledAbiRuns) {
    use_rules({parse_spec("write:error=EIO")});
    trace::Notification x32 = notified_call(1, 0x40000001);
    x32.abi.reset();
    EXPECT_CALL(notifier_, let_run(1)).WillOnce(Return(kOk));
    engine_->handle(x32);
    EXPECT_TRUE(engine_->take_result().injections.empty());
}

TEST_F(EngineNotifyTest, TheRulesSignalIsSentWhileTheCallWaitsThenItsAnswer) {
    use_rules({parse_spec("write:error=EIO:signal=SIGUSR1")});
    InSequence order;
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGUSR1)).WillOnce(Return(kOk));
    EXPECT_CALL(notifier_, answer(1, -EIO)).WillOnce(Return(kOk));
    engine_->handle(notified_call(1, kWrite));
    EXPECT_EQ(engine_->take_result().injections.size(), 1U);
}

TEST_F(EngineNotifyTest, SigkillEndsTheThreadInItsWaitAndNoAnswerCanLetTheCallRun) {
    use_rules({parse_spec("write:signal=SIGKILL:when=3")});
    InSequence order;
    EXPECT_CALL(notifier_, let_run(1)).WillOnce(Return(kOk));
    EXPECT_CALL(notifier_, let_run(2)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGKILL)).WillOnce(Return(kOk));
    for (std::uint64_t id = 1; id <= 3; ++id) {
        engine_->handle(notified_call(id, kWrite));
    }
    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 3U);
}

TEST_F(EngineNotifyTest, AFatalSignalOfTheRuleThatEndsTheWaitLeavesTheCallInjected) {
    // SIGTERM uncaught kills the thread in its wait, so the answer finds the call gone: that
    // call was the crash point, not a call to come again, and it stays counted and recorded.
    use_rules({parse_spec("write:error=EIO:signal=SIGTERM:when=2")});
    InSequence order;
    EXPECT_CALL(notifier_, let_run(1)).WillOnce(Return(kOk));
    EXPECT_CALL(tracer_, send_signal(kProgram, kProgram, SIGTERM)).WillOnce(Return(kOk));
    EXPECT_CALL(notifier_, answer(2, -EIO)).WillOnce(Return(kNoLongerWaits));
    engine_->handle(notified_call(1, kWrite));
    engine_->handle(notified_call(2, kWrite));
    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 2U);
    EXPECT_EQ(decider_->matched(0), 2U);
}

TEST_F(EngineNotifyTest, ACallCancelledBeforeItsAnswerIsCountedOnceWhenItComesAgain) {
    use_rules({parse_spec("write:error=ENOSPC:when=2")});
    InSequence order;
    // Call 1 runs. Call 2 is picked, but no longer waits when its answer comes: its count is
    // taken back, and so is its injection. It comes again, and is call 2 still.
    EXPECT_CALL(notifier_, let_run(1)).WillOnce(Return(kOk));
    EXPECT_CALL(notifier_, answer(2, -ENOSPC)).WillOnce(Return(kNoLongerWaits));
    EXPECT_CALL(notifier_, answer(3, -ENOSPC)).WillOnce(Return(kOk));
    EXPECT_CALL(notifier_, let_run(4)).WillOnce(Return(kOk));
    for (std::uint64_t id = 1; id <= 4; ++id) {
        engine_->handle(notified_call(id, kWrite));
    }
    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 2U);
    EXPECT_EQ(outcome.injection_count, 1U);
    EXPECT_EQ(decider_->matched(0), 3U);
}

TEST_F(EngineNotifyTest, ACallNoRuleFiredOnThatNoLongerWaitsIsNotCountedEither) {
    use_rules({parse_spec("write:error=ENOSPC:when=2")});
    InSequence order;
    EXPECT_CALL(notifier_, let_run(1)).WillOnce(Return(kNoLongerWaits));
    EXPECT_CALL(notifier_, let_run(2)).WillOnce(Return(kOk));
    EXPECT_CALL(notifier_, answer(3, -ENOSPC)).WillOnce(Return(kOk));
    for (std::uint64_t id = 1; id <= 3; ++id) {
        engine_->handle(notified_call(id, kWrite));
    }
    EXPECT_EQ(engine_->take_result().injections.at(0).nth, 2U);
}

TEST_F(EngineNotifyTest, WhatTheFiltersReadOfAThreadThatDiedMeanwhileIsNotCounted) {
    use_rules({parse_spec("write:error=EIO:path=/tmp/log")});
    InSequence order;
    // The fd's file is read from /proc while the thread waits; by then the call no longer
    // waits, so the file may be another thread's, one that took the id: nothing is answered,
    // nothing counted.
    EXPECT_CALL(tracer_, read_proc_link(kProgram, std::string_view("fd/3"), _))
        .WillOnce(DoAll(SetArgReferee<2>("/tmp/log"), Return(kOk)));
    EXPECT_CALL(notifier_, still_waits(1)).WillOnce(Return(false));
    engine_->handle(notified_call(1, kWrite, kProgram, {3}));
    EXPECT_CALL(tracer_, read_proc_link(kProgram, std::string_view("fd/3"), _))
        .WillOnce(DoAll(SetArgReferee<2>("/tmp/log"), Return(kOk)));
    EXPECT_CALL(notifier_, still_waits(2)).WillOnce(Return(true));
    EXPECT_CALL(notifier_, answer(2, -EIO)).WillOnce(Return(kOk));
    engine_->handle(notified_call(2, kWrite, kProgram, {3}));

    const RunResult outcome = engine_->take_result();
    ASSERT_EQ(outcome.injections.size(), 1U);
    EXPECT_EQ(outcome.injections[0].nth, 1U);
    EXPECT_EQ(outcome.injections[0].path, "/tmp/log");
    EXPECT_EQ(decider_->matched(0), 1U);
}

TEST_F(EngineNotifyTest, TheLoopTakesEveryStopAlreadyThereAndTheOldestCallInOneRound) {
    use_rules({parse_spec("write:error=EIO:when=1000")});
    constexpr pid_t kThread = 101;
    InSequence order;
    // One wait finds both: the thread's first stop is served first (it came through waitpid,
    // with the others already there), then the program's notified call.
    expect_wait({.notification = true, .tracees = true});
    EXPECT_CALL(tracer_, poll_stop())
        .WillOnce(Return(event_stop(kThread, PTRACE_EVENT_STOP)))
        .WillOnce(Return(trace::NoStopYet{}))
        .RetiresOnSaturation();
    expect_receive(notified_call(1, kWrite));
    EXPECT_CALL(tracer_, thread_group_of(kThread, _))
        .WillOnce(DoAll(SetArgReferee<1>(kProgram), Return(kOk)));
    EXPECT_CALL(tracer_, resume(kThread, Resume::cont, 0)).WillOnce(Return(kOk));
    EXPECT_CALL(notifier_, let_run(1)).WillOnce(Return(kOk));
    // The thread's call next, then both end: the loop ends once waitpid has no tracee left.
    expect_wait({.notification = true}, notified_call(2, kWrite, kThread));
    EXPECT_CALL(notifier_, let_run(2)).WillOnce(Return(kOk));
    expect_wait({.tracees = true});
    EXPECT_CALL(tracer_, poll_stop())
        .WillOnce(Return(exited(kThread, 0)))
        .WillOnce(Return(exited(kProgram, 3)))
        .WillOnce(Return(trace::NoTraceeLeft{}))
        .RetiresOnSaturation();
    const RunResult outcome = engine_->run_attached([] { return false; });
    EXPECT_EQ(outcome.exit_code, 3);
    EXPECT_EQ(outcome.notified_calls, 2U);
}

// plan_filter keeps delayed calls off the listener: a signal must end a held call's wait,
// which only a stopped thread's pending signals tell. One that came anyway is a bug of inject's.
TEST_F(EngineNotifyTest, ADelayedCallNeverComesAsANotification) {
    use_rules({parse_spec("write:error=ENOSPC:delay=10ms")});
    EXPECT_CALL(notifier_, answer(_, _)).Times(0);
    EXPECT_THROW(engine_->handle(notified_call(1, kWrite)), std::logic_error);
}

}  // namespace
}  // namespace inject::engine
