// Hostile tracees: a program whose data would forge a line of inject's log or put escape
// sequences on the terminal, run with arguments that quote, substitute, break lines and are
// not UTF-8. inject's messages, the syscall log, the JSON report and the JUnit XML stay well
// formed, and the replay line, run by sh, gives the program the same argv again.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kHostileArguments{"it's \"quoted\"",
                                                 "$(touch pwned)`touch pwned`",
                                                 "two\nlines",
                                                 "\xff\xfe not UTF-8",
                                                 "",
                                                 "\ttab",
                                                 "\x1b[2J\x1b]0;title\x07",
                                                 "caf\xc3\xa9",
                                                 "-n",
                                                 "%s\\n"};

// No byte a terminal would act on: no C0 control but the newlines between lines, no DEL.
bool is_plain_text(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\n') || byte == 0x7f) {
            return false;
        }
    }
    return true;
}

class HostileTraceeTest : public ::testing::Test {
  protected:
    std::vector<std::string> command() const {
        std::vector<std::string> argv{program("hostile")};
        argv.insert(argv.end(), kHostileArguments.begin(), kHostileArguments.end());
        return argv;
    }

    CommandResult run_inject() const {
        std::vector<std::string> argv{inject_binary(),
                                      "-o",
                                      dir_ / "log",
                                      "--report",
                                      dir_ / "report.json",
                                      "--junit",
                                      dir_ / "junit.xml",
                                      "-e",
                                      "write:error=EIO:when=1",
                                      "-e",
                                      "openat:error=EACCES:path=/tmp/**",
                                      "--"};
        const std::vector<std::string> program = command();
        argv.insert(argv.end(), program.begin(), program.end());
        return run_command(argv, kRunTimeout);
    }

    TempDir dir_;
};

TEST_F(HostileTraceeTest, MessagesAndTheLogStayPlainLines) {
    const auto r = run_inject();
    ASSERT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_TRUE(is_plain_text(r.err)) << r.err;
    const std::string log = read_file(dir_ / "log");
    EXPECT_TRUE(is_plain_text(log));
    int injected = 0;
    for (const std::string& line : split_lines(log)) {
        // "[pid N] name(...) = ...": nothing the program wrote starts a line of its own.
        const std::size_t bracket = line.find("] ");
        EXPECT_TRUE(line.starts_with("[pid ") && bracket != std::string::npos && bracket > 5 &&
                    line.find_first_not_of("0123456789", 5) == bracket)
            << line;
        injected += line.ends_with(" (INJECTED)");
    }
    EXPECT_EQ(injected, 2) << log;
}

TEST_F(HostileTraceeTest, TheReportAndTheJunitXmlParse) {
    const auto r = run_inject();
    ASSERT_EQ(r.exit_status, 0) << describe(r);
    const auto report = nlohmann::json::parse(read_file(dir_ / "report.json"));
    EXPECT_EQ(report["injections_total"], 2);
    const auto xmllint = run_command({"xmllint", "--noout", dir_ / "junit.xml"}, kRunTimeout);
    EXPECT_EQ(xmllint.exit_status, 0) << xmllint.err;
}

TEST_F(HostileTraceeTest, TheReplayLineIsOneLineAndRerunsTheSameArgv) {
    const auto bare = run_command(command(), kRunTimeout);
    ASSERT_EQ(bare.exit_status, 0) << describe(bare);
    const auto r = run_inject();
    ASSERT_EQ(r.exit_status, 0) << describe(r);
    std::string replay;
    for (const std::string& line : split_lines(r.err)) {
        if (line.starts_with("inject: replay: inject ")) {
            replay = line.substr(std::string_view("inject: replay: inject").size());
        }
    }
    ASSERT_FALSE(replay.empty()) << r.err;
    // Run from an empty directory: a substitution that ran would leave "pwned" there.
    fs::create_directory(dir_ / "cwd");
    const auto again = run_command(
        {"sh", "-c", "cd " + (dir_ / "cwd") + " && exec '" + inject_binary() + "' -q" + replay},
        kRunTimeout);
    EXPECT_EQ(again.exit_status, 0) << describe(again);
    EXPECT_EQ(again.out, bare.out) << "the program got another argv";
    EXPECT_FALSE(fs::exists(dir_.path() / "cwd" / "pwned"));
}

}  // namespace
}  // namespace inject::testing
