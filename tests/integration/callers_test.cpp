// caller= through the command line: a rule fails only the calls made from where its glob
// says (a function, a source line, a module offset), in dynamic, static, stripped, C++, i386
// and threaded programs; the summary and the report say where each injected call came from;
// -k shows the stacks strace -k shows.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

using CallersTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, CallersTest, ::testing::ValuesIn(kAllModes), mode_name);

// What tests/programs/callers prints for N rounds when the writes of `failed` ("save_config"
// or "save_journal", round I -> error) failed.
std::string callers_output(int rounds, const std::vector<std::pair<std::string, int>>& failed,
                           const std::string& error = "EIO") {
    std::string out;
    for (int i = 1; i <= rounds; ++i) {
        for (const std::string who : {"save_config", "save_journal"}) {
            bool fails = false;
            for (const auto& [name, round] : failed) {
                fails = fails || (name == who && (round == 0 || round == i));
            }
            const std::size_t bytes = who.size() + 1 + std::to_string(i).size() + 1;
            out += who + " write " + std::to_string(i) + ": " +
                   (fails ? error : "ok " + std::to_string(bytes)) + "\n";
        }
    }
    return out;
}

TEST_P(CallersTest, OnlyTheWritesMadeUnderTheCallerFailInEveryBuild) {
    for (const char* name : {"callers", "callers_static", "callers_32", "callers_no_aranges"}) {
        SCOPED_TRACE(name);
        const auto r = inject({"-e", "write:error=EIO:caller=save_config"},
                              {program(name), dir_ / "out", "3"});
        EXPECT_EQ(r.exit_status, 3) << describe(r);
        EXPECT_EQ(r.out, callers_output(3, {{"save_config", 0}}));
        const Summary summary = parse_summary(r.err);
        ASSERT_EQ(summary.events.size(), 3u) << r.err;
        const std::string abi = std::string(name).ends_with("_32") ? " (i386)" : "";
        EXPECT_EQ(summary.events[1], "write" + abi +
                                         " call 2 -> -1 EIO (Input/output error)  [rule 1: "
                                         "write:error=EIO:caller=save_config]");
        // Named after the innermost frame outside the C library: the one function that writes.
        EXPECT_TRUE(summary.sites[1].starts_with("write_record (callers.h:")) << r.err;
    }
}

TEST_P(CallersTest, WhenNumbersTheCallsFromTheCaller) {
    const auto r = inject({"-q", "-e", "write:error=ENOSPC:caller=save_journal:when=2"},
                          {program("callers"), dir_ / "out", "3"});
    EXPECT_EQ(r.exit_status, 1) << describe(r);
    EXPECT_EQ(r.out, callers_output(3, {{"save_journal", 2}}, "ENOSPC"));
}

TEST_P(CallersTest, NamespacedAndTemplatedCallersMatchAsCallersWriteThem) {
    for (const char* name : {"cpp_callers", "cpp_callers_static"}) {
        SCOPED_TRACE(name);
        const auto flush = inject({"-q", "-e", "write:error=EIO:caller=notes::Store::flush"},
                                  {program(name), dir_ / "out", "2"});
        EXPECT_EQ(flush.out,
                  "flush write 1: EIO\nappend write 1: ok 9\nflush write 2: EIO\n"
                  "append write 2: ok 9\n")
            << describe(flush);
        const auto append = inject({"-q", "-e", "write:error=EIO:caller=*::append:when=2"},
                                   {program(name), dir_ / "out", "2"});
        EXPECT_EQ(append.out,
                  "flush write 1: ok 8\nappend write 1: ok 9\nflush write 2: ok 8\n"
                  "append write 2: EIO\n")
            << describe(append);
        const auto templated =
            inject({"-q", "-e", "write:error=EIO:caller=notes::Journal<notes::Line>::append"},
                   {program(name), dir_ / "out", "1"});
        EXPECT_EQ(templated.out, "flush write 1: ok 8\nappend write 1: EIO\n")
            << describe(templated);
    }
}

