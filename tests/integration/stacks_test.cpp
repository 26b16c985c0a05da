// The stack service on real tracees: the call-site programs stopped at each write (their
// seccomp stop), their stacks taken with DwflStacks, and checked for the callers' names in
// dynamic, static, C++, stripped and 32-bit builds, for site keys that hold across runs and
// threads, and against strace -k's frames for the same calls.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/caller_glob.hpp"
#include "engine/caller_match.hpp"
#include "harness.hpp"
#include "report/stack_lines.hpp"
#include "trace/call_site.hpp"
#include "trace/dwfl_stacks.hpp"
#include "trace/launcher.hpp"
#include "trace/ptrace_tracer.hpp"
#include "trace/seccomp_filter.hpp"
#include "trace/unique_fd.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

struct WriteStack {
    pid_t tid = 0;
    std::vector<StackFrame> frames;
};

// Kills the traced program if the test leaves its loop early, so that no stopped tracee is
// left for the next test's waits.
class KillOnExit {
  public:
    explicit KillOnExit(pid_t pid) : pid_(pid) {}
    ~KillOnExit() {
        if (!done_) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(-1, nullptr, __WALL) > 0) {
            }
        }
    }
    KillOnExit(const KillOnExit&) = delete;
    KillOnExit& operator=(const KillOnExit&) = delete;
    void done() { done_ = true; }

  private:
    pid_t pid_;
    bool done_ = false;
};

// Runs argv under a minimal tracer that stops it at every write (its seccomp stop) and takes
// the calling thread's stack there. Its own report (writev) goes to /dev/null.
std::vector<WriteStack> write_stacks(const std::vector<std::string>& argv) {
    const auto filter = trace::SeccompProgram::trace_only({"write"});
    const trace::UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    const auto launched = trace::launch_traced(argv, {&filter}, {null.get(), -1});
    KillOnExit guard(launched.pid);
    trace::PtraceTracer tracer;
    trace::DwflStacks stacks(tracer);
    std::vector<WriteStack> found;
    EXPECT_FALSE(tracer.resume(launched.pid, trace::Resume::cont, 0));
    while (const auto stop = tracer.wait_for_stop()) {
        int signal = 0;
        if (stop->kind == trace::Stop::Kind::exited || stop->kind == trace::Stop::Kind::killed) {
            stacks.forget_process(stop->tid);
            continue;
        }
        if (stop->kind == trace::Stop::Kind::event && stop->event == PTRACE_EVENT_SECCOMP) {
            pid_t process = stop->tid;
            EXPECT_FALSE(tracer.thread_group_of(stop->tid, process));
            WriteStack stack{stop->tid, {}};
            EXPECT_FALSE(stacks.stack_of(process, stop->tid, stack.frames));
            found.push_back(std::move(stack));
        } else if (stop->kind == trace::Stop::Kind::signal) {
            signal = stop->signal;
        }
        tracer.resume(stop->tid, trace::Resume::cont, signal);
    }
    guard.done();
    return found;
}

// The functions of the frames outside the C library, innermost first, up to main.
std::vector<std::string> program_functions(const std::vector<StackFrame>& frames) {
    std::vector<std::string> names;
    for (const StackFrame& frame : frames) {
        if (!frame.in_c_library) {
            names.push_back(frame.function);
        }
        if (frame.function == "main") {
            break;
        }
    }
    return names;
}

const StackFrame* frame_of(const std::vector<StackFrame>& frames, std::string_view function) {
    const auto found = std::find_if(frames.begin(), frames.end(), [function](const auto& frame) {
        return frame.function == function;
    });
    return found == frames.end() ? nullptr : &*found;
}

// `callers FILE 2` writes under save_config, save_journal, save_config, save_journal.
const std::vector<std::vector<std::string>> kCallersFunctions{
    {"write_record", "save_config", "main"},
    {"write_record", "save_journal", "main"},
    {"write_record", "save_config", "main"},
    {"write_record", "save_journal", "main"}};

std::vector<std::vector<std::string>> functions_of(const std::vector<WriteStack>& stacks) {
    std::vector<std::vector<std::string>> all;
    for (const WriteStack& stack : stacks) {
        all.push_back(program_functions(stack.frames));
    }
    return all;
}

