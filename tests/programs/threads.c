/* threads FILE T K: T threads, started together, each make K write(2) calls to FILE (shared,
 * O_APPEND). The main thread makes no write itself.
 *
 * After joining them all, prints "thread I write J: ok BYTES|ERRNAME" in thread then call
 * order (so the output is deterministic whatever the scheduling), and exits with the number of
 * failed writes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>

#include "say.h"

enum { MAX_THREADS = 64, MAX_WRITES = 64 };

struct worker {
    int index;
    int writes;
    int fd;
    pthread_barrier_t* start;
    long result[MAX_WRITES];
    int error[MAX_WRITES];
};

static void* work(void* argument) {
    struct worker* self = argument;
    /* All threads exist before any writes, so their calls really interleave. */
    pthread_barrier_wait(self->start);
    for (int j = 0; j < self->writes; ++j) {
        char chunk[48];
        int length = snprintf(chunk, sizeof chunk, "thread %d write %d\n", self->index, j + 1);
        self->result[j] = write(self->fd, chunk, (size_t)length);
        self->error[j] = errno;
    }
    return NULL;
}

int main(int argc, char** argv) {
    if (argc != 4) {
        die("usage: threads FILE T K");
    }
    int threads = count_arg(argv[2], "T");
    int writes = count_arg(argv[3], "K");
    if (threads < 1 || threads > MAX_THREADS || writes > MAX_WRITES) {
        die("threads: T must be 1..%d and K at most %d", MAX_THREADS, MAX_WRITES);
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("threads: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    static struct worker workers[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    for (int i = 0; i < threads; ++i) {
        workers[i] = (struct worker){.index = i + 1, .writes = writes, .fd = fd, .start = &start};
        int error = pthread_create(&ids[i], NULL, work, &workers[i]);
        if (error != 0) {
            die("threads: pthread_create: %s", strerrorname_np(error));
        }
    }
    int failures = 0;
    char buffer[64];
    for (int i = 0; i < threads; ++i) {
        pthread_join(ids[i], NULL);
        for (int j = 0; j < writes; ++j) {
            failures += workers[i].result[j] < 0;
            say("thread %d write %d: %s", i + 1, j + 1,
                outcome(workers[i].result[j], workers[i].error[j], buffer, sizeof buffer));
        }
    }
    close(fd);
    return failures_status(failures);
}
