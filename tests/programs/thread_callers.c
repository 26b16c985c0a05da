/* thread_callers FILE K: two threads, started together, write K times each to FILE (shared,
 * O_APPEND): one under save_config, the other under save_journal, so that their calls
 * interleave differently in every run while each call's stack stays the same.
 *
 * After joining both, prints "save_config write J: ok BYTES|ERRNAME" for J = 1..K, then the
 * same for save_journal (deterministic output whatever the scheduling), and exits with the
 * number of failed writes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>

#include "callers.h"

enum { MAX_WRITES = 64 };

struct writer {
    const char* name;
    void (*save)(struct writer* self, int i);
    int fd;
    int writes;
    pthread_barrier_t* start;
    int failures;
    long result[MAX_WRITES];
    int error[MAX_WRITES];
};

KEEP void save_config(struct writer* self, int i) {
    self->failures +=
        write_record(self->fd, "save_config", i, &self->result[i - 1], &self->error[i - 1]);
}

KEEP void save_journal(struct writer* self, int i) {
    self->failures +=
        write_record(self->fd, "save_journal", i, &self->result[i - 1], &self->error[i - 1]);
}

static void* work(void* argument) {
    struct writer* self = argument;
    pthread_barrier_wait(self->start);
    for (int i = 1; i <= self->writes; ++i) {
        self->save(self, i);
    }
    return NULL;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        die("usage: thread_callers FILE K");
    }
    int writes = count_arg(argv[2], "K");
    if (writes > MAX_WRITES) {
        die("thread_callers: K must be at most %d", MAX_WRITES);
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("thread_callers: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    static struct writer writers[2];
    writers[0] = (struct writer){"save_config", save_config, fd, writes, &start, 0, {0}, {0}};
    writers[1] = (struct writer){"save_journal", save_journal, fd, writes, &start, 0, {0}, {0}};
    pthread_t ids[2];
    for (int w = 0; w < 2; ++w) {
        int error = pthread_create(&ids[w], NULL, work, &writers[w]);
        if (error != 0) {
            die("thread_callers: pthread_create: %s", strerrorname_np(error));
        }
    }
    int failures = 0;
    char buffer[64];
    for (int w = 0; w < 2; ++w) {
        pthread_join(ids[w], NULL);
        failures += writers[w].failures;
        for (int i = 0; i < writes; ++i) {
            say("%s write %d: %s", writers[w].name, i + 1,
                outcome(writers[w].result[i], writers[w].error[i], buffer, sizeof buffer));
        }
    }
    close(fd);
    return failures_status(failures);
}
