// Regressions of the parser-level defects that fuzzing and hostile input found (issue 15):
// every input is accepted or refused with one line that has a location, in bounded time and
// memory, and nothing is used other than as it was checked.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "inject/names.hpp"
#include "inject/scenario.hpp"
#include "report/expectations.hpp"
#include "scenario_error.hpp"
#include "trace/unique_fd.hpp"

namespace inject {
namespace {

using testing::error_of;

std::string spec_error(std::string_view spec) {
    try {
        parse_spec(spec);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

bool has_control_character(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            return true;
        }
    }
    return false;
}

// --- 1: a deep regex crashed the std::regex compiler (SIGSEGV) -------------------------------

std::string nested_regex(std::size_t depth) {
    return std::string(depth, '(') + "a" + std::string(depth, ')');
}

// RE2 parses, compiles and matches with explicit stacks: depth costs it nothing.
TEST(Issue15DeepRegex, IsSearchedWithoutCrashing) {
    const Scenario s =
        parse_scenario("[expect]\nstdout = \"/" + nested_regex(20'000) + "/\"\n", "s.toml");
    ASSERT_TRUE(s.expect && s.expect->stdout_text);
    EXPECT_TRUE(report::text_found(*s.expect->stdout_text, "xay"));
    EXPECT_FALSE(report::text_found(*s.expect->stdout_text, "xy"));
}

TEST(Issue15DeepRegex, AnOverlongPatternIsRefused) {
    const std::string pattern(report::kMaxRegexLength + 1, 'a');
    const std::string message = error_of("[expect]\nstderr = \"/" + pattern + "/\"\n");
    EXPECT_EQ(message, "s.toml:2:10: invalid regex /" + std::string(80, 'a') +
                           ".../: regex is 65537 bytes long, more than the 65536 inject reads");
}

TEST(Issue15DeepRegex, APatternTooLargeCompiledIsRefused) {
    // Small to write, far over the memory bound once its repetitions are expanded.
    const std::string message = error_of("[expect]\nstdout = \"/((a{100}){100}){100}/\"\n");
    EXPECT_TRUE(message.starts_with("s.toml:2:10: invalid regex /((a{100}){100}){100}/: "))
        << message;
}

// --- 2: the search had no time bound (98 s for 38 bytes), in a child that could outlive inject

// A syscall set's regex, as strace's -e trace=/REGEX: glibc's regcomp took memory exponential
// in a run of quantifiers (the fuzzer's "writezer" and 56 '+' took 23 GB); RE2 reads the run as
// ERE does ("a++" is "a+") in bounded memory.
TEST(Issue10SyscallRegex, ARunOfQuantifiersIsReadInBoundedMemory) {
    const std::string pattern = "writezer" + std::string(56, '+');
    EXPECT_EQ(testing::spec_error_of("/" + pattern + ":error=EIO"),
              "--inject /" + pattern + ":error=EIO: regex \"" + pattern + "\" matches no syscall");
    EXPECT_EQ(testing::spec_error_of("/^wri+++te$:error=EIO"), "no error");
}

// "?" makes an element that names nothing no mistake, so any bytes get as far as the
// messages about the whole set.
TEST(Issue10SyscallSet, ElementsInAMessageAreEscaped) {
    EXPECT_EQ(testing::spec_error_of("chdir,?\xfe\x9b:path=/a:error=EIO"), "no error");
    EXPECT_EQ(testing::spec_error_of("getpid,?\xfe\x9b:path=/a:error=EIO"),
              "--inject getpid,?\\xfe\\x9b:path=/a:error=EIO: \"path\" never matches: getpid, "
              "?\\xfe\\x9b take no path or file descriptor");
}

// RE2's message quotes the pattern raw: it is escaped, as every echoed value.
TEST(Issue10SyscallRegex, TheMessageOfABadPatternIsOneSafeLine) {
    EXPECT_EQ(testing::spec_error_of("/a\x7f\x1b)"),
              "--inject /a\\x7f\\x1b): invalid regex \"a\\x7f\\x1b)\": unexpected ): "
              "a\\x7f\\x1b)");
}

TEST(Issue10SyscallRegex, APatternTooLargeCompiledIsRefused) {
    const std::string message = testing::spec_error_of("/((a{100}){100}){100}:error=EIO");
    EXPECT_NE(message.find("invalid regex \"((a{100}){100}){100}\": "), std::string::npos)
        << message;
}

TEST(Issue15RegexSearch, BacktrackingPatternsTakeLinearTime) {
    // A backtracking engine takes 2^n steps here: at n = 5000 it would never finish.
    const std::string output = std::string(5000, 'a') + "\n";
    EXPECT_FALSE(report::text_found(TextExpectation{"(a|aa)*c", true}, output));
    EXPECT_TRUE(report::text_found(TextExpectation{"^(a|aa)*$", true}, output));
    EXPECT_FALSE(report::text_found(TextExpectation{"(a*)*b", true}, std::string(5000, 'a')));
}

TEST(Issue15RegexSearch, MultiLineAsGrep) {
    EXPECT_TRUE(report::text_found(TextExpectation{"^ok$", true}, "start\nok\nend\n"));
    EXPECT_FALSE(report::text_found(TextExpectation{"^ok$", true}, "not ok\n"));
    EXPECT_TRUE(report::text_found(TextExpectation{"\\d+ bytes", true}, "wrote 12 bytes\n"));
}

// --- 5: messages were not always one line, and an ESC reached the terminal raw ---------------

TEST(Issue15OneLine, ScenarioValuesAreEscaped) {
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"wr\\nte\"\nerror = \"EIO\"\n"),
              "s.toml:2:11: unknown syscall \"wr\\nte\" (did you mean \"write\"?)");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"\\u001b[2J\"\nerror = \"EIO\"\n"),
              "s.toml:2:11: unknown syscall \"\\x1b[2J\"");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"write\"\nerror = \"E\\nIO\"\n"),
              "s.toml:3:9: unknown errno \"E\\nIO\" (did you mean \"EIO\"?)");
    EXPECT_EQ(error_of("\"a\\u001b]0;x\\u0007\" = 1\n"),
              "s.toml:1:1: unknown key \"a\\x1b]0;x\\x07\"");
}

