/* Shared by the programs that write then exec another program. */
#ifndef INJECT_TEST_PROGRAMS_EXEC_COMMON_H
#define INJECT_TEST_PROGRAMS_EXEC_COMMON_H

#include <fcntl.h>

#include "say.h"

/* Makes COUNT write(2) calls of "WHO write J\n" to FD and reports each; returns the failures. */
static inline int write_lines(int fd, const char* who, int count) {
    int failures = 0;
    char buffer[64];
    for (int j = 1; j <= count; ++j) {
        char chunk[48];
        int length = snprintf(chunk, sizeof chunk, "%s write %d\n", who, j);
        ssize_t written = write(fd, chunk, (size_t)length);
        failures += written < 0;
        say("%s write %d: %s", who, j, outcome(written, errno, buffer, sizeof buffer));
    }
    return failures;
}

static inline int open_output(const char* path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("cannot open %s: %s", path, strerrorname_np(errno));
    }
    return fd;
}

/* execv()s argv[0] with argv; when that fails, reports it and exits with how many calls had
 * failed before plus the failed execve. */
static inline void exec_or_report(char** argv, int failures) {
    say("execve %s", argv[0]);
    execv(argv[0], argv);
    say("execve: %s", strerrorname_np(errno));
    exit(failures_status(failures + 1));
}

#endif
