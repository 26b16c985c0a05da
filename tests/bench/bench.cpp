// The performance benchmark of issue 3: inject against the bare program and against strace
// --seccomp-bpf with the same fault rules, in one invocation. Performance is measured here,
// never asserted: the targets are printed with met/missed and the exit status says only
// whether the runs themselves worked (each one exited 0 and saw the faults it should have).
//
// Variants run round-robin, one run of each per round, so that a noisy moment of the machine
// hits every variant alike instead of all the runs of one of them; medians are reported.
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#ifndef BENCH_INJECT
#define BENCH_INJECT ""
#endif
#ifndef BENCH_STRACE
#define BENCH_STRACE ""
#endif
#ifndef BENCH_WORKLOAD
#define BENCH_WORKLOAD ""
#endif
#ifndef BENCH_THREADS
#define BENCH_THREADS ""
#endif

namespace {

// The targets of issue 3, printed next to the figures.
constexpr double kRareTargetVsBare = 1.05;
constexpr double kHotTargetVsStrace = 0.55;
constexpr double kMemoryTargetKib = 10 * 1024;
// strace keeps `when` in 16 bits: its "never fires" rule can only be pushed to this call.
constexpr long kStraceMaxWhen = 65535;

class UniqueFd {
  public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&&) = delete;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

[[noreturn]] void fail_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// A child process that is killed and reaped if it is abandoned (an exception while it runs),
// so the benchmark never leaves a traced workload behind.
class Child {
  public:
    explicit Child(pid_t pid) : pid_(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }
    int wait() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0) {
            if (errno != EINTR) {
                fail_errno("waitpid");
            }
        }
        pid_ = -1;
        return status;
    }

  private:
    pid_t pid_;
};

// Output goes to an anonymous memory file rather than a pipe: the child never blocks on a
// full pipe, and the benchmark does no reading while the clock runs.
UniqueFd memory_file(const char* name) {
    int fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        fail_errno("memfd_create");
    }
    return UniqueFd(fd);
}

std::string read_all(const UniqueFd& fd) {
    std::string text;
    char buffer[4096];
    off_t offset = 0;
    for (;;) {
        ssize_t got = ::pread(fd.get(), buffer, sizeof buffer, offset);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail_errno("pread");
        }
        if (got == 0) {
            return text;
        }
        text.append(buffer, static_cast<std::size_t>(got));
        offset += got;
    }
}

double now_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct RunOutput {
    double seconds = 0;
    int status = 0;
    std::string out;
    std::string err;
};

RunOutput run(const std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (const std::string& word : command) {
        argv.push_back(const_cast<char*>(word.c_str()));
    }
    argv.push_back(nullptr);
    UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (devnull.get() < 0) {
        fail_errno("/dev/null");
    }
    UniqueFd out = memory_file("bench-stdout");
    UniqueFd err = memory_file("bench-stderr");

    RunOutput result;
    double start = now_seconds();
    pid_t pid = ::fork();
    if (pid < 0) {
        fail_errno("fork");
    }
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        if (::dup2(devnull.get(), STDIN_FILENO) < 0 || ::dup2(out.get(), STDOUT_FILENO) < 0 ||
            ::dup2(err.get(), STDERR_FILENO) < 0) {
            ::_exit(127);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    Child child(pid);
    result.status = child.wait();
    result.seconds = now_seconds() - start;
    result.out = read_all(out);
    result.err = read_all(err);
    return result;
}

// The number after "KEY " on a line of its own in a program's report, if there is one.
std::optional<long> field(const std::string& text, std::string_view key) {
    std::size_t at = 0;
    while ((at = text.find(key, at)) != std::string::npos) {
        bool line_start = at == 0 || text[at - 1] == '\n';
        std::size_t value = at + key.size();
        if (line_start && value < text.size() && text[value] == ' ') {
            long number = 0;
            const char* first = text.data() + value + 1;
            auto [end, ec] = std::from_chars(first, text.data() + text.size(), number);
            if (ec == std::errc() && end != first) {
                return number;
            }
        }
        at = value;
    }
    return std::nullopt;
}

// The stop count from inject's summary: "inject: N faults injected, M syscall stops (...)".
std::optional<long> inject_stops(const std::string& err) {
    std::size_t injected = err.find(" injected, ");
    if (err.rfind("inject: ", 0) != 0 || injected == std::string::npos) {
        return std::nullopt;
    }
    long stops = 0;
    const char* first = err.data() + injected + std::strlen(" injected, ");
    auto [end, ec] = std::from_chars(first, err.data() + err.size(), stops);
    if (ec != std::errc() || end == first) {
        return std::nullopt;
    }
    return stops;
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return std::string("killed by ") + strsignal(WTERMSIG(status));
    }
    return "status " + std::to_string(status);
}

