/* callers FILE N: one function (write_record) writes to FILE from two call sites, N times under
 * save_config and N times under save_journal, in turn: config 1, journal 1, config 2, ...
 *
 * Prints one line per write, "save_config write I: ok BYTES|ERRNAME" (or save_journal), and
 * exits with the number of writes that failed. Built dynamic, static, stripped of its symbols
 * and 32-bit. */
#define _GNU_SOURCE
#include <fcntl.h>

#include "callers.h"

static int failures;

static void report(const char* who, int i, long result, int error) {
    char buffer[64];
    say("%s write %d: %s", who, i, outcome(result, error, buffer, sizeof buffer));
}

KEEP void save_config(int fd, int i) {
    long result = 0;
    int error = 0;
    failures += write_record(fd, "save_config", i, &result, &error);
    report("save_config", i, result, error);
}

KEEP void save_journal(int fd, int i) {
    long result = 0;
    int error = 0;
    failures += write_record(fd, "save_journal", i, &result, &error);
    report("save_journal", i, result, error);
}

int main(int argc, char** argv) {
    if (argc != 3) {
        die("usage: callers FILE N");
    }
    int count = count_arg(argv[2], "N");
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("callers: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    for (int i = 1; i <= count; ++i) {
        save_config(fd, i);
        save_journal(fd, i);
    }
    close(fd);
    return failures_status(failures);
}
