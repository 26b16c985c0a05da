/* segv FILE: one write to FILE, reported, then death by SIGSEGV (a real fault, not raise()), so
 * that the injector must report the program's death as 128+11. */
#define _GNU_SOURCE
#include <fcntl.h>

#include "say.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: segv FILE");
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("segv: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    char buffer[64];
    ssize_t written = write(fd, "before the crash\n", 17);
    say("write 1: %s", outcome(written, errno, buffer, sizeof buffer));
    volatile int* volatile nowhere = NULL;
    *nowhere = 42;
    say("still alive");
    return 0;
}