// The offset in its file of the frame of `function` in the stacks of an `inject -k` log.
std::string frame_offset(const std::string& log, const std::string& function) {
    std::smatch match;
    const std::regex frame(" > [^(]*\\(" + function + "\\+0x[0-9a-f]+\\) \\[(0x[0-9a-f]+)\\]");
    return std::regex_search(log, match, frame) ? match[1].str() : "";
}

TEST_P(CallersTest, AStrippedBinaryIsMatchedByModuleOffset) {
    // The stripped copy has the same code: the offset of save_config's call in `callers` is
    // the same place in `callers_stripped`, which has no name for it.
    const std::string log = dir_ / "log";
    const auto named = inject({"-q", "-k", "-o", log, "-e", "write:error=EIO:when=1000"},
                              {program("callers"), dir_ / "out", "1"});
    ASSERT_EQ(named.exit_status, 0) << describe(named);
    const std::string offset = frame_offset(read_file(log), "save_config");
    ASSERT_FALSE(offset.empty()) << read_file(log);
    const auto r = inject({"-e", "write:error=EIO:caller=callers_stripped+" + offset},
                          {program("callers_stripped"), dir_ / "out", "2"});
    EXPECT_EQ(r.exit_status, 2) << describe(r);
    EXPECT_EQ(r.out, callers_output(2, {{"save_config", 0}}));
    EXPECT_NE(r.err.find("inject: note: " + program("callers_stripped") + " has no symbols"),
              std::string::npos)
        << r.err;
    const Summary summary = parse_summary(r.err);
    ASSERT_FALSE(summary.sites.empty()) << r.err;
    EXPECT_TRUE(summary.sites[0].starts_with("callers_stripped+0x")) << r.err;
}

TEST_P(CallersTest, ASourceLineIsWhereTheReportSaysTheCallWasMade) {
    const std::string report = dir_ / "report.json";
    const auto first = inject({"-q", "--report", report, "-e", "write:error=EIO:when=1"},
                              {program("callers"), dir_ / "out", "1"});
    ASSERT_EQ(first.exit_status, 1) << describe(first);
    const auto json = nlohmann::json::parse(read_file(report));
    const auto& injection = json.at("injections").at(0);
    EXPECT_TRUE(injection.at("site").get<std::string>().starts_with("write_record (callers.h:"));
    std::string file;
    unsigned line = 0;
    for (const auto& frame : injection.at("stack")) {
        if (frame.at("function") == "save_config") {
            file = frame.at("file").get<std::string>();
            line = frame.at("line").get<unsigned>();
            EXPECT_EQ(frame.at("module"), program("callers"));
            EXPECT_GT(frame.at("offset").get<std::uint64_t>(), 0u);
        }
    }
    ASSERT_TRUE(file.ends_with("callers.c")) << json.dump(2);
    const auto r =
        inject({"-q", "-e", "write:error=EIO:caller=callers.c\\:" + std::to_string(line)},
               {program("callers"), dir_ / "out", "2"});
    EXPECT_EQ(r.out, callers_output(2, {{"save_config", 0}})) << describe(r);
    // The whole file: both callers are in it.
    const auto both = inject({"-q", "-e", "write:error=EIO:caller=callers.c"},
                             {program("callers"), dir_ / "out", "1"});
    EXPECT_EQ(both.out, callers_output(1, {{"save_config", 0}, {"save_journal", 0}}));
}

TEST_P(CallersTest, ThreadsThatInterleaveDifferentlyFailTheSameCalls) {
    for (int run = 0; run < 20; ++run) {
        const auto r = inject({"-q", "-e", "write:error=EIO:caller=save_config:when=3"},
                              {program("thread_callers"), dir_ / "out", "4"});
        ASSERT_EQ(r.exit_status, 1) << describe(r);
        ASSERT_NE(r.out.find("save_config write 3: EIO\n"), std::string::npos) << r.out;
        ASSERT_EQ(count_occurrences(r.out, "EIO"), 1u) << r.out;
    }
}