TEST(Issue15OneLine, TomlParseErrorsAreOneLine) {
    // toml++ quotes the character it stopped at: here a newline.
    EXPECT_EQ(error_of("seed = n\n"),
              "s.toml:1:9: Error while parsing floating-point: expected 'nan', saw 'n\\n'");
    for (const char* toml : {"seed = n\n", "a = 'x\x1b[2J\n", "a = \"\xff\"\n", "\x1b = 1\n"}) {
        const std::string message = error_of(toml);
        EXPECT_TRUE(message.starts_with("s.toml:1:")) << message;
        EXPECT_FALSE(has_control_character(message)) << message;
    }
}

TEST(Issue15OneLine, SpecsAreEscaped) {
    EXPECT_EQ(spec_error("write:error=E\nIO"),
              "--inject write:error=E\\nIO: unknown errno \"E\\nIO\" (did you mean \"EIO\"?)");
    EXPECT_EQ(spec_error("\x1b[2J:error=EIO"),
              "--inject \\x1b[2J:error=EIO: unknown syscall \"\\x1b[2J\"");
    for (const char* spec : {"write:path=/tmp/\x1b[0m", "write:when=\n", "w\rite:error=EIO",
                             "write:delay=1\x7fs", "write:signal=\xc2\x9b"}) {
        const std::string message = spec_error(spec);
        EXPECT_TRUE(message.starts_with("--inject ")) << message;
        EXPECT_FALSE(has_control_character(message)) << message;
    }
}

TEST(Issue15OneLine, FileNamesInLocationsAreEscaped) {
    try {
        parse_scenario("x = 1\n", "s\n\x1b.toml");
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_STREQ(e.what(), "s\\n\\x1b.toml:1:1: unknown key \"x\"");
    }
}

// --- 7: -s /dev/zero aborted with an uncaught std::bad_alloc ----------------------------------

