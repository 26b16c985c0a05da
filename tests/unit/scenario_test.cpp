// TOML scenarios: the rules they give, and the exact one-line message of each mistake,
// located at the node it is about.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "inject/scenario.hpp"
#include "scenario_error.hpp"

namespace inject {
namespace {

constexpr std::uint64_t kMax = When::kNoLast;

using testing::error_of;

// A [[fault]] table with one key changed; the key under test sits on line 3.
std::string fault_with(std::string_view line) {
    return "[[fault]]\nsyscall = \"write\"\n" + std::string(line) + "\n";
}

TEST(Scenario, OneFault) {
    const Scenario s = parse_scenario(R"(description = "the disk fills up on the third write"
seed = 42

[[fault]]
syscall = "write"
error = "ENOSPC"
when = "3"
)",
                                      "enospc.toml");
    EXPECT_EQ(s.source, "enospc.toml");
    EXPECT_EQ(s.description, "the disk fills up on the third write");
    EXPECT_EQ(s.seed, 42u);
    ASSERT_EQ(s.rules.size(), 1u);
    const Rule& r = s.rules[0];
    EXPECT_EQ(r.syscalls.elements, (std::vector<std::string>{"write"}));
    EXPECT_EQ(r.effect.action, Action{FailWithErrno{28}});
    EXPECT_EQ(r.when, (When{3, 3, 1}));
    EXPECT_EQ(r.per, Scope::tree);
    EXPECT_EQ(r.origin, "enospc.toml:4:1");
}

TEST(Scenario, SeveralFaultsInFileOrder) {
    const Scenario s = parse_scenario(R"(
[[fault]]
syscall = ["write", "pwrite64", "write", "writev"]
error = 28

[[fault]]
syscall = "read"
retval = 0
when = 3
per = "process"

  [[fault]]
  syscall = ["openat"]
  error = "13"
  when = "2..10+4"
  per = "thread"

[[fault]]
syscall = "close"
retval = -4096
when = "2+"
per = "tree"
)",
                                      "multi.toml");
    EXPECT_EQ(s.description, "");
    EXPECT_EQ(s.seed, std::nullopt);
    ASSERT_EQ(s.rules.size(), 4u);

    EXPECT_EQ(s.rules[0].syscalls.elements,
              (std::vector<std::string>{"write", "pwrite64", "writev"}));
    EXPECT_EQ(s.rules[0].effect.action, Action{FailWithErrno{28}});
    EXPECT_EQ(s.rules[0].when, When{});
    EXPECT_EQ(s.rules[0].per, Scope::tree);
    EXPECT_EQ(s.rules[0].origin, "multi.toml:2:1");

    EXPECT_EQ(s.rules[1].syscalls.elements, (std::vector<std::string>{"read"}));
    EXPECT_EQ(s.rules[1].effect.action, Action{ReturnValue{0}});
    EXPECT_EQ(s.rules[1].when, (When{3, 3, 1}));
    EXPECT_EQ(s.rules[1].per, Scope::process);
    EXPECT_EQ(s.rules[1].origin, "multi.toml:6:1");

    EXPECT_EQ(s.rules[2].syscalls.elements, (std::vector<std::string>{"openat"}));
    EXPECT_EQ(s.rules[2].effect.action, Action{FailWithErrno{13}});
    EXPECT_EQ(s.rules[2].when, (When{2, 10, 4}));
    EXPECT_EQ(s.rules[2].per, Scope::thread);
    EXPECT_EQ(s.rules[2].origin, "multi.toml:12:3");

    EXPECT_EQ(s.rules[3].effect.action, Action{ReturnValue{-4096}});
    EXPECT_EQ(s.rules[3].when, (When{2, kMax, 1}));
    EXPECT_EQ(s.rules[3].per, Scope::tree);
    EXPECT_EQ(s.rules[3].origin, "multi.toml:18:1");
}