TEST_P(CallersTest, ACallerThatNeverMatchesIsNoErrorAndTheSummarySaysSo) {
    const auto r = inject({"-e", "write:error=EIO:caller=no_such_function"},
                          {program("callers"), dir_ / "out", "1"});
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_NE(r.err.find("inject: rule 1 never matched (no call it names passed its filters): "
                         "write:error=EIO:caller=no_such_function\n"),
              std::string::npos)
        << r.err;
}

TEST_P(CallersTest, ABadCallerIsRefusedBeforeTheProgramRuns) {
    for (const auto& [spec, message] :
         {std::pair<std::string, std::string>{"write:error=EIO:caller=", "caller"},
          {"write:error=EIO:caller=notes.cpp\\:4x", "4x"}}) {
        const auto r = inject({"-e", spec}, {program("callers"), dir_ / "marker", "1"});
        EXPECT_EQ(r.exit_status, 125) << describe(r);
        EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
        EXPECT_FALSE(std::filesystem::exists(dir_ / "marker"));
    }
}

// The stacks of a log (inject -k or strace -k): the frame lines after each write's line (a log
// without the filter has every call; the frames of the others are left out with them). strace
// -f -o pads a pid to five columns: "6754  write(", "16754 write(".
std::vector<std::vector<std::string>> logged_stacks(const std::string& log) {
    static const std::regex write_call(R"(^(\[pid \d+\] |\d+ +)?write\()");
    std::vector<std::vector<std::string>> stacks;
    bool in_write = false;
    for (const std::string& line : split_lines(log)) {
        if (!line.starts_with(" > ")) {
            in_write = std::regex_search(line, write_call);
            if (in_write) {
                stacks.emplace_back();
            }
        } else if (in_write) {
            stacks.back().push_back(line);
        }
    }
    return stacks;
}

// " > MODULE(...) [0xOFFSET]" -> "MODULE [0xOFFSET]": what every frame must agree on; the
// names of the C library's frames depend on which debug files the tool reads.
std::string module_and_offset(const std::string& line) {
    return line.substr(0, line.find('(')) + line.substr(line.rfind(' '));
}

TEST_P(CallersTest, StacksInTheLogAreTheFramesStraceKShows) {
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    const std::string ours = dir_ / "inject.log";
    const std::string theirs = dir_ / "strace.log";
    const auto by_inject = inject({"-q", "-k", "-o", ours, "-e", "write:error=EIO:when=1000"},
                                  {program("callers"), dir_ / "out", "2"});
    ASSERT_EQ(by_inject.exit_status, 0) << describe(by_inject);
    const auto by_strace = run_command({*strace, "-f", "-k", "-e", "trace=write", "-o", theirs,
                                        program("callers"), dir_ / "out", "2"});
    ASSERT_EQ(by_strace.exit_status, 0) << describe(by_strace);
    const auto expected = logged_stacks(read_file(theirs));
    const auto stacks = logged_stacks(read_file(ours));
    ASSERT_EQ(stacks.size(), 4u) << read_file(ours);
    ASSERT_EQ(stacks.size(), expected.size()) << read_file(theirs);
    for (std::size_t index = 0; index < stacks.size(); ++index) {
        ASSERT_EQ(stacks[index].size(), expected[index].size()) << read_file(ours);
        for (std::size_t depth = 0; depth < stacks[index].size(); ++depth) {
            const std::string& line = stacks[index][depth];
            if (line.starts_with(" > " + program("callers") + "(")) {
                EXPECT_EQ(line, expected[index][depth]);
            } else {
                EXPECT_EQ(module_and_offset(line), module_and_offset(expected[index][depth]));
            }
        }
    }
}

TEST_P(CallersTest, DashKNeedsALog) {
    const auto r = inject({"-k", "-e", "write:error=EIO"}, {program("callers"), dir_ / "m", "1"});
    EXPECT_EQ(r.exit_status, 125) << describe(r);
    EXPECT_EQ(r.err, "inject: -k needs -o FILE: the stacks follow the calls in the syscall log\n");
}

}  // namespace
}  // namespace inject::testing
