// The benchmark's traced program: HOT_COUNT 1-byte write()s to /dev/null (the hot syscall) and
// RARE_COUNT sched_yield()s (the rare one: neither the C library's start-up nor its exit makes
// it, so a rule on it stops only RARE_COUNT times). Injected failures are expected and counted.
// At the end it reports the peak RSS of its parent, which is the tracer when it runs under
// inject or strace: the benchmark measures the tracer's memory without the traced program's.
//
// usage: workload HOT_COUNT [RARE_COUNT]
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peak_rss.h"

// The report is a write() too, so a rule on write may fail it (when=10+10 and HOT_COUNT 999,
// say): it goes out in one call, retried, so that the benchmark always gets its figures.
static int write_report(const char* text, size_t length) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        ssize_t written = write(STDOUT_FILENO, text, length);
        if (written == (ssize_t)length) {
            return 0;
        }
        if (written > 0) {
            text += written;
            length -= (size_t)written;
        }
    }
    return -1;
}

static int parse_count(const char* text, long* out) {
    char* end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0) {
        return -1;
    }
    *out = value;
    return 0;
}

int main(int argc, char** argv) {
    long hot = 0;
    long rare = 0;
    if (argc < 2 || argc > 3 || parse_count(argv[1], &hot) != 0 ||
        (argc == 3 && parse_count(argv[2], &rare) != 0)) {
        fprintf(stderr, "usage: %s HOT_COUNT [RARE_COUNT]\n", argv[0]);
        return 2;
    }
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        perror("workload: /dev/null");
        return 1;
    }

    // The rare calls are spread over the run rather than bunched at one end, so that a tracer
    // which slows down after its first stop would show it.
    long rare_every = rare > 0 ? hot / rare + 1 : 0;
    long writes_ok = 0, writes_failed = 0, rare_ok = 0, rare_failed = 0;
    for (long i = 0; i < hot; ++i) {
        if (write(fd, "x", 1) == 1) {
            ++writes_ok;
        } else {
            ++writes_failed;
        }
        if (rare_every > 0 && i % rare_every == 0 && rare_ok + rare_failed < rare) {
            if (sched_yield() == 0) {
                ++rare_ok;
            } else {
                ++rare_failed;
            }
        }
    }
    while (rare_ok + rare_failed < rare) {
        if (sched_yield() == 0) {
            ++rare_ok;
        } else {
            ++rare_failed;
        }
    }
    close(fd);

    char report[256];
    int length = snprintf(report, sizeof report,
                          "writes_ok %ld\nwrites_failed %ld\nrare_ok %ld\nrare_failed %ld\n"
                          "tracer_peak_rss_kib %ld\n",
                          writes_ok, writes_failed, rare_ok, rare_failed, peak_rss_kib(getppid()));
    return write_report(report, (size_t)length) == 0 ? 0 : 1;
}