TEST(Scenario, InlineFaultTables) {
    const Scenario s = parse_scenario(
        "fault = [{ syscall = \"write\", error = \"EIO\" }, { syscall = \"read\", retval = 1 "
        "}]\n",
        "s.toml");
    ASSERT_EQ(s.rules.size(), 2u);
    EXPECT_EQ(s.rules[0].effect.action, Action{FailWithErrno{5}});
    EXPECT_EQ(s.rules[0].origin, "s.toml:1:10");
    EXPECT_EQ(s.rules[1].effect.action, Action{ReturnValue{1}});
}

TEST(Scenario, NoFaultIsValid) {
    EXPECT_TRUE(parse_scenario("", "s.toml").rules.empty());
    const Scenario s = parse_scenario("description = \"nothing yet\"\nseed = 0\n", "s.toml");
    EXPECT_TRUE(s.rules.empty());
    EXPECT_EQ(s.description, "nothing yet");
    EXPECT_EQ(s.seed, 0u);
    EXPECT_TRUE(parse_scenario("fault = []\n", "s.toml").rules.empty());
}

TEST(Scenario, FaultMustBeAnArrayOfTables) {
    EXPECT_EQ(error_of("[fault]\nsyscall = \"write\"\nerror = \"EIO\"\n"),
              "s.toml:1:1: \"fault\" must be an array of tables (did you mean [[fault]]?)");
    EXPECT_EQ(error_of("fault = 3\n"),
              "s.toml:1:9: \"fault\" must be an array of tables, not an integer");
    EXPECT_EQ(error_of("fault = [{ syscall = \"write\", error = \"EIO\" }, \"x\"]\n"),
              "s.toml:1:48: \"fault\" must be an array of tables, not a string");
}

TEST(Scenario, TopLevelKeys) {
    EXPECT_EQ(error_of("descripton = \"x\"\n"),
              "s.toml:1:1: unknown key \"descripton\" (did you mean \"description\"?)");
    EXPECT_EQ(error_of("seed = 1\n  sede = 2\n"),
              "s.toml:2:3: unknown key \"sede\" (did you mean \"seed\"?)");
    EXPECT_EQ(error_of("xyz = 1\n"), "s.toml:1:1: unknown key \"xyz\"");
    EXPECT_EQ(error_of("description = 3\n"),
              "s.toml:1:15: \"description\" must be a string, not an integer");
    EXPECT_EQ(error_of("seed = \"42\"\n"), "s.toml:1:8: \"seed\" must be an integer, not a string");
    EXPECT_EQ(error_of("seed = 4.2\n"),
              "s.toml:1:8: \"seed\" must be an integer, not a floating-point");
    EXPECT_EQ(error_of("seed = -1\n"), "s.toml:1:8: \"seed\" must not be negative, got -1");
}

TEST(Scenario, ExpectTable) {
    // Each key is tested in expect_test.cpp; here, that the table sits beside the faults.
    const Scenario s = parse_scenario(
        "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n[expect]\nexit_code = 1\n", "s.toml");
    ASSERT_TRUE(s.expect.has_value());
    EXPECT_EQ(s.expect->exit_code, 1);
    EXPECT_EQ(s.rules.size(), 1u);
    EXPECT_EQ(error_of("[expect]\nexit_cod = 1\n"),
              "s.toml:2:1: unknown key \"exit_cod\" (did you mean \"exit_code\"?)");
}

TEST(Scenario, TomlSyntaxErrorsKeepTomlppsDescription) {
    EXPECT_EQ(error_of("a = \n"),
              "s.toml:1:5: Error while parsing key-value pair: expected value, saw '\\n'");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"write\"\nsyscall = \"read\"\n"),
              "s.toml:3:11: Error while parsing key-value pair: cannot redefine existing string "
              "'syscall'");
}

TEST(Scenario, UnknownSyscall) {
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"wrte\"\nerror = \"EIO\"\n"),
              "s.toml:2:11: unknown syscall \"wrte\" (did you mean \"write\"?)");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"qqqqqqq\"\nerror = \"EIO\"\n"),
              "s.toml:2:11: unknown syscall \"qqqqqqq\"");
    // In a list, the element that is wrong.
    EXPECT_EQ(error_of("[[fault]]\nsyscall = [\"write\", \"wrte\"]\nerror = \"EIO\"\n"),
              "s.toml:2:21: unknown syscall \"wrte\" (did you mean \"write\"?)");
}

