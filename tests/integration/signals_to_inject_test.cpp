// Signals sent to inject itself while the program runs: SIGTERM and SIGHUP are passed on to
// the program, and SIGINT (which a terminal sends to the program as well) does not kill inject.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"
#include "modes.hpp"
#include "trace/unique_fd.hpp"

namespace inject::testing {
namespace {

using trace::UniqueFd;

// inject running in the background with its stdout on a pipe that the test reads line by line.
class BackgroundInject {
  public:
    explicit BackgroundInject(const std::vector<std::string>& argv) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe");
        }
        UniqueFd read_end(fds[0]);
        UniqueFd write_end(fds[1]);
        std::vector<char*> args;
        std::vector<std::string> storage(argv);
        for (std::string& arg : storage) {
            args.push_back(arg.data());
        }
        args.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(write_end.get(), STDOUT_FILENO);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        out_ = std::move(read_end);
    }
    BackgroundInject(const BackgroundInject&) = delete;
    BackgroundInject& operator=(const BackgroundInject&) = delete;
    ~BackgroundInject() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    // Everything written so far, waiting up to 10 s until it ends with `line`.
    std::string wait_for_line(const std::string& line) {
        while (text_.size() < line.size() ||
               text_.compare(text_.size() - line.size(), line.size(), line) != 0) {
            pollfd ready{out_.get(), POLLIN, 0};
            if (::poll(&ready, 1, 10'000) <= 0) {
                break;
            }
            char buffer[256];
            const ssize_t got = ::read(out_.get(), buffer, sizeof buffer);
            if (got <= 0) {
                break;
            }
            text_.append(buffer, static_cast<std::size_t>(got));
        }
        return text_;
    }

    void signal(int number) const { ::kill(pid_, number); }

    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

  private:
    pid_t pid_ = 0;
    UniqueFd out_;
    std::string text_;
};

using SignalsToInjectTest = ModeTest;
INSTANTIATE_TEST_SUITE_P(Modes, SignalsToInjectTest,
                         ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp), mode_name);

TEST_P(SignalsToInjectTest, SigtermAndSighupArePassedOnAndSigintDoesNotKillInject) {
    BackgroundInject inject(
        inject_argv({"-q", "-e", "write:error=EIO:when=1000"}, {program("on_term")}));
    ASSERT_EQ(inject.wait_for_line("ready\n"), "ready\n");
    inject.signal(SIGHUP);
    ASSERT_EQ(inject.wait_for_line("got HUP\n"), "ready\ngot HUP\n");
    // Sent to inject alone, SIGINT reaches nobody: inject must simply live on.
    inject.signal(SIGINT);
    inject.signal(SIGTERM);
    EXPECT_EQ(inject.wait_for_line("got TERM\n"), "ready\ngot HUP\ngot TERM\n");
    EXPECT_EQ(inject.wait(), 7) << "inject's status is the program's";
}

}  // namespace
}  // namespace inject::testing