enum class Tool { bare, inject, strace };

const char* tool_name(Tool tool) {
    switch (tool) {
        case Tool::bare:
            return "bare";
        case Tool::inject:
            return "inject";
        case Tool::strace:
            return "strace";
    }
    return "?";
}

// What a run must have reported for the benchmark to count it: a run in which the rule did
// not do what it says measures nothing.
struct Expected {
    std::string key;
    long value;
};

struct Variant {
    std::string rule;  // the fault rule as printed in the table; empty for the bare run
    Tool tool = Tool::bare;
    std::vector<std::string> command;
    std::vector<Expected> expected;
    std::vector<double> seconds;
    std::vector<double> tracer_rss_kib;
    std::vector<double> stops;
};

struct Options {
    int rounds = 7;
    long hot = 1'000'000;
    long rare = 10;
    long threads = 1000;
    // Pins the driver, and so every run, to one CPU: on a small, shared machine a tracee that
    // migrates between CPUs adds more noise than anything measured here.
    std::optional<int> cpu;
    std::string inject = BENCH_INJECT;
    std::string strace = BENCH_STRACE;
    bool strace_given = false;  // --strace PATH must exist; the built-in default may be absent
    std::string workload = BENCH_WORKLOAD;
    std::string threads_program = BENCH_THREADS;
};

constexpr const char* kUsage =
    "usage: bench [--rounds N] [--hot N] [--rare N] [--threads N] [--cpu N] [--quick]\n"
    "             [--inject PATH] [--strace PATH|none] [--workload PATH] [--threads-program "
    "PATH]\n"
    "Runs the workload bare, under inject and under strace --seccomp-bpf with the same fault\n"
    "rules, round-robin, and prints medians, ratios, the tracer's peak memory and the targets\n"
    "of issue 3. --quick: tiny counts and one round (a smoke test of the benchmark itself).\n"
    "--cpu N: run everything on CPU N-1 only (1 is the first CPU).\n";

long parse_positive(std::string_view option, const char* text) {
    long value = 0;
    std::string_view view(text);
    auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (ec != std::errc() || end != view.data() + view.size() || value <= 0) {
        throw std::invalid_argument(std::string(option) + ": expected a positive number, got \"" +
                                    text + "\"");
    }
    return value;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (arg == "--quick") {
            options.rounds = 1;
            options.hot = 1000;
            options.rare = 2;
            options.threads = 20;
            continue;
        }
        if (i + 1 >= argc) {
            throw std::invalid_argument(std::string(arg) + ": unknown option or missing value\n" +
                                        kUsage);
        }
        const char* value = argv[++i];
        if (arg == "--rounds") {
            options.rounds = static_cast<int>(parse_positive(arg, value));
        } else if (arg == "--hot") {
            options.hot = parse_positive(arg, value);
        } else if (arg == "--rare") {
            options.rare = parse_positive(arg, value);
        } else if (arg == "--threads") {
            options.threads = parse_positive(arg, value);
        } else if (arg == "--cpu") {
            options.cpu = static_cast<int>(parse_positive(arg, value)) - 1;
        } else if (arg == "--inject") {
            options.inject = value;
        } else if (arg == "--strace") {
            options.strace = value;
            options.strace_given = std::string_view(value) != "none";
        } else if (arg == "--workload") {
            options.workload = value;
        } else if (arg == "--threads-program") {
            options.threads_program = value;
        } else {
            throw std::invalid_argument(std::string(arg) + ": unknown option\n" + kUsage);
        }
    }
    return options;
}