TEST(Scenario, SyscallForms) {
    EXPECT_EQ(error_of("[[fault]]\nsyscall = true\nerror = \"EIO\"\n"),
              "s.toml:2:11: \"syscall\" must be a string or an array of strings, not a boolean");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = [\"write\", 3]\nerror = \"EIO\"\n"),
              "s.toml:2:21: \"syscall\" must be a string or an array of strings, not an array "
              "holding an integer");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = []\nerror = \"EIO\"\n"),
              "s.toml:2:11: no syscall given");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"\"\nerror = \"EIO\"\n"),
              "s.toml:2:11: no syscall given");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = [\"write\", \"\"]\nerror = \"EIO\"\n"),
              "s.toml:2:21: empty syscall name in the list");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = [\"?enamat,\"]\nerror = \"EIO\"\n"),
              "s.toml:2:12: syscall name \"?enamat,\" holds \",\", which no syscall name has "
              "and a spec splits at");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"?a:b\"\nerror = \"EIO\"\n").substr(0, 38),
              "s.toml:2:11: syscall name \"?a:b\" holds");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = [\"write\", \"%nett\"]\nerror = \"EIO\"\n"),
              "s.toml:2:21: unknown syscall class \"%nett\" (did you mean \"%net\"?)");
}

// A string is a whole set in strace's syntax, as in a spec; an array's element is one element.
TEST(Scenario, SyscallSetsInStracesSyntax) {
    const auto syscalls_of = [](const std::string& value) {
        return parse_scenario("[[fault]]\nsyscall = " + value + "\nerror = \"EIO\"\n", "s")
            .rules.at(0)
            .syscalls;
    };
    EXPECT_EQ(syscalls_of("\"!write,close,\""), (SyscallNames{{"write", "close"}, true}));
    EXPECT_EQ(syscalls_of("[\"?nosuch\", \"/^wr\", \"write@64\", \"file\", \"1\"]"),
              (SyscallNames{{"?nosuch", "/^wr", "write@64", "file", "1"}, false}));
    EXPECT_EQ(syscalls_of("\"all\""), (SyscallNames{{"all"}, false}));
    EXPECT_EQ(syscalls_of("[\"none\"]"), (SyscallNames{{"none"}, false}));
    EXPECT_EQ(error_of("[[fault]]\nsyscall = [\"write\", \"/nosuch\"]\nerror = \"EIO\"\n"),
              "s.toml:2:21: regex \"nosuch\" matches no syscall");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"write,none\"\nerror = \"EIO\"\n"),
              "s.toml:2:11: \"none\" stands for no syscall: it cannot be listed with others");
}

// strace's tampering keys, under the same names but for syscall=, which is run_instead here.
TEST(Scenario, StracesTamperingKeys) {
    const Scenario s = parse_scenario(
        "[[fault]]\nsyscall = \"chdir\"\nretval = 42\nrun_instead = \"gettid\"\n"
        "poke_enter = \"@arg1=2f00\"\n\n[[fault]]\nsyscall = \"getcwd\"\n"
        "poke_exit = \"@arg1=5300,@arg2=00\"\n",
        "s.toml");
    ASSERT_EQ(s.rules.size(), 2U);
    EXPECT_EQ(s.rules[0].effect.instead, "gettid");
    EXPECT_EQ(s.rules[0].effect.poke_enter, (std::vector<Poke>{{1, {0x2f, 0}}}));
    EXPECT_EQ(to_spec(s.rules[0]), "chdir:retval=42:poke_enter=@arg1=2f00:syscall=gettid");
    EXPECT_EQ(s.rules[1].effect.action, Action{RunCall{}});  // a poke alone lets the call run
    EXPECT_EQ(s.rules[1].effect.poke_exit, (std::vector<Poke>{{1, {0x53, 0}}, {2, {0}}}));
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"chdir\"\nerror = 2\nrun_instead = \"write\"\n"),
              "s.toml:4:15: \"run_instead\" takes a call that changes nothing, which both ABIs "
              "have (getegid, geteuid, getgid, getpgrp, getpid, getppid, gettid, getuid), not "
              "\"write\"");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"chdir\"\nerror = 2\npoke_enter = \"@arg1\"\n"),
              "s.toml:4:14: invalid poke_enter \"@arg1\": expected @argN=HEXBYTES with N 1..7");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"chdir\"\nerror = 2\nrun_instead = 3\n"),
              "s.toml:4:15: \"run_instead\" must be a string, not an integer");
}

