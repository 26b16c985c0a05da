// strace's syscall classes (%file, %net, ...), as inject builds them from the kernel headers,
// against strace's own: strace lists, for each class, the calls of a program it traces; inject
// --list-syscalls lists each call's classes. For every call the program makes, the two must
// agree. Skipped when strace is not installed.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "harness.hpp"

namespace inject::testing {
namespace {

// The names of the calls in an strace log (-o, -f: "PID name(args) = result").
std::set<std::string> calls_in_log(const std::string& log) {
    std::set<std::string> names;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string pid;
        std::string call;
        words >> pid >> call;
        if (const auto paren = call.find('('); paren != std::string::npos) {
            names.insert(call.substr(0, paren));
        }
    }
    return names;
}

std::set<std::string> strace_class(const std::string& strace, const std::string& trace) {
    const TempDir dir;
    const CommandResult run =
        run_command({strace, "-f", "-qq", "-e", "trace=" + trace, "-e", "signal=none", "-o",
                     dir / "log", program("class_calls")});
    EXPECT_EQ(run.exit_status, 0) << run.err;
    return calls_in_log(read_file(dir / "log"));
}

// name -> " %desc %file" from `inject --list-syscalls` for x86_64.
std::map<std::string, std::string> inject_classes() {
    const CommandResult list = run_command({inject_binary(), "--list-syscalls"});
    EXPECT_EQ(list.exit_status, 0);
    std::map<std::string, std::string> classes;
    std::istringstream lines(list.out);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string abi;
        std::string number;
        std::string name;
        words >> abi >> number >> name;
        if (abi == "x86_64") {
            classes[name] = " " + line.substr(line.find(name) + name.size()) + " ";
        }
    }
    return classes;
}

class Classes : public ::testing::TestWithParam<std::string> {};

TEST_P(Classes, PickTheCallsStracePicks) {
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    const std::string class_name = GetParam();
    const std::set<std::string> made = strace_class(*strace, "all");
    ASSERT_GT(made.size(), 40U);
    const std::set<std::string> by_strace = strace_class(*strace, "%" + class_name);
    const auto classes = inject_classes();
    for (const std::string& call : made) {
        const auto found = classes.find(call);
        ASSERT_NE(found, classes.end()) << call;
        const bool by_inject = found->second.find(" %" + class_name + " ") != std::string::npos;
        EXPECT_EQ(by_inject, by_strace.contains(call))
            << call << (by_inject ? " is" : " is not") << " in inject's %" << class_name;
    }
}

INSTANTIATE_TEST_SUITE_P(StraceClasses, Classes,
                         ::testing::Values("file", "desc", "net", "process", "memory", "signal",
                                           "ipc", "creds", "clock"),
                         [](const auto& instance) { return instance.param; });

}  // namespace
}  // namespace inject::testing