// execv takes a path, not a name: look a bare name up in PATH as the shell would.
std::optional<std::string> resolve(const std::string& program) {
    if (program.empty() || program == "none") {
        return std::nullopt;
    }
    if (program.find('/') != std::string::npos) {
        return ::access(program.c_str(), X_OK) == 0 ? std::optional(program) : std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
    while (!dirs.empty()) {
        std::size_t colon = dirs.find(':');
        std::string candidate(dirs.substr(0, colon));
        candidate += '/' + program;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    }
    return std::nullopt;
}

std::string require(const std::string& program, const char* what) {
    std::optional<std::string> path = resolve(program);
    if (!path) {
        throw std::invalid_argument(std::string(what) + " not found or not executable: \"" +
                                    program + "\"");
    }
    return *path;
}

// One rule, written for each tool. strace matches only the calls it traces, so each strace
// variant traces exactly the rule's syscall (and writes its log to /dev/null).
struct Rule {
    std::string label;
    std::string syscall;
    std::string inject_spec;
    std::string strace_spec;
    long inject_writes_failed;
    long strace_writes_failed;
    long rare_failed;
};

std::vector<Rule> rules_for(const Options& options) {
    long never = std::max(2 * options.hot, 2'000'000L);
    // strace cannot count past 65535, so on a long run its "never" fires once; the cost is
    // the same (strace stops at entry and exit of every traced call whatever it decides).
    long strace_never = kStraceMaxWhen;
    long strace_never_fires = options.hot >= strace_never ? 1 : 0;
    std::string when_10 = "write:error=EIO:when=10+10";
    return {
        {"rare: sched_yield:error=EPERM", "sched_yield", "sched_yield:error=EPERM",
         "sched_yield:error=EPERM", 0, 0, options.rare},
        {"hot, never: write:error=EIO:when=" + std::to_string(never), "write",
         "write:error=EIO:when=" + std::to_string(never),
         "write:error=EIO:when=" + std::to_string(strace_never), 0, strace_never_fires, 0},
        {"hot, 1 in 10: " + when_10, "write", when_10, when_10, options.hot / 10, options.hot / 10,
         0},
    };
}

Variant make_variant(std::string rule, Tool tool, std::vector<std::string> command,
                     std::vector<Expected> expected) {
    Variant variant;
    variant.rule = std::move(rule);
    variant.tool = tool;
    variant.command = std::move(command);
    variant.expected = std::move(expected);
    return variant;
}

std::vector<std::string> strace_command(const std::string& strace, const std::string& syscall,
                                        const std::string& spec) {
    return {strace, "-f",
            "-qq",  "--seccomp-bpf",
            "-o",   "/dev/null",
            "-e",   "trace=" + syscall,
            "-e",   "inject=" + spec};
}

std::vector<Variant> make_variants(const Options& options, const std::vector<Rule>& rules,
                                   const std::optional<std::string>& strace) {
    std::vector<std::string> workload = {options.workload, std::to_string(options.hot),
                                         std::to_string(options.rare)};
    auto with_workload = [&](std::vector<std::string> command) {
        command.insert(command.end(), workload.begin(), workload.end());
        return command;
    };
    std::vector<Variant> variants;
    variants.push_back(
        make_variant("", Tool::bare, workload, {{"writes_failed", 0}, {"rare_failed", 0}}));
    for (const Rule& rule : rules) {
        variants.push_back(make_variant(
            rule.label, Tool::inject, with_workload({options.inject, "-e", rule.inject_spec, "--"}),
            {{"writes_failed", rule.inject_writes_failed}, {"rare_failed", rule.rare_failed}}));
        if (strace) {
            variants.push_back(make_variant(
                rule.label, Tool::strace,
                with_workload(strace_command(*strace, rule.syscall, rule.strace_spec)),
                {{"writes_failed", rule.strace_writes_failed}, {"rare_failed", rule.rare_failed}}));
        }
    }
    // The many-threads runs: only the tracer's memory is of interest, but they take their turn
    // in the rounds like the others.
    std::vector<std::string> threads = {options.threads_program, std::to_string(options.threads)};
    std::vector<Expected> yields_failed = {{"syscalls_failed", 3 * options.threads}};
    std::vector<std::string> inject_threads = {options.inject, "-e", "sched_yield:error=EPERM",
                                               "--"};
    inject_threads.insert(inject_threads.end(), threads.begin(), threads.end());
    variants.push_back(make_variant("threads", Tool::inject, inject_threads, yields_failed));
    if (strace) {
        std::vector<std::string> strace_threads =
            strace_command(*strace, "sched_yield", "sched_yield:error=EPERM");
        strace_threads.insert(strace_threads.end(), threads.begin(), threads.end());
        variants.push_back(make_variant("threads", Tool::strace, strace_threads, yields_failed));
    }
    return variants;
}

std::string command_line(const std::vector<std::string>& command) {
    std::string text;
    for (const std::string& word : command) {
        text += (text.empty() ? "" : " ") + word;
    }
    return text;
}

void run_once(Variant& variant, int round) {
    RunOutput output = run(variant.command);
    auto complain = [&](const std::string& what) {
        throw std::runtime_error("round " + std::to_string(round + 1) + ": " +
                                 command_line(variant.command) + ": " + what + "\n--- stdout:\n" +
                                 output.out + "--- stderr:\n" + output.err.substr(0, 2000));
    };
    if (!WIFEXITED(output.status) || WEXITSTATUS(output.status) != 0) {
        complain(describe_status(output.status));
    }
    for (const Expected& expected : variant.expected) {
        std::optional<long> got = field(output.out, expected.key);
        if (got != expected.value) {
            complain(expected.key + " " + (got ? std::to_string(*got) : "missing") + ", expected " +
                     std::to_string(expected.value));
        }
    }
    variant.seconds.push_back(output.seconds);
    if (std::optional<long> rss = field(output.out, "tracer_peak_rss_kib")) {
        variant.tracer_rss_kib.push_back(static_cast<double>(*rss));
    }
    if (variant.tool == Tool::inject) {
        std::optional<long> stops = inject_stops(output.err);
        if (!stops) {
            complain("no summary line from inject");
        }
        variant.stops.push_back(static_cast<double>(*stops));
    }
}

const Variant* find(const std::vector<Variant>& variants, std::string_view rule, Tool tool) {
    for (const Variant& variant : variants) {
        if (variant.rule == rule && variant.tool == tool) {
            return &variant;
        }
    }
    return nullptr;
}

// How far apart the fastest and slowest runs were, relative to the median: a ratio between two
// variants means little when it is smaller than their spreads.
std::string spread_text(const std::vector<double>& values) {
    if (values.size() < 2) {
        return "";
    }
    auto [low, high] = std::minmax_element(values.begin(), values.end());
    char text[32];
    std::snprintf(text, sizeof text, "%.0f%%", (*high - *low) / median(values) * 100);
    return text;
}

std::string seconds_text(double seconds) {
    char text[32];
    if (seconds < 1) {
        std::snprintf(text, sizeof text, "%.1f ms", seconds * 1000);
    } else {
        std::snprintf(text, sizeof text, "%.3f s", seconds);
    }
    return text;
}

std::string ratio_text(double ratio) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3fx", ratio);
    return text;
}