TEST(Scenario, SyscallOfEitherAbi) {
    const Scenario s =
        parse_scenario("[[fault]]\nsyscall = [\"newfstatat\", \"socketcall\"]\nerror = 1\n", "s");
    EXPECT_EQ(s.rules.at(0).syscalls.elements,
              (std::vector<std::string>{"newfstatat", "socketcall"}));
}

TEST(Scenario, Error) {
    EXPECT_EQ(error_of(fault_with("error = \"ENOSP\"")),
              "s.toml:3:9: unknown errno \"ENOSP\" (did you mean \"ENOSPC\"?)");
    EXPECT_EQ(parse_scenario(fault_with("error = \"enospc\""), "s").rules.at(0).effect.action,
              Action{FailWithErrno{ENOSPC}});
    EXPECT_EQ(error_of(fault_with("error = \"nothing-like-it\"")),
              "s.toml:3:9: unknown errno \"nothing-like-it\"");
    EXPECT_EQ(error_of(fault_with("error = 5000")),
              "s.toml:3:9: errno 5000 is out of range 1..4095");
    EXPECT_EQ(error_of(fault_with("error = \"5000\"")),
              "s.toml:3:9: errno 5000 is out of range 1..4095");
    EXPECT_EQ(error_of(fault_with("error = 0")), "s.toml:3:9: errno 0 is out of range 1..4095");
    EXPECT_EQ(error_of(fault_with("error = -5")), "s.toml:3:9: errno -5 is out of range 1..4095");
    // strace's reading lets blanks come first; a tab is shown escaped, as every echoed value.
    EXPECT_EQ(error_of(fault_with("error = \"\t0\"")),
              "s.toml:3:9: errno \\t0 is out of range 1..4095");
    EXPECT_EQ(error_of(fault_with("error = 2.5")),
              "s.toml:3:9: \"error\" must be a string or an integer, not a floating-point");
    EXPECT_EQ(error_of(fault_with("error = [\"EIO\"]")),
              "s.toml:3:9: \"error\" must be a string or an integer, not an array");
    EXPECT_EQ(parse_scenario(fault_with("error = 4095"), "s").rules.at(0).effect.action,
              Action{FailWithErrno{4095}});
    EXPECT_EQ(parse_scenario(fault_with("error = \"EACCES\""), "s").rules.at(0).effect.action,
              Action{FailWithErrno{13}});
}

TEST(Scenario, Retval) {
    EXPECT_EQ(error_of(fault_with("retval = \"0\"")),
              "s.toml:3:10: \"retval\" must be an integer, not a string");
    // As strace: -4095..-1 is an error return, and the program sees one.
    EXPECT_EQ(parse_scenario(fault_with("retval = -5"), "s").rules.at(0).effect.action,
              Action{ReturnValue{-5}});
    EXPECT_EQ(parse_scenario(fault_with("retval = 1234"), "s").rules.at(0).effect.action,
              Action{ReturnValue{1234}});
    EXPECT_EQ(parse_scenario(fault_with("retval = -4096"), "s").rules.at(0).effect.action,
              Action{ReturnValue{-4096}});
}

