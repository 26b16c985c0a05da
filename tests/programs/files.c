/* files DIR: writes to a log file, a data file and stdout, opening them every way a path
 * filter must see through, so that a test can check that a rule on a path or an fd hits
 * exactly the calls it names:
 *
 *   open DIR/app.log (absolute); open DIR as a dirfd; openat(dirfd, "data.bin");
 *   two writes each to the log, the data file and stdout;
 *   chdir(DIR), mkdir("sub"), open("sub/../rel.log") (relative, with ".."), one write to it;
 *   close the log, openat(dirfd, "sub/reused.bin"), which reuses the log's fd number, one
 *   write to it; open("app.log") again and dup2 it onto that number, one write through it.
 *
 * It first closes every fd it inherited but 0, 1 and 2 (close_range), so that its own fds are
 * 3, 4, ... in every run. Prints one line per call: "open app.log: fd 3" (or the error), "log write
 * 1: ok 12" (or the error); the writes to stdout also print their own text ("stdout write 1"). A
 * failed open is reported and the program goes on (its writes then fail with EBADF). Exits with the
 * number of calls that failed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

#include "say.h"

static int failures = 0;

/* Reports an open-like call's result: "WHAT: fd N" or "WHAT: ERRNAME". */
static int opened(const char* what, int fd) {
    if (fd < 0) {
        ++failures;
        say("%s: %s", what, strerrorname_np(errno));
    } else {
        say("%s: fd %d", what, fd);
    }
    return fd;
}

static void done(const char* what, int result) {
    char buffer[64];
    failures += result < 0;
    say("%s: %s", what, outcome(result, errno, buffer, sizeof buffer));
}

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: files DIR");
    }
    /* Whatever the test runner left open goes, so that the fd numbers are the same in every
     * run (the tests name them in fd= rules). */
    close_range(3, ~0U, 0);
    const char* dir = argv[1];
    char log_path[4096];
    snprintf(log_path, sizeof log_path, "%s/app.log", dir);

    const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    int log = opened("open app.log", open(log_path, flags, 0644));
    int dirfd = opened("open dir", open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    int data = opened("openat data.bin", openat(dirfd, "data.bin", flags, 0644));
    failures += write_lines(log, "log", 2);
    failures += write_lines(data, "data", 2);
    failures += write_lines(STDOUT_FILENO, "stdout", 2);

    done("chdir", chdir(dir));
    done("mkdir sub", mkdir("sub", 0755));
    int rel = opened("open sub/../rel.log", open("sub/../rel.log", flags, 0644));
    failures += write_lines(rel, "rel", 1);

    done("close log", close(log));
    int reused = opened("openat sub/reused.bin", openat(dirfd, "sub/reused.bin", flags, 0644));
    failures += write_lines(reused, "reused", 1);

    int log_again = opened("reopen app.log", open("app.log", O_WRONLY | O_APPEND | O_CLOEXEC));
    done("dup2", dup2(log_again, reused));
    failures += write_lines(reused, "dup2", 1);
    return failures_status(failures);
}
