/* Output for the test programs.
 *
 * The programs report what they observed on stdout, but the faults they are tested with are
 * mostly on write(2). Their own output therefore goes out with writev(2), one line per call,
 * so that a rule on "write" counts and hits only the writes the program makes on purpose and
 * never eats the report. Each line is a single writev, so lines from different processes
 * sharing the stdout pipe never interleave within a line. */
#ifndef INJECT_TEST_PROGRAMS_SAY_H
#define INJECT_TEST_PROGRAMS_SAY_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static void say_fd(int fd, const char* format, va_list args) {
    char line[512];
    int length = vsnprintf(line, sizeof line - 1, format, args);
    if (length < 0) {
        return;
    }
    if ((size_t)length > sizeof line - 2) {
        length = (int)sizeof line - 2;
    }
    line[length++] = '\n';
    struct iovec iov = {.iov_base = line, .iov_len = (size_t)length};
    while (writev(fd, &iov, 1) < 0 && errno == EINTR) {
    }
}

/* One line on stdout. */
static inline __attribute__((format(printf, 1, 2))) void say(const char* format, ...) {
    va_list args;
    va_start(args, format);
    say_fd(STDOUT_FILENO, format, args);
    va_end(args);
}

/* Exit status of a program that could not even set up its experiment (bad arguments, a file
 * it could not open): out of the range of the failure counts the programs exit with. */
#define SETUP_FAILED 100

/* One line on stderr, then exit SETUP_FAILED. */
static inline __attribute__((format(printf, 1, 2), noreturn)) void die(const char* format, ...) {
    va_list args;
    va_start(args, format);
    say_fd(STDERR_FILENO, format, args);
    va_end(args);
    exit(SETUP_FAILED);
}

/* The programs exit with how many calls failed, capped below SETUP_FAILED. */
static inline int failures_status(int failures) {
    return failures < 99 ? failures : 99;
}

/* "ENOSPC" for -1/ENOSPC, "ok N" otherwise: how a result is reported. */
static inline const char* outcome(long result, int error, char* buffer, size_t size) {
    if (result < 0) {
        const char* name = strerrorname_np(error);
        snprintf(buffer, size, "%s", name != NULL ? name : "E?");
    } else {
        snprintf(buffer, size, "ok %ld", result);
    }
    return buffer;
}

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

/* Parses a non-negative count from argv, or dies. */
static inline int count_arg(const char* text, const char* what) {
    char* end = NULL;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 0 || value > 100000) {
        die("bad %s: %s", what, text);
    }
    return (int)value;
}

#endif