TEST(Scenario, When) {
    const std::string eio = "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n";
    EXPECT_EQ(parse_scenario(eio + "when = 3\n", "s").rules.at(0).when, (When{3, 3, 1}));
    EXPECT_EQ(parse_scenario(eio + "when = \"2+3\"\n", "s").rules.at(0).when, (When{2, kMax, 3}));
    EXPECT_EQ(error_of(eio + "when = \"abc\"\n"),
              "s.toml:4:8: invalid when \"abc\": expected N, N+, N+STEP, N..M, N..M+ or N..M+STEP");
    EXPECT_EQ(error_of(eio + "when = 0\n"),
              "s.toml:4:8: invalid when \"0\": calls are numbered from 1");
    EXPECT_EQ(error_of(eio + "when = -3\n"),
              "s.toml:4:8: invalid when \"-3\": expected N, N+, N+STEP, N..M, N..M+ or N..M+STEP");
    EXPECT_EQ(error_of(eio + "when = \"\"\n"), "s.toml:4:8: when is empty");
    EXPECT_EQ(error_of(eio + "when = \"5..3\"\n"),
              "s.toml:4:8: invalid when \"5..3\": the range ends before it starts");
    EXPECT_EQ(error_of(eio + "when = true\n"),
              "s.toml:4:8: \"when\" must be a string or an integer, not a boolean");
}

TEST(Scenario, Per) {
    const std::string eio = "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n";
    EXPECT_EQ(error_of(eio + "per = \"proces\"\n"),
              "s.toml:4:7: unknown per \"proces\" (did you mean \"process\"?)");
    EXPECT_EQ(error_of(eio + "per = \"everything\"\n"), "s.toml:4:7: unknown per \"everything\"");
    EXPECT_EQ(error_of(eio + "per = 1\n"), "s.toml:4:7: \"per\" must be a string, not an integer");
    EXPECT_EQ(error_of(eio + "per = { a = 1 }\n"),
              "s.toml:4:7: \"per\" must be a string, not a table");
}

TEST(Scenario, Probability) {
    const std::string eio = "[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n";
    EXPECT_EQ(parse_scenario(eio + "probability = 0.05\n", "s.toml").rules.at(0).probability, 0.05);
    EXPECT_EQ(parse_scenario(eio + "probability = 1\n", "s.toml").rules.at(0).probability, 1.0);
    EXPECT_EQ(parse_scenario(eio + "probability = 1.0\n", "s.toml").rules.at(0).probability, 1.0);
    EXPECT_EQ(parse_scenario(eio, "s.toml").rules.at(0).probability, std::nullopt);
    EXPECT_EQ(to_spec(parse_scenario(eio + "probability = 0.5\nwhen = 3\n", "s.toml").rules.at(0)),
              "write:error=EIO:when=3:probability=0.5");

    EXPECT_EQ(error_of(eio + "probability = 0\n"),
              "s.toml:4:15: a rule with probability 0 never fires: give a probability in (0, 1]");
    EXPECT_EQ(error_of(eio + "probability = 0.0\n"),
              "s.toml:4:15: a rule with probability 0 never fires: give a probability in (0, 1]");
    EXPECT_EQ(error_of(eio + "probability = -0.5\n"),
              "s.toml:4:15: probability -0.5 is out of range: give 0 < P <= 1");
    EXPECT_EQ(error_of(eio + "probability = 1.5\n"),
              "s.toml:4:15: probability 1.5 is out of range: give 0 < P <= 1");
    EXPECT_EQ(error_of(eio + "probability = 2\n"),
              "s.toml:4:15: probability 2 is out of range: give 0 < P <= 1");
    EXPECT_EQ(error_of(eio + "probability = nan\n"),
              "s.toml:4:15: probability nan is out of range: give 0 < P <= 1");
    EXPECT_EQ(error_of(eio + "probability = \"abc\"\n"),
              "s.toml:4:15: \"probability\" must be a number, not a string");
    EXPECT_EQ(error_of(eio + "probability = \"5%%\"\n"),
              "s.toml:4:15: \"probability\" must be a number, not a string");
}

