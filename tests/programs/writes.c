/* writes FILE N: N write(2) calls of "line I\n" to FILE (created or truncated), then fsync.
 *
 * Prints one line per call, "write I: ok BYTES" or "write I: ERRNAME", then "fsync: ...".
 * Exits with the number of calls that failed. Built natively, static and 32-bit. */
#define _GNU_SOURCE
#include <fcntl.h>

#include "say.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        die("usage: writes FILE N");
    }
    int count = count_arg(argv[2], "N");
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("writes: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    int failures = 0;
    char buffer[64];
    for (int i = 1; i <= count; ++i) {
        char chunk[32];
        int length = snprintf(chunk, sizeof chunk, "line %d\n", i);
        ssize_t written = write(fd, chunk, (size_t)length);
        failures += written < 0;
        say("write %d: %s", i, outcome(written, errno, buffer, sizeof buffer));
    }
    int synced = fsync(fd);
    failures += synced < 0;
    say("fsync: %s", outcome(synced, errno, buffer, sizeof buffer));
    close(fd);
    return failures_status(failures);
}
