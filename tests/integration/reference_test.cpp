// --help, the man page and the bash completion are three lists of the same options and fault
// keys; each test here fails when one of them misses one that another has. The completion is
// also run as bash runs it, with and without the bash-completion package.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace {

namespace it = inject::testing;
using Names = std::set<std::string>;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(line);
    }
    return lines;
}

// What one list has and the other lacks, for the failure message.
std::string difference(const std::string& name_a, const Names& a, const std::string& name_b,
                       const Names& b) {
    std::string text;
    for (const auto& [from, missing_in, has, lacks] :
         {std::tuple{&name_a, &name_b, &a, &b}, std::tuple{&name_b, &name_a, &b, &a}}) {
        std::vector<std::string> only;
        std::set_difference(has->begin(), has->end(), lacks->begin(), lacks->end(),
                            std::back_inserter(only));
        for (const std::string& name : only) {
            text += "  " + name + ": in " + *from + ", not in " + *missing_in + "\n";
        }
    }
    return text;
}

std::string help_text() {
    const it::CommandResult help = it::run_command({it::inject_binary(), "--help"});
    EXPECT_EQ(help.exit_status, 0) << help.err;
    return help.out;
}

// "  -s [ --scenario ] FILE  ..." and "  --seed N  ...", as Boost.Program_options prints them.
Names help_options() {
    static const std::regex option(R"(^  (?:-([A-Za-z]) \[ --([a-z][a-z-]*) \]|--([a-z][a-z-]*)))");
    Names names;
    for (const std::string& line : lines_of(help_text())) {
        std::smatch match;
        if (!std::regex_search(line, match, option)) {
            continue;
        }
        if (match[1].matched) {
            names.insert("-" + match[1].str());
            names.insert("--" + match[2].str());
        } else {
            names.insert("--" + match[3].str());
        }
    }
    return names;
}

// The -e description names the keys: "... with error, retval, short, ..., process; ...".
Names help_keys() {
    std::string description;
    bool in_inject = false;
    for (const std::string& line : lines_of(help_text())) {
        if (line.starts_with("  -")) {
            in_inject = line.find("--inject ]") != std::string::npos;
        }
        if (in_inject) {
            description += line + " ";
        }
    }
    const auto with = description.find(" with ");
    const auto end = description.find(';', with);
    EXPECT_NE(with, std::string::npos) << "no key list in the --inject help: " << description;
    static const std::regex word("[a-z_]+");
    Names names;
    const std::string list = description.substr(with + 6, end - with - 6);
    for (std::sregex_iterator match(list.begin(), list.end(), word), last; match != last; ++match) {
        names.insert(match->str());
    }
    return names;
}

// The tag lines of the man page's .TP entries (the line after .TP), with "\-" read as "-",
// in the sections (.SH) and subsections (.SS) whose title is one of `titles`: a section with
// all its subsections.
std::vector<std::string> man_tags(const std::set<std::string>& titles) {
    std::vector<std::string> tags;
    std::string section;
    std::string subsection;
    bool after_tp = false;
    for (const std::string& line : lines_of(it::read_file(INJECT_MAN_PAGE))) {
        if (line.starts_with(".SH ")) {
            section = line.substr(4);
            subsection.clear();
        } else if (line.starts_with(".SS ")) {
            subsection = line.substr(4);
        } else if (after_tp && (titles.contains(section) || titles.contains(subsection))) {
            std::string tag;
            for (std::size_t i = 0; i < line.size(); ++i) {
                if (line[i] != '\\' || i + 1 == line.size() || line[i + 1] != '-') {
                    tag += line[i];
                }
            }
            tags.push_back(tag);
        }
        after_tp = line == ".TP";
    }
    return tags;
}

Names man_options() {
    static const std::regex option(R"((^|[\s"])(--[a-z][a-z-]*|-[A-Za-z])(?=[\s"]|$))");
    Names names;
    for (const std::string& tag : man_tags({"OPTIONS"})) {
        for (std::sregex_iterator match(tag.begin(), tag.end(), option), last; match != last;
             ++match) {
            names.insert((*match)[2].str());
        }
    }
    return names;
}

// ".BI error= ERRNO", ".BR per= tree | process | thread".
Names man_keys() {
    static const std::regex key(R"(^\.B[IR]? ([a-z_]+)=)");
    Names names;
    for (const std::string& tag : man_tags({"Filtering", "Tampering"})) {
        std::smatch match;
        if (std::regex_search(tag, match, key)) {
            names.insert(match[1].str());
        }
    }
    return names;
}

// Where complete.bash loads the bash-completion framework from.
constexpr const char* kBashCompletion = "/usr/share/bash-completion/bash_completion";

// What the completion offers for a command line, its cursor at the end.
std::vector<std::string> complete(const std::string& mode, const std::string& line) {
    const it::CommandResult run =
        it::run_command({"bash", INJECT_COMPLETE_SCRIPT, INJECT_BASH_COMPLETION, mode, line});
    EXPECT_EQ(run.exit_status, 0) << run.err;
    EXPECT_EQ(run.err, "");
    return lines_of(run.out);
}

Names completion_options() {
    Names names;
    for (const std::string& candidate : complete("plain", it::inject_binary() + " -")) {
        if (candidate != "--") {
            names.insert(candidate);
        }
    }
    return names;
}

// After "write:" every key is offered (write has a byte count, so short= too).
Names completion_keys() {
    Names names;
    for (const std::string& candidate : complete("plain", it::inject_binary() + " -e write:")) {
        names.insert(candidate.substr(0, candidate.find('=')));
    }
    return names;
}

