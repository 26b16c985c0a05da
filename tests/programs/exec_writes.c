/* exec_writes FILE N PROGRAM [ARG...]: N write(2) calls to FILE, then execv(PROGRAM, ARGS),
 * so that a test can check that counting carries on across execve (and, with a rule on
 * execve, that a later execve can be made to fail). Prints "exec write J: ...", "execve
 * PROGRAM", and "execve: ERRNAME" when the execve fails (exit: failures + 1). */
#define _GNU_SOURCE
#include "exec_common.h"

int main(int argc, char** argv) {
    if (argc < 4) {
        die("usage: exec_writes FILE N PROGRAM [ARG...]");
    }
    int count = count_arg(argv[2], "N");
    int fd = open_output(argv[1]);
    int failures = write_lines(fd, "exec", count);
    close(fd);
    exec_or_report(argv + 3, failures);
}
