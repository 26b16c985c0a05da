/* Shared by the programs that write then exec another program. */
#ifndef INJECT_TEST_PROGRAMS_EXEC_COMMON_H
#define INJECT_TEST_PROGRAMS_EXEC_COMMON_H

#include <fcntl.h>

#include "say.h"

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