void skip_unless_runnable(const std::string& binary, const TempDir& dir) {
    if (!fs::exists(binary)) {
        GTEST_SKIP() << binary << " was not built (no -m32 toolchain)";
    }
    if (run_command({binary, dir / "bare", "1"}).exit_status != 0) {
        GTEST_SKIP() << binary << " does not run on this kernel (no IA32 emulation?)";
    }
}

class StacksTest : public ::testing::Test {
  protected:
    std::vector<WriteStack> callers(std::string_view name, int count = 2) {
        return write_stacks({program(name), dir_ / "out", std::to_string(count)});
    }
    TempDir dir_;
};

TEST_F(StacksTest, NameTheCallersOfADynamicProgram) {
    const auto stacks = callers("callers");
    ASSERT_EQ(functions_of(stacks), kCallersFunctions);
    for (const WriteStack& stack : stacks) {
        const StackFrame& innermost = stack.frames.front();
        EXPECT_TRUE(innermost.in_c_library);
        EXPECT_TRUE(trace::base_name(innermost.module).starts_with("libc.so")) << innermost.module;
        const StackFrame* record = frame_of(stack.frames, "write_record");
        ASSERT_NE(record, nullptr);
        EXPECT_EQ(trace::base_name(record->file), "callers.h");
        EXPECT_GT(record->line, 0u);
        EXPECT_EQ(record->module, program("callers"));
        EXPECT_EQ(trace::site_name(stack.frames),
                  "write_record (callers.h:" + std::to_string(record->line) + ")");
    }
    EXPECT_EQ(trace::base_name(frame_of(stacks[0].frames, "save_config")->file), "callers.c");
}

TEST_F(StacksTest, NameTheCallersOfAStaticProgram) {
    const auto stacks = callers("callers_static");
    ASSERT_EQ(functions_of(stacks), kCallersFunctions);
    for (const WriteStack& stack : stacks) {
        // The C library is inside the program, and still told apart.
        EXPECT_TRUE(stack.frames.front().in_c_library);
        EXPECT_EQ(stack.frames.front().module, program("callers_static"));
        EXPECT_TRUE(trace::site_name(stack.frames).starts_with("write_record (callers.h:"));
    }
}

TEST_F(StacksTest, NameNamespacedAndTemplatedCallers) {
    for (const char* name : {"cpp_callers", "cpp_callers_static"}) {
        SCOPED_TRACE(name);
        const auto stacks = callers(name);
        const std::vector<std::string> flush{"write_record", "notes::Store::flush", "main"};
        const std::vector<std::string> append{"write_record", "notes::Journal<notes::Line>::append",
                                              "main"};
        ASSERT_EQ(functions_of(stacks),
                  (std::vector<std::vector<std::string>>{flush, append, flush, append}));
        EXPECT_EQ(frame_of(stacks[1].frames, "notes::Journal<notes::Line>::append")->symbol,
                  "notes::Journal<notes::Line>::append(notes::Line const&)");
        EXPECT_EQ(frame_of(stacks[0].frames, "write_record")->symbol,
                  "write_record(int, char const*, int, long*, int*)");
    }
}

TEST_F(StacksTest, NameTheCallersOfAThirtyTwoBitProgram) {
    skip_unless_runnable(program("callers_32"), dir_);
    const auto stacks = callers("callers_32");
    ASSERT_EQ(functions_of(stacks), kCallersFunctions);
    for (const WriteStack& stack : stacks) {
        // i386 programs enter the kernel through the vDSO.
        EXPECT_TRUE(stack.frames.front().in_c_library);
        EXPECT_LT(frame_of(stack.frames, "main")->address, 1ULL << 32);
    }
}

