#include "explore/runs.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <exception>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

#include "explore/after_command.hpp"
#include "inject/check.hpp"
#include "inject/run.hpp"
#include "report/power_cut_json.hpp"

namespace inject::exploration {

namespace {

RunFacts facts_of(const RunResult& result, const Rule& rule) {
    RunFacts facts;
    facts.timed_out = result.timed_out;
    facts.injected = result.injection_count;
    facts.exit_code = result.exit_code;
    facts.signal = result.signal;
    facts.sent_signal = rule.effect.signal;
    return facts;
}

RunReport judged_run(const RunJob& job, const RunSettings& settings, Workspace& workspace) {
    const std::string directory = workspace.fresh_copy(job.name, settings.fixture);
    RunOptions options;
    options.capture_output = true;
    options.pass_through = false;
    options.timeout = settings.timeout;
    options.use_seccomp = settings.use_seccomp;
    const auto start = std::chrono::steady_clock::now();
    RunResult result;
    {
        const InDirectory in(directory);
        result = run({job.rule}, settings.argv, options);
    }
    RunReport report;
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.exit_code = result.exit_code;
    report.signal = result.signal;
    report.power_cut = result.power_cut;
    const std::string out = workspace.output_path(job.name, "stdout");
    const std::string err = workspace.output_path(job.name, "stderr");
    write_text_file(out, result.captured_stdout);
    write_text_file(err, result.captured_stderr);
    RunFacts facts = facts_of(result, job.rule);
    if (job.expect != nullptr) {
        facts.expect_failures =
            inject::check(*job.expect, result,
                          CheckScope{0, SIZE_MAX, RunTimeout{settings.timeout, "--timeout"}});
    }
    report.judgement = judge(facts);
    if (settings.after && report.judgement.verdict == ExploreVerdict::survived) {
        facts.after_status = run_after_command(
            *settings.after, {directory, result.exit_code, result.signal, to_spec(job.rule), out,
                              err, workspace.output_path(job.name, "after")});
        report.judgement = judge(facts);
    }
    return report;
}

// A run's report as the child sends it to its parent.
std::string serialise(const RunReport& report) {
    const nlohmann::json json{{"verdict", static_cast<int>(report.judgement.verdict)},
                              {"detail", report.judgement.detail},
                              {"exit_code", report.exit_code ? *report.exit_code : -1},
                              {"signal", report.signal ? *report.signal : -1},
                              {"seconds", report.seconds},
                              {"power_cut", report::power_cut_json(report.power_cut)}};
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<int> non_negative(int value) {
    return value >= 0 ? std::optional<int>(value) : std::nullopt;
}

RunReport deserialise(const std::string& text) {
    RunReport report;
    try {
        const auto json = nlohmann::json::parse(text);
        const int verdict = json.at("verdict").get<int>();
        if (verdict < 0 || verdict > static_cast<int>(ExploreVerdict::survived)) {
            throw std::out_of_range("verdict");
        }
        report.judgement = {static_cast<ExploreVerdict>(verdict),
                            json.at("detail").get<std::string>()};
        report.exit_code = non_negative(json.at("exit_code").get<int>());
        report.signal = non_negative(json.at("signal").get<int>());
        report.seconds = json.at("seconds").get<double>();
        report.power_cut = report::power_cut_of_json(json.at("power_cut"));
    } catch (const std::exception&) {
        report = {};
        report.judgement = {ExploreVerdict::crashed, "inject's run ended without a verdict"};
    }
    return report;
}

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
        if (wrote < 0 && errno == EINTR) {
            continue;
        }
        if (wrote <= 0) {
            return;
        }
        done += static_cast<std::size_t>(wrote);
    }
}

// A run in flight: its child and the read end of the pipe its verdict comes on.
struct Child {
    std::size_t job = 0;
    pid_t pid = -1;
    int fd = -1;
    std::string text;
};

Child start(std::size_t index, const RunJob& job, const RunSettings& settings,
            Workspace& workspace) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        throw std::system_error(error, std::generic_category(), "fork");
    }
    if (pid == 0) {
        ::close(pipe_fds[0]);
        std::string text;
        try {
            text = serialise(judged_run(job, settings, workspace));
        } catch (const std::exception& error) {
            RunReport failed;
            failed.judgement = {ExploreVerdict::crashed, std::string("inject: ") + error.what()};
            text = serialise(failed);
        }
        write_all(pipe_fds[1], text);
        ::_exit(0);  // no atexit handlers, no flushing of the parent's buffers twice
    }
    ::close(pipe_fds[1]);
    return Child{index, pid, pipe_fds[0], {}};
}

// Reads what is there; true at the end of the pipe.
bool read_some(Child& child) {
    char buffer[4096];
    const ssize_t got = ::read(child.fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
        return false;
    }
    if (got <= 0) {
        return true;
    }
    child.text.append(buffer, static_cast<std::size_t>(got));
    return false;
}

void finish(Child& child) {
    ::close(child.fd);
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

std::vector<RunReport> run_all(const std::vector<RunJob>& jobs, const RunSettings& settings,
                               Workspace& workspace, unsigned parallel, const Progress& progress) {
    std::vector<RunReport> reports(jobs.size());
    std::vector<Child> running;
    std::size_t next = 0;
    std::size_t done = 0;
    std::size_t failing = 0;
    while (done < jobs.size()) {
        while (next < jobs.size() && running.size() < std::max(parallel, 1U)) {
            running.push_back(start(next, jobs[next], settings, workspace));
            ++next;
        }
        std::vector<pollfd> fds;
        for (const Child& child : running) {
            fds.push_back({child.fd, POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        for (std::size_t index = fds.size(); index-- > 0;) {
            if (fds[index].revents == 0 || !read_some(running[index])) {
                continue;
            }
            Child child = std::move(running[index]);
            running.erase(running.begin() + static_cast<std::ptrdiff_t>(index));
            finish(child);
            reports[child.job] = deserialise(child.text);
            ++done;
            failing += reports[child.job].judgement.verdict != ExploreVerdict::survived ? 1 : 0;
            if (progress) {
                progress(done, failing);
            }
        }
    }
    return reports;
}

}  // namespace inject::exploration
