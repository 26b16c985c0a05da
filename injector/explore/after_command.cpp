#include "explore/after_command.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "syscalls/signals.hpp"

namespace inject::exploration {

namespace {

// In the forked child: only calls that are safe after fork until exec.
[[noreturn]] void exec_command(const std::string& command, const AfterContext& context) {
    if (::chdir(context.directory.c_str()) != 0) {
        ::_exit(127);
    }
    if (context.output) {
        const int fd =
            ::open(context.output->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0 || ::dup2(fd, STDOUT_FILENO) < 0 || ::dup2(fd, STDERR_FILENO) < 0) {
            ::_exit(127);
        }
    }
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
    }
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
}

void set_environment(const AfterContext& context) {
    ::setenv("INJECT_RUN_DIR", context.directory.c_str(), 1);
    ::setenv("INJECT_EXIT_CODE",
             context.exit_code ? std::to_string(*context.exit_code).c_str() : "", 1);
    ::setenv("INJECT_SIGNAL", context.signal ? signal_name(*context.signal).c_str() : "", 1);
    ::setenv("INJECT_FAULT", context.fault.c_str(), 1);
    ::setenv("INJECT_STDOUT", context.stdout_path.c_str(), 1);
    ::setenv("INJECT_STDERR", context.stderr_path.c_str(), 1);
}

}  // namespace

int run_after_command(const std::string& command, const AfterContext& context) {
    // The environment is set in inject itself before the fork (setenv is not safe after it);
    // inject runs nothing else that reads these variables.
    set_environment(context);
    const pid_t child = ::fork();
    if (child < 0) {
        throw std::system_error(errno, std::generic_category(), "--after: fork");
    }
    if (child == 0) {
        exec_command(command, context);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "--after: waitpid");
        }
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

void write_text_file(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
        throw std::system_error(errno, std::generic_category(), "writing " + path);
    }
}

}  // namespace inject::exploration