std::string kib_text(double kib) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f KiB", kib);
    return text;
}

void print_target(const std::string& what, const std::string& value, bool met) {
    std::printf("  %-52s %-12s %s\n", what.c_str(), value.c_str(), met ? "met" : "MISSED");
}

void report(const Options& options, const std::vector<Rule>& rules,
            const std::vector<Variant>& variants, const std::optional<std::string>& strace) {
    const Variant* bare = find(variants, "", Tool::bare);
    double bare_seconds = median(bare->seconds);
    std::printf(
        "inject benchmark: workload %ld 1-byte writes to /dev/null + %ld sched_yield; %d "
        "round(s), round-robin\n",
        options.hot, options.rare, options.rounds);
    std::printf("inject: %s\nstrace: %s\n\n", options.inject.c_str(),
                strace ? (*strace + " -f -qq --seccomp-bpf -o /dev/null -e trace=SYSCALL "
                                    "-e inject=RULE")
                             .c_str()
                       : "not found: the strace variants are skipped");
    std::printf("%-50s %-6s %11s %6s %8s %13s %10s %8s\n", "rule", "tool", "median wall", "spread",
                "vs bare", "inject/strace", "tracer RSS", "stops");
    std::printf("%-50s %-6s %11s %6s %8s %13s %10s %8s\n", "(none)", tool_name(Tool::bare),
                seconds_text(bare_seconds).c_str(), spread_text(bare->seconds).c_str(), "1.000x",
                "", "", "0");
    for (const Rule& rule : rules) {
        const Variant* with_inject = find(variants, rule.label, Tool::inject);
        const Variant* with_strace = find(variants, rule.label, Tool::strace);
        double inject_seconds = median(with_inject->seconds);
        std::string versus_strace =
            with_strace ? ratio_text(inject_seconds / median(with_strace->seconds)) : "n/a";
        std::printf("%-50s %-6s %11s %6s %8s %13s %10s %8.0f\n", rule.label.c_str(),
                    tool_name(Tool::inject), seconds_text(inject_seconds).c_str(),
                    spread_text(with_inject->seconds).c_str(),
                    ratio_text(inject_seconds / bare_seconds).c_str(), versus_strace.c_str(),
                    kib_text(median(with_inject->tracer_rss_kib)).c_str(),
                    median(with_inject->stops));
        if (with_strace) {
            double strace_seconds = median(with_strace->seconds);
            std::printf("%-50s %-6s %11s %6s %8s %13s %10s %8s\n", "", tool_name(Tool::strace),
                        seconds_text(strace_seconds).c_str(),
                        spread_text(with_strace->seconds).c_str(),
                        ratio_text(strace_seconds / bare_seconds).c_str(), "",
                        kib_text(median(with_strace->tracer_rss_kib)).c_str(), "");
        }
    }

    if (strace) {
        std::printf("(strace's `when` stops at %ld: its never-firing rule is when=%ld)\n",
                    kStraceMaxWhen, kStraceMaxWhen);
    }

    const Variant* threads_inject = find(variants, "threads", Tool::inject);
    const Variant* threads_strace = find(variants, "threads", Tool::strace);
    double threads_rss = median(threads_inject->tracer_rss_kib);
    std::printf(
        "\n%ld threads at once, rule sched_yield:error=EPERM: inject peak RSS %s (%s), "
        "%.0f stops",
        options.threads, kib_text(threads_rss).c_str(),
        seconds_text(median(threads_inject->seconds)).c_str(), median(threads_inject->stops));
    if (threads_strace) {
        std::printf("; strace peak RSS %s (%s)",
                    kib_text(median(threads_strace->tracer_rss_kib)).c_str(),
                    seconds_text(median(threads_strace->seconds)).c_str());
    }
    std::printf("\n\ntargets of issue 3 (informational: measured, never asserted)\n");

    const Rule& rare = rules[0];
    double rare_ratio = median(find(variants, rare.label, Tool::inject)->seconds) / bare_seconds;
    print_target("rare rule <= " + ratio_text(kRareTargetVsBare) + " bare", ratio_text(rare_ratio),
                 rare_ratio <= kRareTargetVsBare);
    for (std::size_t i = 1; i < rules.size(); ++i) {
        const Variant* with_strace = find(variants, rules[i].label, Tool::strace);
        std::string what = "hot rule (" + std::string(i == 1 ? "never fires" : "1 in 10") +
                           ") <= " + ratio_text(kHotTargetVsStrace) + " strace";
        if (!with_strace) {
            std::printf("  %-52s %-12s %s\n", what.c_str(), "n/a", "no strace");
            continue;
        }
        double ratio = median(find(variants, rules[i].label, Tool::inject)->seconds) /
                       median(with_strace->seconds);
        print_target(what, ratio_text(ratio), ratio <= kHotTargetVsStrace);
    }
    char memory[32];
    std::snprintf(memory, sizeof memory, "%.2f MiB", threads_rss / 1024);
    print_target("inject memory <= 10 MiB with " + std::to_string(options.threads) + " threads",
                 memory, threads_rss <= kMemoryTargetKib);
    if (options.threads < 1000) {
        std::printf("  (the memory target is for 1000 threads; this run had %ld)\n",
                    options.threads);
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Options options = parse_options(argc, argv);
        options.inject = require(options.inject, "inject");
        options.workload = require(options.workload, "the workload program");
        options.threads_program = require(options.threads_program, "the threads program");
        std::optional<std::string> strace =
            options.strace_given ? require(options.strace, "strace") : resolve(options.strace);

        if (options.cpu) {
            cpu_set_t cpus;
            CPU_ZERO(&cpus);
            CPU_SET(*options.cpu, &cpus);
            if (::sched_setaffinity(0, sizeof cpus, &cpus) != 0) {
                fail_errno("--cpu " + std::to_string(*options.cpu + 1));
            }
            std::fprintf(stderr, "bench: every run on CPU %d only\n", *options.cpu + 1);
        }
        std::vector<Rule> rules = rules_for(options);
        std::vector<Variant> variants = make_variants(options, rules, strace);
        for (int round = 0; round < options.rounds; ++round) {
            std::fprintf(stderr, "bench: round %d/%d\n", round + 1, options.rounds);
            // Each round starts one variant further on, so no variant always follows the same
            // (heavy) one.
            for (std::size_t i = 0; i < variants.size(); ++i) {
                run_once(variants[(i + static_cast<std::size_t>(round)) % variants.size()], round);
            }
        }
        report(options, rules, variants, strace);
        return 0;
    } catch (const std::exception& error) {
        std::fflush(stdout);
        std::fprintf(stderr, "bench: error: %s\n", error.what());
        return 1;
    }
}
