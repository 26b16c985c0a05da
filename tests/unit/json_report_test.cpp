// The --report JSON, parsed back.
#include "report/json_report.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "inject/scenario.hpp"

namespace inject::report {
namespace {

using nlohmann::json;

TEST(JsonReport, ShowsTheSignalOfARuleAndOfItsInjections) {
    std::vector<Rule> rules{parse_spec("write:signal=SIGKILL:when=3"),
                            parse_spec("read:error=EIO")};
    RunResult result;
    result.injections.push_back(Injection{0, "write", Abi::x86_64, 3, 100, 100,
                                          Effect{RunCall{}, SIGKILL},
                                          std::chrono::microseconds(1)});
    result.injection_count = 1;
    result.signal = SIGKILL;
    const json report = json::parse(json_report({"0.1.0", {"prog"}, {}, &rules, &result, {}}));

    EXPECT_EQ(report["rules"][0]["spec"], "write:signal=SIGKILL:when=3");
    EXPECT_EQ(report["rules"][0]["signal"], "SIGKILL");
    EXPECT_EQ(report["rules"][0]["action"], json({{"run", true}}));
    EXPECT_TRUE(report["rules"][1]["signal"].is_null());
    EXPECT_EQ(report["injections"][0]["signal"], "SIGKILL");
}

TEST(JsonReport, ShowsTheDelaysInMicrosecondsAndACallThatRan) {
    std::vector<Rule> rules{parse_spec("write:delay=300ms"),
                            parse_spec("read:error=EIO:delay_exit=2s")};
    RunResult result;
    Injection delayed{0, "write", Abi::x86_64, 1, 100, 100, Effect{RunCall{}}};
    delayed.effect.delay = std::chrono::milliseconds(300);
    result.injections.push_back(delayed);
    result.injection_count = 1;
    const json report = json::parse(json_report({"0.1.0", {"prog"}, {}, &rules, &result, {}}));

    EXPECT_EQ(report["rules"][0]["action"], json({{"run", true}}));
    EXPECT_EQ(report["rules"][0]["delay_us"], 300'000);
    EXPECT_TRUE(report["rules"][0]["delay_exit_us"].is_null());
    EXPECT_EQ(report["rules"][1]["action"], json({{"error", "EIO"}, {"errno", EIO}}));
    EXPECT_TRUE(report["rules"][1]["delay_us"].is_null());
    EXPECT_EQ(report["rules"][1]["delay_exit_us"], 2'000'000);
    EXPECT_EQ(report["injections"][0]["action"], json({{"run", true}}));
    EXPECT_EQ(report["injections"][0]["delay_us"], 300'000);
    EXPECT_TRUE(report["injections"][0]["delay_exit_us"].is_null());
}

TEST(JsonReport, HoldsTheRulesEveryInjectionAndTheResult) {
    std::vector<Rule> rules{parse_spec("write:error=ENOSPC:when=3"),
                            parse_spec("fsync:retval=0:probability=0.5:per=process")};
    rules[0].origin = "--inject write:error=ENOSPC:when=3";
    RunResult result;
    result.seccomp_filter = true;
    result.syscall_stops = 9;
    result.matched = {4, 2};
    result.injected = {1, 0};
    result.injections.push_back(Injection{0, "write", Abi::x86_64, 3, 100, 101,
                                          Effect{FailWithErrno{ENOSPC}},
                                          std::chrono::microseconds(12345)});
    result.injection_count = 1;
    result.exit_code = 1;
    const json report =
        json::parse(json_report({"0.1.0", {"prog", "a b"}, 42, &rules, &result, {}}));

    EXPECT_EQ(report["inject_version"], "0.1.0");
    EXPECT_EQ(report["command"], json({"prog", "a b"}));
    EXPECT_EQ(report["seed"], 42);
    EXPECT_EQ(report["seccomp_filter"], true);
    EXPECT_EQ(report["syscall_stops"], 9);
    ASSERT_EQ(report["rules"].size(), 2U);
    const json& first = report["rules"][0];
    EXPECT_EQ(first["index"], 1);
    EXPECT_EQ(first["spec"], "write:error=ENOSPC:when=3");
    EXPECT_EQ(first["origin"], "--inject write:error=ENOSPC:when=3");
    EXPECT_EQ(first["syscalls"], json({"write"}));
    EXPECT_EQ(first["action"], json({{"error", "ENOSPC"}, {"errno", ENOSPC}}));
    EXPECT_EQ(first["when"], "3");
    EXPECT_EQ(first["per"], "tree");
    EXPECT_TRUE(first["probability"].is_null());
    EXPECT_EQ(first["matched"], 4);
    EXPECT_EQ(first["injected"], 1);
    const json& second = report["rules"][1];
    EXPECT_EQ(second["action"], json({{"retval", 0}}));
    EXPECT_EQ(second["per"], "process");
    EXPECT_DOUBLE_EQ(second["probability"].get<double>(), 0.5);
    EXPECT_EQ(second["injected"], 0);

    ASSERT_EQ(report["injections"].size(), 1U);
    const json& injection = report["injections"][0];
    EXPECT_EQ(injection["rule"], 1);
    EXPECT_EQ(injection["syscall"], "write");
    EXPECT_EQ(injection["abi"], "x86_64");
    EXPECT_EQ(injection["nth"], 3);
    EXPECT_EQ(injection["pid"], 100);
    EXPECT_EQ(injection["tid"], 101);
    EXPECT_TRUE(injection["path"].is_null());
    EXPECT_EQ(injection["action"]["error"], "ENOSPC");
    EXPECT_DOUBLE_EQ(injection["time_ms"].get<double>(), 12.345);
    EXPECT_EQ(report["injections_total"], 1);
    EXPECT_EQ(report["attached"], json::array());
    EXPECT_EQ(
        report["result"],
        json({{"exit_code", 1}, {"signal", nullptr}, {"timed_out", false}, {"detached", false}}));
    EXPECT_FALSE(report.contains("expectations"));
}

TEST(JsonReport, ShowsTheFiltersOfARuleAndThePathOfAnInjection) {
    std::vector<Rule> rules{
        parse_spec("write:error=ENOSPC:path=/tmp/*.log:fd=3:process=app:caller=store::save"),
        parse_spec("read:error=EIO")};
    RunResult result;
    result.injections.push_back(Injection{0, "write", Abi::x86_64, 1, 100, 100,
                                          Effect{FailWithErrno{ENOSPC}},
                                          std::chrono::microseconds(1), "/tmp/x.log"});
    result.injection_count = 1;
    result.exit_code = 1;
    const json report = json::parse(json_report({"0.1.0", {"prog"}, {}, &rules, &result, {}}));

    EXPECT_EQ(report["rules"][0]["path"], "/tmp/*.log");
    EXPECT_EQ(report["rules"][0]["fd"], 3);
    EXPECT_EQ(report["rules"][0]["process"], "app");
    EXPECT_EQ(report["rules"][0]["caller"], "store::save");
    EXPECT_TRUE(report["rules"][1]["path"].is_null());
    EXPECT_TRUE(report["rules"][1]["fd"].is_null());
    EXPECT_TRUE(report["rules"][1]["process"].is_null());
    EXPECT_TRUE(report["rules"][1]["caller"].is_null());
    EXPECT_EQ(report["injections"][0]["path"], "/tmp/x.log");
}

TEST(JsonReport, ShortIsAnActionWithItsByteCount) {
    std::vector<Rule> rules{parse_spec("read:short=0:when=2")};
    RunResult result;
    result.injections.push_back(Injection{0, "read", Abi::i386, 2, 100, 100, Effect{ShortenTo{0}}});
    result.injection_count = 1;
    const json report = json::parse(json_report({"0.1.0", {"prog"}, {}, &rules, &result, {}}));

    EXPECT_EQ(report["rules"][0]["spec"], "read:short=0:when=2");
    EXPECT_EQ(report["rules"][0]["action"], json({{"short", 0}}));
    EXPECT_EQ(report["injections"][0]["action"], json({{"short", 0}}));
    EXPECT_EQ(report["injections"][0]["abi"], "i386");
}

TEST(JsonReport, SignalsByNameNoSeedAndExpectations) {
    const std::vector<Rule> rules;
    RunResult result;
    result.signal = SIGSEGV;
    ExpectationOutcome failed;
    failed.failures.push_back("exit_code: expected 0, got SIGSEGV");
    const json report = json::parse(
        json_report({"0.1.0", {"prog"}, std::nullopt, &rules, &result, {{"crash.toml", failed}}}));
    EXPECT_TRUE(report["seed"].is_null());
    EXPECT_EQ(report["rules"], json::array());
    EXPECT_EQ(report["injections"], json::array());
    EXPECT_TRUE(report["result"]["exit_code"].is_null());
    EXPECT_EQ(report["result"]["signal"], "SIGSEGV");
    ASSERT_EQ(report["expectations"].size(), 1U);
    EXPECT_EQ(report["expectations"][0]["source"], "crash.toml");
    EXPECT_EQ(report["expectations"][0]["passed"], false);
    EXPECT_EQ(report["expectations"][0]["failures"], json({"exit_code: expected 0, got SIGSEGV"}));
}

TEST(JsonReport, NamesTheProcessesAttachedToAndADetach) {
    const std::vector<Rule> rules{parse_spec("write:error=EIO")};
    RunResult result;
    result.attached = {4242, 4250};
    result.detached = true;
    const json report = json::parse(json_report({"0.1.0", {}, {}, &rules, &result, {}}));
    EXPECT_EQ(report["command"], json::array());
    EXPECT_EQ(report["attached"], json({4242, 4250}));
    EXPECT_TRUE(report["result"]["exit_code"].is_null());
    EXPECT_EQ(report["result"]["detached"], true);
}

// A report's injections spilled to disk as they come read the same as the records kept in
// memory, byte for byte, and as nlohmann's own dump of the whole would.
TEST(JsonReport, InjectionsSpilledToDiskGiveTheSameReport) {
    const std::vector<Rule> rules{parse_spec("write:error=ENOSPC")};
    RunResult result;
    for (std::uint64_t nth = 1; nth <= 3000; ++nth) {
        result.injections.push_back(Injection{0, "write", Abi::x86_64, nth, 100, 100,
                                              Effect{FailWithErrno{ENOSPC}},
                                              std::chrono::microseconds(nth), "/tmp/\"x\""});
    }
    result.injection_count = result.injections.size();
    InjectionSpill spill(::testing::TempDir() + "/report.json");
    for (const Injection& injection : result.injections) {
        spill.add(injection);
    }
    ASSERT_FALSE(spill.error().has_value());
    EXPECT_EQ(spill.count(), 3000U);
    const std::string in_memory = json_report({"0.1.0", {"prog"}, {}, &rules, &result, {}});
    RunResult without_records = result;
    without_records.injections.clear();
    const std::string spilled =
        json_report({"0.1.0", {"prog"}, {}, &rules, &without_records, {}, &spill});
    EXPECT_EQ(spilled, in_memory);
    EXPECT_EQ(spilled, json::parse(in_memory).dump(2) + "\n");
    EXPECT_EQ(json::parse(spilled)["injections"].size(), 3000U);
}

TEST(JsonReport, NoInjectionsIsAnEmptyArray) {
    const std::vector<Rule> rules{parse_spec("write:error=ENOSPC")};
    RunResult result;
    InjectionSpill spill(::testing::TempDir() + "/report.json");
    const std::string text = json_report({"0.1.0", {"prog"}, {}, &rules, &result, {}, &spill});
    EXPECT_NE(text.find("\n  \"injections\": [],\n"), std::string::npos) << text;
    EXPECT_EQ(text, json_report({"0.1.0", {"prog"}, {}, &rules, &result, {}}));
}

}  // namespace
}  // namespace inject::report