TEST(Scenario, FilterKeys) {
    const Scenario s = parse_scenario(
        fault_with("error = \"EIO\"\npath = \"/tmp/**/x.log\"\nfd = 4\nprocess = \"app\""),
        "s.toml");
    ASSERT_EQ(s.rules.size(), 1U);
    EXPECT_EQ(s.rules[0].path, "/tmp/**/x.log");
    EXPECT_EQ(s.rules[0].fd, 4);
    EXPECT_EQ(s.rules[0].process, "app");
    EXPECT_EQ(to_spec(s.rules[0]), "write:error=EIO:path=/tmp/**/x.log:fd=4:process=app");

    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"getpid\"\nerror = \"EIO\"\npath = \"/x\"\n"),
              "s.toml:1:1: \"path\" never matches: getpid takes no path or file descriptor");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\npath = 3")),
              "s.toml:4:8: \"path\" must be a string, not an integer");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\nfd = \"3\"")),
              "s.toml:4:6: \"fd\" must be an integer, not a string");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\nfd = 1.5")),
              "s.toml:4:6: \"fd\" must be an integer, not a floating-point");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\nprocess = [\"a\"]")),
              "s.toml:4:11: \"process\" must be a string, not an array");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\nfd = -2")),
              "s.toml:4:6: fd -2 is negative: give a descriptor number 0 or more");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\npath = \"\"")),
              "s.toml:4:8: path is empty: give a glob such as \"/tmp/out/*\"");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\npath = \"/tmp/[x\"")),
              "s.toml:4:8: path \"/tmp/[x\" has an unclosed '[' (write \"\\[\" for a '[')");
    EXPECT_EQ(error_of(fault_with("error = \"EIO\"\nprocess = \"\"")),
              "s.toml:4:11: process is empty: give a program's name or a glob such as "
              "\"worker*\"");
}

TEST(Scenario, ShortKey) {
    const Scenario s = parse_scenario(fault_with("short = 10\nwhen = 2"), "s.toml");
    ASSERT_EQ(s.rules.size(), 1u);
    EXPECT_EQ(s.rules[0].effect.action, Action{ShortenTo{10}});
    EXPECT_EQ(to_spec(s.rules[0]), "write:short=10:when=2");
    // 0 is a real result: end of file for a read, nothing written for a write.
    EXPECT_EQ(parse_scenario(fault_with("short = 0"), "s.toml").rules[0].effect.action,
              Action{ShortenTo{0}});
    EXPECT_EQ(error_of(fault_with("short = -1")),
              "s.toml:3:9: short -1 is out of range: give a byte count 0..9223372036854775807");
    EXPECT_EQ(error_of(fault_with("short = \"10\"")),
              "s.toml:3:9: \"short\" must be an integer, not a string");
    EXPECT_EQ(error_of(fault_with("short = 1.5")),
              "s.toml:3:9: \"short\" must be an integer, not a floating-point");
    EXPECT_EQ(error_of(fault_with("shrot = 10")),
              "s.toml:3:1: unknown key \"shrot\" (did you mean \"short\"?)");
    EXPECT_EQ(error_of(fault_with("short = 10\ndelay = \"1s\"")),
              "s.toml:1:1: short cannot be combined with a delay");
}

TEST(Scenario, ShortNeedsCallsWithAByteCount) {
    // The message points at the name, wherever the key comes in the table.
    EXPECT_EQ(error_of("[[fault]]\nshort = 1\nsyscall = [\"write\", \"fsync\"]\n"),
              "s.toml:3:21: short applies to calls with a byte count; \"fsync\" has none");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"close\"\nshort = 1\n"),
              "s.toml:2:11: short applies to calls with a byte count; \"close\" has none");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"%clock\"\nshort = 1\n"),
              "s.toml:2:11: short applies to calls with a byte count; no call of \"%clock\" has "
              "one");
    const Scenario vectored = parse_scenario(
        "[[fault]]\nsyscall = [\"writev\", \"pwritev2\", \"recvfrom\", \"%desc\"]\nshort = 1\n",
        "s.toml");
    EXPECT_EQ(to_spec(vectored.rules[0]), "writev,pwritev2,recvfrom,%desc:short=1");
}

