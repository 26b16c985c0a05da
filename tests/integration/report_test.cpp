// --report FILE (the run as JSON) and the summary's replay line, on real runs.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using nlohmann::json;

using ReportTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, ReportTest, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         mode_name);

TEST_P(ReportTest, ReportHoldsTheKnownRun) {
    const std::string path = dir_ / "report.json";
    const auto r = inject({"--report", path, "-e", "write:error=ENOSPC:when=3"},
                          {program("writes"), dir_ / "out", "5"});
    ASSERT_EQ(r.exit_status, 1) << describe(r);
    const Summary summary = parse_summary(r.err);
    ASSERT_EQ(summary.pids.size(), 1U) << r.err;

    const json report = json::parse(read_file(path));
    EXPECT_EQ(report["command"], json({program("writes"), dir_ / "out", "5"}));
    EXPECT_TRUE(report["seed"].is_null());
    EXPECT_EQ(report["seccomp_filter"], GetParam() == Mode::kSeccomp);
    ASSERT_EQ(report["rules"].size(), 1U);
    EXPECT_EQ(report["rules"][0]["spec"], "write:error=ENOSPC:when=3");
    EXPECT_EQ(report["rules"][0]["matched"], 5);
    EXPECT_EQ(report["rules"][0]["injected"], 1);
    ASSERT_EQ(report["injections"].size(), 1U);
    const json& injection = report["injections"][0];
    EXPECT_EQ(injection["rule"], 1);
    EXPECT_EQ(injection["syscall"], "write");
    EXPECT_EQ(injection["nth"], 3);
    EXPECT_EQ(injection["pid"], summary.pids[0]);
    EXPECT_EQ(injection["tid"], summary.pids[0]);
    EXPECT_EQ(injection["action"], json({{"error", "ENOSPC"}, {"errno", 28}}));
    EXPECT_GE(injection["time_ms"].get<double>(), 0.0);
    EXPECT_EQ(report["injections_total"], 1);
    EXPECT_EQ(
        report["result"],
        json({{"exit_code", 1}, {"signal", nullptr}, {"timed_out", false}, {"detached", false}}));
    EXPECT_EQ(report["attached"], json::array());
}

// Far more injections than are kept as records: the report still lists every one, in order
// (they are streamed to it from a temporary file, not kept in memory).
TEST_P(ReportTest, ReportListsEveryInjectionBeyondTheRecords) {
    const std::string path = dir_ / "report.json";
    // Only the file's writes: the program's own lines on stdout must get through.
    const auto r = inject({"-q", "--report", path, "-e", "write:error=EIO:path=**/out"},
                          {program("writes"), dir_ / "out", "2500"});
    ASSERT_EQ(r.exit_status, 99) << describe(r);  // writes caps its count of failures at 99
    const json report = json::parse(read_file(path));
    EXPECT_EQ(report["injections_total"], 2500);
    ASSERT_EQ(report["injections"].size(), 2500U);
    for (std::size_t index = 0; index < 2500; ++index) {
        ASSERT_EQ(report["injections"][index]["nth"], index + 1);
    }
    EXPECT_EQ(report["injections"][2499]["action"], json({{"error", "EIO"}, {"errno", 5}}));
    EXPECT_EQ(report["result"]["exit_code"], 99);
}

TEST_P(ReportTest, UnwritableReportStopsInjectBeforeTheProgram) {
    const auto r = inject({"--report", dir_ / "no/such/r.json", "-e", "write:error=EIO"},
                          {program("writes"), dir_ / "out", "1"});
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(split_lines(r.err).size(), 1U) << r.err;
    EXPECT_NE(r.err.find("cannot write --report"), std::string::npos) << r.err;
}

TEST_P(ReportTest, ReplayLineRepeatsAProbabilityRun) {
    const auto r = inject({"--seed", "7", "-e", "write:error=EIO:probability=0.5"},
                          {program("writes"), dir_ / "out", "20"});
    std::string replay;
    for (const std::string& line : split_lines(r.err)) {
        if (line.rfind("inject: replay: inject ", 0) == 0) {
            replay = line.substr(std::string("inject: replay: inject ").size());
        }
    }
    ASSERT_FALSE(replay.empty()) << describe(r);
    EXPECT_EQ(replay.find("--seed"), std::string::npos) << replay;
    EXPECT_EQ(replay.find("probability"), std::string::npos) << replay;

    // The line is for a shell: let one read it, with this build's inject and mode.
    std::string command = "'" + inject_binary() + "' ";
    if (GetParam() == Mode::kNoSeccomp) {
        command += "--no-seccomp ";
    }
    const auto again = run_command({"/bin/sh", "-c", command + replay}, kRunTimeout);
    EXPECT_EQ(again.exit_status, r.exit_status) << describe(again);
    EXPECT_EQ(again.out, r.out);
    EXPECT_NE(r.out.find("EIO"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace inject::testing
