/* kernel_faults: what the program sees of an injected close and brk failure, which inject
 * makes as the kernel does. Linux releases a closed fd whatever close returns, so after a
 * failed close the fd must be gone; and the kernel's brk never fails with an error, it
 * returns the break unchanged, which glibc's sbrk turns into -1 ENOMEM.
 * It says "close: RESULT", "fd: open|released", "sbrk: ok|ERRNO", "break: moved|unchanged". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "say.h"

int main(void) {
    const int fd = open("/dev/null", O_RDONLY);
    const int closed = close(fd);
    const int close_error = errno;
    say("close: %s", closed == 0 ? "ok" : strerrorname_np(close_error));
    say("fd: %s", fcntl(fd, F_GETFD) == -1 ? "released" : "open");

    void* const before = sbrk(0);
    void* const grown = sbrk(1 << 20);
    const int brk_error = errno;
    void* const after = sbrk(0);
    say("sbrk: %s", grown == (void*)-1 ? strerrorname_np(brk_error) : "ok");
    say("break: %s", before == after ? "unchanged" : "moved");
    return 0;
}