TEST(Scenario, SignalKey) {
    const Scenario alone = parse_scenario(fault_with("signal = \"kill\""), "s.toml");
    ASSERT_EQ(alone.rules.size(), 1u);
    EXPECT_EQ(alone.rules[0].effect.signal, SIGKILL);
    EXPECT_EQ(to_spec(alone.rules[0]), "write:signal=SIGKILL");
    const Scenario with_error =
        parse_scenario(fault_with("error = \"EIO\"\nsignal = 10"), "s.toml");
    EXPECT_EQ(to_spec(with_error.rules[0]), "write:error=EIO:signal=SIGUSR1");
    EXPECT_EQ(error_of(fault_with("signal = \"SIGKIL\"")),
              "s.toml:3:10: unknown signal \"SIGKIL\" (did you mean \"SIGKILL\"?)");
    EXPECT_EQ(error_of(fault_with("signal = 0")),
              "s.toml:3:10: signal 0 is out of range 1..64 (\"none\": no signal)");
    EXPECT_EQ(error_of(fault_with("signal = 1.5")),
              "s.toml:3:10: \"signal\" must be a string or an integer, not a floating-point");
}

TEST(Scenario, DelayKeys) {
    using std::chrono::milliseconds;
    const Scenario alone = parse_scenario(fault_with("delay = \"300ms\""), "s.toml");
    ASSERT_EQ(alone.rules.size(), 1u);
    EXPECT_EQ(alone.rules[0].effect.delay, milliseconds(300));
    EXPECT_EQ(alone.rules[0].effect.action, Action{RunCall{}});
    EXPECT_EQ(to_spec(alone.rules[0]), "write:delay=300ms");
    EXPECT_EQ(
        to_spec(parse_scenario(fault_with("delay = \"1s\"\nerror = \"EIO\""), "s.toml").rules[0]),
        "write:error=EIO:delay=1s");
    // strace's names take strace's format; an integer is microseconds.
    EXPECT_EQ(parse_scenario(fault_with("delay_enter = 300000"), "s.toml").rules[0].effect.delay,
              milliseconds(300));
    EXPECT_EQ(
        parse_scenario(fault_with("delay_exit = \"1.5ms\""), "s.toml").rules[0].effect.delay_exit,
        std::chrono::microseconds(1'500));

    EXPECT_EQ(error_of(fault_with("delay = 300")),
              "s.toml:3:9: \"delay\" must be a string such as \"50ms\", not an integer");
    EXPECT_EQ(error_of(fault_with("delay = \"5sec\"")),
              "s.toml:3:9: invalid delay \"5sec\": unknown unit \"sec\" (did you mean \"5s\"?)");
    EXPECT_EQ(error_of(fault_with("delay = \"1s\"\ndelay_enter = 5")),
              "s.toml:4:1: \"delay\" and \"delay_enter\" are the same wait, before the call: "
              "give one of them");
    EXPECT_EQ(error_of(fault_with("delay_exit = true")),
              "s.toml:3:14: \"delay_exit\" must be a string or an integer (microseconds), not a "
              "boolean");
}

TEST(Scenario, UnknownFaultKey) {
    EXPECT_EQ(error_of(fault_with("eror = \"EIO\"")),
              "s.toml:3:1: unknown key \"eror\" (did you mean \"error\"?)");
    EXPECT_EQ(error_of(fault_with("  probabilty = 0.5")),
              "s.toml:3:3: unknown key \"probabilty\" (did you mean \"probability\"?)");
    EXPECT_EQ(error_of(fault_with("description = \"x\"")),
              "s.toml:3:1: unknown key \"description\"");
}

TEST(Scenario, MissingActionOrSyscallPointsAtTheTable) {
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"write\"\n"),
              "s.toml:1:1: fault has no action: give error, retval, short, signal, delay, "
              "poke_enter or poke_exit");
    EXPECT_EQ(error_of("[[fault]]\nerror = \"EIO\"\n"), "s.toml:1:1: fault has no syscall");
    EXPECT_EQ(error_of("[[fault]]\n"), "s.toml:1:1: fault has no syscall");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"write\"\nerror = \"EIO\"\n\n  [[fault]]\n"
                       "syscall = \"read\"\nwhen = 2\n"),
              "s.toml:5:3: fault has no action: give error, retval, short, signal, delay, "
              "poke_enter or poke_exit");
}

