/* forks FILE K: fork()s; the child makes K write(2) calls to FILE and exits with its number of
 * failures; the parent waits for it, then makes its own K writes to FILE (O_APPEND, shared).
 *
 * The child's writes all come before the parent's, so "the Nth write of the tree" is the same
 * call on every run. Prints "child write J: ...", then "child exit: N", then "parent write J:
 * ...", and exits with the parent's failures plus the child's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>

#include "say.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        die("usage: forks FILE K");
    }
    int count = count_arg(argv[2], "K");
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("forks: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    pid_t child = fork();
    if (child < 0) {
        die("forks: fork: %s", strerrorname_np(errno));
    }
    if (child == 0) {
        _exit(failures_status(write_lines(fd, "child", count)));
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
        die("forks: waitpid: %s", strerrorname_np(errno));
    }
    if (!WIFEXITED(status)) {
        die("forks: the child did not exit normally (status 0x%x)", status);
    }
    say("child exit: %d", WEXITSTATUS(status));
    int failures = write_lines(fd, "parent", count) + WEXITSTATUS(status);
    close(fd);
    return failures_status(failures);
}
