/* vfork_exec FILE PROGRAM [ARG...]: one write(2) to FILE, then vfork(); the child execv()s
 * PROGRAM with ARGS while the parent is suspended; the parent waits for it, reports its exit
 * status, then makes a second write to FILE.
 *
 * Prints "parent write 1: ...", the child's own output, "child exit: N", "parent write 2:
 * ...". Exits with the parent's failed writes plus the child's status. */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "exec_common.h"

int main(int argc, char** argv) {
    if (argc < 3) {
        die("usage: vfork_exec FILE PROGRAM [ARG...]");
    }
    int fd = open_output(argv[1]);
    char buffer[64];
    ssize_t written = write(fd, "parent write 1\n", 15);
    int failures = written < 0;
    say("parent write 1: %s", outcome(written, errno, buffer, sizeof buffer));
    pid_t child = vfork();
    if (child < 0) {
        die("vfork_exec: vfork: %s", strerrorname_np(errno));
    }
    if (child == 0) {
        /* Only execve and _exit are allowed in a vfork child. */
        execv(argv[2], argv + 2);
        _exit(127);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
        die("vfork_exec: waitpid: %s", strerrorname_np(errno));
    }
    if (!WIFEXITED(status)) {
        die("vfork_exec: the child did not exit normally (status 0x%x)", status);
    }
    say("child exit: %d", WEXITSTATUS(status));
    written = write(fd, "parent write 2\n", 15);
    failures += written < 0;
    say("parent write 2: %s", outcome(written, errno, buffer, sizeof buffer));
    close(fd);
    return failures_status(failures + WEXITSTATUS(status));
}
