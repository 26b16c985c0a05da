// The benchmark programs report the peak RSS of their parent: under inject or strace that is
// the tracer, so the benchmark measures the tracer's memory without the traced program's.
#ifndef INJECT_BENCH_PEAK_RSS_H
#define INJECT_BENCH_PEAK_RSS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

// VmHWM of a process in KiB, or -1 when it cannot be read (the parent already gone, say).
static inline long peak_rss_kib(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE* status = fopen(path, "re");
    if (status == NULL) {
        return -1;
    }
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(status);
    return kib;
}

#endif