TEST(Scenario, TwoActionsPointAtTheSecond) {
    // toml++ sorts keys; the message still names the one written second.
    // Named in the order written.
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"write\"\nretval = 0\nerror = \"EIO\"\n"),
              "s.toml:4:1: fault gives both retval and error: a fault takes one action");
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"write\"\nshort = 10\nerror = \"EIO\"\n"),
              "s.toml:4:1: fault gives both short and error: a fault takes one action");
    EXPECT_EQ(error_of("[[fault]]\nerror = \"EIO\"\nsyscall = \"write\"\n  retval = 0\n"),
              "s.toml:4:3: fault gives both error and retval: a fault takes one action");
}

TEST(Scenario, FirstMistakeInTheFileIsReported) {
    EXPECT_EQ(error_of("[[fault]]\nsyscall = \"wrte\"\nerror = \"ENOSP\"\n"),
              "s.toml:2:11: unknown syscall \"wrte\" (did you mean \"write\"?)");
    EXPECT_EQ(error_of("zzz = 1\n[[fault]]\nsyscall = \"wrte\"\n"),
              "s.toml:1:1: unknown key \"zzz\"");
}

TEST(Scenario, EveryMessageIsOneLine) {
    for (const char* toml : {"a = \"\n", "a = [1,\n", "[[fault]]\nsyscall = \"w\nrite\"\n",
                             "[fault]\n", "[[fault]]\n", "=\n"}) {
        const std::string message = error_of(toml);
        EXPECT_TRUE(message.starts_with("s.toml:")) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

class ScenarioFile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::path(::testing::TempDir()) /
               ("inject_scenario_" +
                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path write(const std::string& name, const std::string& text) {
        const std::filesystem::path path = dir_ / name;
        std::ofstream(path) << text;
        return path;
    }

    std::filesystem::path dir_;
};

TEST_F(ScenarioFile, LoadsAndNamesItsSource) {
    const std::filesystem::path path =
        write("enospc.toml", "description = \"d\"\n\n[[fault]]\nsyscall = \"write\"\nerror = 28\n");
    const Scenario s = load_scenario_file(path);
    EXPECT_EQ(s.source, path.string());
    EXPECT_EQ(s.description, "d");
    ASSERT_EQ(s.rules.size(), 1u);
    EXPECT_EQ(s.rules[0].origin, path.string() + ":3:1");
}

TEST_F(ScenarioFile, ErrorsNameTheFile) {
    const std::filesystem::path path = write("bad.toml", "[[fault]]\nsyscall = \"wrte\"\n");
    try {
        load_scenario_file(path);
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()),
                  path.string() + ":2:11: unknown syscall \"wrte\" (did you mean \"write\"?)");
    }
}

TEST_F(ScenarioFile, MissingFile) {
    const std::filesystem::path path = dir_ / "missing.toml";
    try {
        load_scenario_file(path);
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()),
                  path.string() + ": cannot read scenario: No such file or directory");
    }
}

TEST_F(ScenarioFile, Directory) {
    try {
        load_scenario_file(dir_);
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()), dir_.string() + ": cannot read scenario: Is a directory");
    }
}

TEST(ScenarioFileName, RelativePathIsKeptAsGiven) {
    try {
        load_scenario_file("no/such/dir/x.toml");
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_STREQ(e.what(),
                     "no/such/dir/x.toml: cannot read scenario: No such file or directory");
    }
}

}  // namespace
}  // namespace inject