TEST(Reference, HelpManPageAndCompletionListTheSameOptions) {
    const Names help = help_options();
    ASSERT_TRUE(help.contains("--scenario") && help.contains("-s") && help.contains("--seed"))
        << "the --help format changed: " << help_text();
    const Names man = man_options();
    const Names completion = completion_options();
    EXPECT_EQ(help, man) << difference("--help", help, "inject.1", man);
    EXPECT_EQ(help, completion) << difference("--help", help, "the completion", completion);
}

TEST(Reference, HelpManPageAndCompletionListTheSameFaultKeys) {
    const Names help = help_keys();
    ASSERT_TRUE(help.contains("error") && help.contains("process")) << help_text();
    const Names man = man_keys();
    const Names completion = completion_keys();
    EXPECT_EQ(help, man) << difference("--help", help, "inject.1", man);
    EXPECT_EQ(help, completion) << difference("--help", help, "the completion", completion);
    // And each is a key inject takes: the lists could agree on a word that is none.
    for (const std::string& key : help) {
        const it::CommandResult check =
            it::run_command({it::inject_binary(), "--check", "-e", "write:" + key + "=x"});
        EXPECT_EQ(check.err.find("unknown key"), std::string::npos) << key << ": " << check.err;
    }
}

// The parameter: "plain" (bash alone) or "framework" (with the bash-completion package).
class Completion : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        if (GetParam() == "framework" && !std::filesystem::exists(kBashCompletion)) {
            GTEST_SKIP() << "the bash-completion package is not installed";
        }
    }
    static std::vector<std::string> offers(const std::string& words) {
        return complete(GetParam(), it::inject_binary() + " " + words);
    }
    static bool offers(const std::string& words, const std::string& candidate) {
        const std::vector<std::string> all = offers(words);
        return std::find(all.begin(), all.end(), candidate) != all.end();
    }
};

TEST_P(Completion, CompletesOptionsAndScenarioFiles) {
    EXPECT_EQ(offers("--scen"), std::vector<std::string>{"--scenario"});
    const it::TempDir dir;
    it::write_file(dir / "disk-full.toml", "");
    it::write_file(dir / "notes.txt", "");
    EXPECT_EQ(offers("-s " + (dir / "d")), std::vector<std::string>{dir / "disk-full.toml"});
}

TEST_P(Completion, CompletesSyscallsClassesAndErrnos) {
    EXPECT_TRUE(offers("-e fsyn", "fsync"));
    EXPECT_TRUE(offers("-e write,fsyn", "write,fsync"));
    for (const char* name :
         {"%file", "%desc", "%net", "%process", "%memory", "%signal", "%ipc", "%creds", "%clock"}) {
        EXPECT_TRUE(offers("-e %", name)) << name;
    }
    EXPECT_EQ(offers("-e write,%ne"), std::vector<std::string>{"write,%net"});
    EXPECT_TRUE(offers("-e write:error=ENOS", "ENOSPC"));
    EXPECT_TRUE(offers("-e write:per=", "thread"));
}

TEST_P(Completion, OffersShortOnlyAfterCallsWithAByteCount) {
    EXPECT_TRUE(offers("-e write:", "short="));
    EXPECT_TRUE(offers("-e read,writev:", "short="));
    EXPECT_TRUE(offers("-e %desc:", "short="));  // a class: its members with a byte count
    EXPECT_TRUE(offers("-e write:", "error="));
    EXPECT_FALSE(offers("-e fsync:", "short="));
    EXPECT_FALSE(offers("-e write,fsync:", "short="));
    EXPECT_FALSE(offers("-e %process:", "short="));
    EXPECT_TRUE(offers("-e fsync:", "error="));
}

TEST_P(Completion, CompletesStracesQualifiersAndTamperingValues) {
    EXPECT_TRUE(offers("-e fau", "fault="));
    EXPECT_TRUE(offers("-e tra", "trace="));
    EXPECT_TRUE(offers("-e trace=%fi", "%file"));
    EXPECT_TRUE(offers("-e !wri", "!write"));
    // -e fault= takes only failures: no retval=, signal= or short=.
    EXPECT_TRUE(offers("-e fault=write:", "error="));
    EXPECT_FALSE(offers("-e fault=write:", "retval="));
    EXPECT_FALSE(offers("-e fault=write:", "short="));
    EXPECT_TRUE(offers("-e write:syscall=", "gettid"));
    EXPECT_FALSE(offers("-e write:syscall=", "getuid32"));  // i386's only
    EXPECT_TRUE(offers("-e write:signal=SIGRT_", "SIGRT_1"));
    EXPECT_FALSE(offers("-e write:signal=SIGRTMIN", "SIGRTMIN+1"));  // bash's numbering
    EXPECT_TRUE(offers("-e write:poke_enter=", "@arg1="));
}

TEST_P(Completion, HandsTheProgramToItsOwnCompletion) {
    EXPECT_TRUE(offers("-e write:error=EIO -- ech", "echo"));
    const it::TempDir dir;
    it::write_file(dir / "input.txt", "");
    EXPECT_EQ(offers("-e write:error=EIO -- cat " + (dir / "inp")),
              std::vector<std::string>{dir / "input.txt"});
}

INSTANTIATE_TEST_SUITE_P(Bash, Completion, ::testing::Values("plain", "framework"),
                         [](const ::testing::TestParamInfo<std::string>& mode) {
                             return mode.param == "plain" ? "WithoutBashCompletion"
                                                          : "WithBashCompletion";
                         });

}  // namespace
