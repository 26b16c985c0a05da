// The summary a user reads after a run.
#include "report/summary.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "inject/scenario.hpp"

namespace inject::report {
namespace {

TEST(Summary, NamesEachInjectionWithItsRuleCountAndResult) {
    const std::vector<Rule> rules{parse_spec("write:error=ENOSPC:when=3"),
                                  parse_spec("fsync:retval=0")};
    RunResult result;
    result.seccomp_filter = true;
    result.syscall_stops = 7;
    result.injections.push_back(
        Injection{0, "write", Abi::x86_64, 3, 4242, 4242, FailWithErrno{ENOSPC}});
    result.injections.push_back(Injection{1, "fsync", Abi::i386, 1, 4242, 4243, ReturnValue{0}});
    result.injection_count = 2;
    std::ostringstream out;
    write_summary(out, rules, result);
    EXPECT_EQ(out.str(),
              "inject: 2 faults injected, 7 syscall stops (seccomp filter)\n"
              "inject:   pid 4242: write call 3 -> -1 ENOSPC (No space left on device)  [rule 1: "
              "write:error=ENOSPC:when=3]\n"
              "inject:   pid 4242 tid 4243: fsync (i386) call 1 -> 0  [rule 2: fsync:retval=0]\n");
}

TEST(Summary, SingularAndNoFilter) {
    RunResult result;
    result.syscall_stops = 1;
    std::ostringstream out;
    write_summary(out, {}, result);
    EXPECT_EQ(out.str(), "inject: 0 faults injected, 1 syscall stop (no seccomp filter)\n");
}

TEST(Summary, LongListsAreCut) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO")};
    RunResult result;
    for (std::uint64_t nth = 1; nth <= kListedInjections + 5; ++nth) {
        result.injections.push_back(
            Injection{0, "write", Abi::x86_64, nth, 1, 1, FailWithErrno{EIO}});
    }
    result.injection_count = result.injections.size();
    std::ostringstream out;
    write_summary(out, rules, result);
    EXPECT_NE(out.str().find("inject:   ... and 5 more\n"), std::string::npos);
}

TEST(Summary, CountsInjectionsBeyondTheRecordedOnes) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO")};
    RunResult result;
    result.injections.push_back(Injection{0, "write", Abi::x86_64, 1, 1, 1, FailWithErrno{EIO}});
    result.injection_count = 100000;  // the engine kept only the first record
    std::ostringstream out;
    write_summary(out, rules, result);
    EXPECT_EQ(out.str(),
              "inject: 100000 faults injected, 0 syscall stops (no seccomp filter)\n"
              "inject:   pid 1: write call 1 -> -1 EIO (Input/output error)  [rule 1: "
              "write:error=EIO]\n"
              "inject:   ... and 99999 more\n");
}

TEST(Summary, ResultsReadAsTheProgramSeesThem) {
    EXPECT_EQ(describe_result(FailWithErrno{EIO}), "-1 EIO (Input/output error)");
    EXPECT_EQ(describe_result(ReturnValue{12}), "12");
}

}  // namespace
}  // namespace inject::report
