/* A planted bug for inject --explore: a crash on an error path. The journal's one write is
 * checked, and ENOSPC is reported, but any other error looks up a reason that only ENOSPC has
 * and dereferences the NULL it gets: EIO on that write crashes with SIGSEGV.
 * explore_crash [N] appends N entries (default 1), all from the same call site. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char* reason_of(int error) {
    return error == ENOSPC ? "the disk is full" : NULL;
}

static int append_entry(int fd, const char* entry) {
    if (write(fd, entry, strlen(entry)) < 0) {
        const char* reason = reason_of(errno);
        /* The bug: reason is NULL for every error but ENOSPC. */
        fprintf(stderr, "explore_crash: cannot write the journal (%zu bytes of reason)\n",
                strlen(reason));
        return -1;
    }
    return 0;
}

int main(int argc, char** argv) {
    const int entries = argc > 1 ? atoi(argv[1]) : 1;
    const int fd = open("journal.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror("explore_crash: journal.txt");
        return 1;
    }
    int failed = 0;
    for (int entry = 0; entry < entries && !failed; ++entry) {
        failed = append_entry(fd, "an entry\n");
    }
    close(fd);
    return failed ? 1 : 0;
}