TEST_F(StacksTest, FindTheCallersOfAStrippedProgramByOffset) {
    const auto named = callers("callers");
    const auto stripped = callers("callers_stripped");
    ASSERT_EQ(stripped.size(), named.size());
    for (std::size_t index = 0; index < named.size(); ++index) {
        SCOPED_TRACE(index);
        // The same code and build ID: the same site, found without a symbol.
        EXPECT_EQ(trace::call_site_of(stripped[index].frames),
                  trace::call_site_of(named[index].frames));
        const StackFrame* record = frame_of(named[index].frames, "write_record");
        ASSERT_NE(record, nullptr);
        const auto at = std::find_if(
            stripped[index].frames.begin(), stripped[index].frames.end(),
            [record](const StackFrame& frame) { return frame.offset == record->offset; });
        ASSERT_NE(at, stripped[index].frames.end());
        EXPECT_EQ(at->function, "");
        EXPECT_EQ(at->module, program("callers_stripped"));
        std::ostringstream expected;
        expected << "callers_stripped+0x" << std::hex << record->offset;
        EXPECT_EQ(trace::site_name(stripped[index].frames), expected.str());
    }
}

TEST_F(StacksTest, SiteKeysAreTheSameInEveryRunWhateverTheAslr) {
    const auto first = callers("callers");
    const auto second = callers("callers");
    ASSERT_EQ(first.size(), second.size());
    ASSERT_FALSE(first.empty());
    for (std::size_t index = 0; index < first.size(); ++index) {
        EXPECT_EQ(trace::call_site_of(first[index].frames),
                  trace::call_site_of(second[index].frames));
    }
    // Writes from one function, made twice, are one site; from the other, another.
    EXPECT_EQ(trace::call_site_of(first[0].frames), trace::call_site_of(first[2].frames));
    EXPECT_NE(trace::call_site_of(first[0].frames), trace::call_site_of(first[1].frames));
    if (read_file("/proc/sys/kernel/randomize_va_space").starts_with("0")) {
        GTEST_SKIP() << "ASLR is off on this machine: the addresses do not move between runs";
    }
    EXPECT_NE(first[0].frames[1].address, second[0].frames[1].address);
}

// Threads' writes interleave differently in every run; each run's stacks are checked.
void expect_each_thread_keeps_its_caller(const std::vector<WriteStack>& stacks) {
    ASSERT_EQ(stacks.size(), 20u);
    std::map<pid_t, std::vector<const WriteStack*>> by_thread;
    for (const WriteStack& stack : stacks) {
        by_thread[stack.tid].push_back(&stack);
    }
    ASSERT_EQ(by_thread.size(), 2u);
    std::vector<std::string> callers_seen;
    for (const auto& [tid, writes] : by_thread) {
        const auto site = trace::call_site_of(writes.front()->frames);
        for (const WriteStack* write : writes) {
            EXPECT_EQ(trace::call_site_of(write->frames), site);
        }
        const auto functions = program_functions(writes.front()->frames);
        ASSERT_GE(functions.size(), 2u);
        EXPECT_EQ(functions[0], "write_record");
        callers_seen.push_back(functions[1]);
    }
    std::sort(callers_seen.begin(), callers_seen.end());
    EXPECT_EQ(callers_seen, (std::vector<std::string>{"save_config", "save_journal"}));
}

TEST_F(StacksTest, ThreadsKeepTheirCallersWhateverTheInterleaving) {
    for (int run = 0; run < 5; ++run) {
        SCOPED_TRACE(run);
        expect_each_thread_keeps_its_caller(
            write_stacks({program("thread_callers"), dir_ / "out", "10"}));
    }
}

TEST_F(StacksTest, AThreadThatIsGoneHasNoStack) {
    trace::PtraceTracer tracer;
    trace::DwflStacks stacks(tracer);
    std::vector<StackFrame> frames;
    // A pid no process has: the largest one Linux hands out is below 2^22.
    constexpr pid_t kNoProcess = 1 << 23;
    EXPECT_EQ(stacks.stack_of(kNoProcess, kNoProcess, frames), std::errc::no_such_process);
    // A process that is there but a thread that is not (nor stopped under this tracer).
    EXPECT_EQ(stacks.stack_of(::getpid(), kNoProcess, frames), std::errc::no_such_process);
    EXPECT_TRUE(frames.empty());
}

// Which of the stacks a caller glob picks, by index.
std::vector<std::size_t> picked(const std::vector<WriteStack>& stacks, std::string_view caller) {
    const auto glob = glob::parse_caller_glob(caller);
    std::vector<std::size_t> indexes;
    for (std::size_t index = 0; index < stacks.size(); ++index) {
        if (engine::stack_matches(glob, stacks[index].frames)) {
            indexes.push_back(index);
        }
    }
    return indexes;
}