std::string file_error(const std::filesystem::path& path) {
    try {
        load_scenario_file(path);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

TEST(Issue15ScenarioFile, DevicesAreRefusedUnread) {
    EXPECT_EQ(file_error("/dev/zero"),
              "/dev/zero: cannot read scenario: not a regular file (a device or a socket)");
    EXPECT_EQ(file_error("/dev/null"),
              "/dev/null: cannot read scenario: not a regular file (a device or a socket)");
}

class Issue15ScenarioFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::path(::testing::TempDir()) /
               ("inject_hostile_" +
                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(Issue15ScenarioFiles, SocketsAreRefused) {
    const std::filesystem::path path = dir_ / "s.sock";
    const trace::UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.string().copy(address.sun_path, sizeof address.sun_path - 1);
    ASSERT_EQ(::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(file_error(path), path.string() +
                                    ": cannot read scenario: not a regular file (a device or a "
                                    "socket)");
}

TEST_F(Issue15ScenarioFiles, MoreThan16MiBIsRefused) {
    const std::filesystem::path path = dir_ / "big.toml";
    {
        std::ofstream out(path);
        const std::string comment = "# " + std::string(1022, 'x') + "\n";
        for (int kib = 0; kib < 16 * 1024 + 1; ++kib) {
            out << comment;
        }
    }
    EXPECT_EQ(
        file_error(path),
        path.string() + ": cannot read scenario: larger than 16 MiB, too large for a scenario");
}

TEST_F(Issue15ScenarioFiles, APipeIsReadAsProcessSubstitutionGivesIt) {
    const std::filesystem::path path = dir_ / "fifo";
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    const pid_t writer = ::fork();
    ASSERT_GE(writer, 0);
    if (writer == 0) {
        std::ofstream(path) << "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n";
        ::_exit(0);
    }
    const Scenario s = load_scenario_file(path);
    EXPECT_EQ(s.rules.size(), 1u);
    int status = 0;
    ::waitpid(writer, &status, 0);
}

// --- 8: a long unknown name took minutes to refuse (an edit distance to every name) ----------

TEST(Issue15LongNames, GetNoSuggestionAtOnce) {
    const std::string name(1 << 20, 'w');
    const std::string message = spec_error(name + ":error=EIO");
    EXPECT_TRUE(message.ends_with(": unknown syscall \"" + name + "\"")) << message.substr(0, 80);
    EXPECT_EQ(nearest_word(std::string(kLongestSuggestedWord, 'a'), {"a"}), std::nullopt);
    EXPECT_EQ(nearest_word(std::string(kLongestSuggestedWord - 1, 'a'),
                           {std::string(kLongestSuggestedWord - 2, 'a')}),
              std::string(kLongestSuggestedWord - 2, 'a'));
}

TEST(Issue15LongNames, PruningByLengthKeepsTheNearest) {
    // "wrte" is one edit from "write"; the longer and the shorter names are further.
    EXPECT_EQ(nearest_word("wrte", {"w", "writev", "write", "pwrite64"}), "write");
    EXPECT_EQ(nearest_word("openat22", {"openat2", "open", "openat"}), "openat2");
}

// --- 9: a NUL byte in a glob was accepted and cut it short ------------------------------------

TEST(Issue15NulBytes, AreRefusedInEveryStringAndKey) {
    EXPECT_EQ(
        error_of("[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\npath = \"/tmp/x\\u0000y\"\n"),
        "s.toml:4:8: \"path\" holds a NUL byte (\\u0000), where the value would end");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = [\"read\", \"write\\u0000x\"]\nerror = \"EIO\"\n"),
              "s.toml:2:20: \"syscall\" holds a NUL byte (\\u0000), where the value would end");
    EXPECT_EQ(error_of("description = \"a\\u0000\"\n"),
              "s.toml:1:15: \"description\" holds a NUL byte (\\u0000), where the value would end");
    EXPECT_EQ(error_of("[expect]\nstdout = \"ok\\u0000\"\n"),
              "s.toml:2:10: \"stdout\" holds a NUL byte (\\u0000), where the value would end");
    EXPECT_EQ(error_of("\"a\\u0000b\" = 1\n"),
              "s.toml:1:1: key \"a\\x00b\" holds a NUL byte (\\u0000), where the value would end");
}

}  // namespace
}  // namespace inject
