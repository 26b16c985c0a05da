/* write_loop FILE: a program that runs until told to end, for inject to attach to (-p).
 *
 * It says "ready", then reads commands from stdin, one per line, and answers each with one
 * line on stdout:
 *   batch N    makes N write(2) calls of "line K\n" to FILE (K counts on across commands) and
 *              answers "batch: R1 ... RN", each "ok" or the errno name of a failed call;
 *   loop       writes on and on until the next line arrives on stdin, saying
 *              "write K: ok|ERRNAME" for the first write and for each write whose outcome
 *              differs from the one before, then answers "loop: ended";
 *   raise SIG  dies of signal number SIG, with its default action.
 * At the end of stdin it says "done: W writes, F failed" and exits with F (capped at 99).
 *
 * Any process may trace it (PR_SET_PTRACER): with a Yama ptrace_scope of 1, inject could
 * otherwise attach to it only as root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>

#include "say.h"

static int writes = 0;
static int failures = 0;

/* One line of stdin, read a byte at a time so that nothing is buffered past it (the loop
 * polls fd 0 for the next command). Returns 0 at the end of stdin. */
static int read_line(char* line, size_t size) {
    size_t length = 0;
    for (;;) {
        char c;
        ssize_t got = read(STDIN_FILENO, &c, 1);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return 0;
        }
        if (c == '\n') {
            line[length] = '\0';
            return 1;
        }
        if (length + 1 < size) {
            line[length++] = c;
        }
    }
}

/* The next write; its outcome as "ok" or the errno name, into `result`. */
static void write_next(int fd, char* result, size_t size) {
    char chunk[32];
    int length = snprintf(chunk, sizeof chunk, "line %d\n", ++writes);
    ssize_t written = write(fd, chunk, (size_t)length);
    if (written == length) {
        snprintf(result, size, "ok");
        return;
    }
    ++failures;
    if (written < 0) {
        snprintf(result, size, "%s", strerrorname_np(errno));
    } else {
        snprintf(result, size, "short %zd", written);
    }
}

static void batch(int fd, int count) {
    char answer[4096] = "batch:";
    size_t used = strlen(answer);
    for (int i = 0; i < count; ++i) {
        char result[32];
        write_next(fd, result, sizeof result);
        used += (size_t)snprintf(answer + used, sizeof answer - used, " %s", result);
        if (used >= sizeof answer) {
            die("write_loop: batch too large");
        }
    }
    say("%s", answer);
}

static void loop(int fd) {
    char previous[32] = "";
    struct pollfd command = {.fd = STDIN_FILENO, .events = POLLIN};
    while (poll(&command, 1, 0) == 0) {
        char result[32];
        write_next(fd, result, sizeof result);
        if (strcmp(result, previous) != 0) {
            say("write %d: %s", writes, result);
            snprintf(previous, sizeof previous, "%s", result);
        }
    }
    char ignored[64];
    read_line(ignored, sizeof ignored);
    say("loop: ended");
}

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: write_loop FILE");
    }
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("write_loop: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    say("ready");
    char line[64];
    while (read_line(line, sizeof line)) {
        int number = 0;
        if (sscanf(line, "batch %d", &number) == 1 && number > 0 && number <= 100) {
            batch(fd, number);
        } else if (strcmp(line, "loop") == 0) {
            loop(fd);
        } else if (sscanf(line, "raise %d", &number) == 1) {
            signal(number, SIG_DFL);
            raise(number);
            die("write_loop: still alive after signal %d", number);
        } else {
            die("write_loop: unknown command: %s", line);
        }
    }
    say("done: %d writes, %d failed", writes, failures);
    return failures_status(failures);
}