TEST_F(StacksTest, CallerGlobsPickTheWritesMadeUnderTheirFunction) {
    const std::vector<std::size_t> config{0, 2};
    const std::vector<std::size_t> journal{1, 3};
    const std::vector<std::size_t> all{0, 1, 2, 3};
    for (const char* name : {"callers", "callers_static", "callers_32"}) {
        SCOPED_TRACE(name);
        if (!fs::exists(program(name))) {
            continue;  // callers_32 without a -m32 toolchain
        }
        const auto stacks = callers(name);
        EXPECT_EQ(picked(stacks, "save_config"), config);
        EXPECT_EQ(picked(stacks, "save_j*"), journal);
        EXPECT_EQ(picked(stacks, "callers.h"), all);
        const unsigned line = frame_of(stacks[0].frames, "save_config")->line;
        EXPECT_EQ(picked(stacks, "callers.c:" + std::to_string(line)), config);
        EXPECT_EQ(picked(stacks, "no_such_function"), std::vector<std::size_t>{});
    }
    const auto cpp = callers("cpp_callers");
    EXPECT_EQ(picked(cpp, "notes::Store::*"), config);
    EXPECT_EQ(picked(cpp, "*::append"), journal);
    EXPECT_EQ(picked(cpp, "notes::Journal<*>::append(notes::Line const&)"), journal);
}

TEST_F(StacksTest, CallerGlobsFindAStrippedProgramsCallersByOffset) {
    const auto named = callers("callers");
    const StackFrame* config = frame_of(named[0].frames, "save_config");
    ASSERT_NE(config, nullptr);
    std::ostringstream glob;
    glob << "callers_stripped+0x" << std::hex << config->offset;
    const auto stripped = callers("callers_stripped");
    EXPECT_EQ(picked(stripped, "save_config"), std::vector<std::size_t>{});
    EXPECT_EQ(picked(stripped, glob.str()), (std::vector<std::size_t>{0, 2}));
}

// strace -k's frames for each write in LOG: the lines " > ..." after each call's line.
std::vector<std::vector<std::string>> strace_stacks(const std::string& log) {
    std::vector<std::vector<std::string>> stacks;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("write(")) {
            stacks.emplace_back();
        } else if (line.starts_with(" > ") && !stacks.empty()) {
            stacks.back().push_back(line);
        }
    }
    return stacks;
}

// " > MODULE(" and " [0xOFFSET]": what strace and inject show alike even where the symbols
// they find differ (strace's libunwind reads only a library's exported symbols).
std::string module_and_offset(const std::string& line) {
    return line.substr(0, line.find('(') + 1) + line.substr(line.rfind(" ["));
}

TEST_F(StacksTest, FramesAreTheOnesStraceShows) {
    const auto strace = strace_binary();
    if (!strace) {
        GTEST_SKIP() << "strace is not installed";
    }
    for (const char* name : {"callers", "cpp_callers"}) {
        SCOPED_TRACE(name);
        const std::string log = dir_ / "strace.log";
        const auto traced = run_command(
            {*strace, "-k", "-e", "trace=write", "-o", log, program(name), dir_ / "out", "2"});
        ASSERT_EQ(traced.exit_status, 0) << traced.err;
        const auto expected = strace_stacks(read_file(log));
        const auto stacks = callers(name);
        ASSERT_EQ(stacks.size(), expected.size());
        for (std::size_t index = 0; index < stacks.size(); ++index) {
            SCOPED_TRACE(index);
            const auto& frames = stacks[index].frames;
            ASSERT_EQ(frames.size(), expected[index].size()) << report::stack_lines(frames);
            for (std::size_t depth = 0; depth < frames.size(); ++depth) {
                const std::string line = report::stack_frame_line(frames[depth]);
                if (frames[depth].module == program(name)) {
                    EXPECT_EQ(line, expected[index][depth]);
                } else {
                    EXPECT_EQ(module_and_offset(line), module_and_offset(expected[index][depth]));
                }
            }
        }
    }
}

}  // namespace
}  // namespace inject::testing
