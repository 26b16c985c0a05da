/* shared_fds DIR: two processes that share one fd table (clone with CLONE_FILES, not
 * CLONE_THREAD), as a path filter on fds must see them. The parent opens DIR/A.log and
 * writes to it; the child then closes that fd and opens DIR/B.log, which gets the same number;
 * once the child has ended the parent writes to that fd again, so to B.log. Prints:
 *   fd N
 *   write to A.log: ok 2       (or the errno name)
 *   child: B.log is fd N
 *   write to B.log: ok 2
 * and exits 0 when both writes succeeded, 1 otherwise. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "say.h"

static int open_in(const char* dir, const char* name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("shared_fds: cannot open %s: %s", path, strerrorname_np(errno));
    }
    return fd;
}

static int write_to(int fd, const char* name) {
    char buffer[64];
    ssize_t written = write(fd, "x\n", 2);
    say("write to %s: %s", name, outcome(written, errno, buffer, sizeof buffer));
    return written == 2;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: shared_fds DIR");
    }
    int fd = open_in(argv[1], "A.log");
    say("fd %d", fd);
    int ok = write_to(fd, "A.log");
    /* Raw clone, as fork does it but sharing the fd table: the child runs on a copy of this
     * stack. */
    long child = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
    if (child < 0) {
        die("shared_fds: clone: %s", strerrorname_np(errno));
    }
    if (child == 0) {
        close(fd);
        say("child: B.log is fd %d", open_in(argv[1], "B.log"));
        _exit(0);
    }
    int status = 0;
    if (waitpid((pid_t)child, &status, 0) != child || !WIFEXITED(status)) {
        die("shared_fds: the child failed");
    }
    ok = write_to(fd, "B.log") && ok;
    return ok ? 0 : 1;
}
