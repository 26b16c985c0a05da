/* log_calls FILE: calls whose arguments a syscall log must decode, each once, on FILE (created
 * or truncated): bytes that need escaping, a buffer longer than 32 bytes, iovecs written and read
 * back, reads of what was written, a read and a readv that fail (EBADF), an unlink of a path
 * with a quote and a tab in it that does not exist, an fsync and a close.
 *
 * Prints "write N: ok BYTES|ERRNAME" for its three writes, then "done", so that a test sees
 * which write a rule failed. Exits 0 (SETUP_FAILED when FILE cannot be opened). */
#define _GNU_SOURCE
#include <fcntl.h>

#include "say.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: log_calls FILE");
    }
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        die("log_calls: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    char buffer[64];
    /* A NUL, octal escapes before digits and before letters, quotes, backslash, tab, 0xff. */
    static const char escaped[] = "a\tb\n\"q\\\0012\0017x\377\0z";
    ssize_t written = write(fd, escaped, sizeof escaped - 1);
    say("write 1: %s", outcome(written, errno, buffer, sizeof buffer));
    written = write(fd, "0123456789012345678901234567890123456789", 40);
    say("write 2: %s", outcome(written, errno, buffer, sizeof buffer));
    char first[] = "ab";
    char second[] = "cde";
    struct iovec out[2] = {{first, 2}, {second, 3}};
    written = writev(fd, out, 2);
    say("write 3: %s", outcome(written, errno, buffer, sizeof buffer));

    lseek(fd, 0, SEEK_SET);
    char small[2];
    char large[10];
    (void)read(fd, large, sizeof large);
    struct iovec in[2] = {{small, sizeof small}, {large, sizeof large}};
    (void)readv(fd, in, 2);
    (void)read(-1, large, sizeof large);
    (void)readv(-1, in, 2);

    (void)unlink("no \"such\"\tfile");
    (void)fsync(fd);
    close(fd);
    say("done");
    return 0;
}
