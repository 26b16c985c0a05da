/* delayed_write FILE: one write(2) of "hello\n" to FILE by the main thread, timed with
 * CLOCK_MONOTONIC, while a second thread keeps calling getppid(2) and fstat(2) on FILE.
 *
 * The second thread counts the calls it made entirely while the write was in progress (it
 * saw the write started before its call and not yet finished after it), and whether FILE
 * already held the line then. A tracer that delays the write by sleeping would stop the
 * second thread's traced calls too; one that keeps serving it lets it go on.
 *
 * Prints:
 *   write: ok 6            (or the errno name)
 *   write took N us
 *   other thread: M calls during the write
 *   other thread: getppid returned V      ("getppid results varied" if they did)
 *   other thread: saw the line during the write: yes|no
 * and exits 0 when the write succeeded, 1 otherwise. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#include "say.h"

static pthread_barrier_t start;
static atomic_int write_started;
static atomic_int write_done;

struct other_thread {
    int fd;
    long calls_during;
    long ppid;
    int ppid_varied;
    int saw_line;
};

static void* keep_calling(void* argument) {
    struct other_thread* self = argument;
    int first = 1;
    pthread_barrier_wait(&start);
    while (!atomic_load(&write_done)) {
        int started_before = atomic_load(&write_started);
        long ppid = (long)getppid();
        struct stat status;
        int has_line = fstat(self->fd, &status) == 0 && status.st_size > 0;
        int done_after = atomic_load(&write_done);
        if (first) {
            self->ppid = ppid;
            first = 0;
        } else if (ppid != self->ppid) {
            self->ppid_varied = 1;
        }
        if (started_before && !done_after) {
            ++self->calls_during;
            self->saw_line = self->saw_line || has_line;
        }
    }
    return NULL;
}

static long long micros(const struct timespec* t) {
    return (long long)t->tv_sec * 1000000LL + t->tv_nsec / 1000;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: delayed_write FILE");
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("delayed_write: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    pthread_barrier_init(&start, NULL, 2);
    static struct other_thread other;
    other.fd = fd;
    pthread_t id;
    int error = pthread_create(&id, NULL, keep_calling, &other);
    if (error != 0) {
        die("delayed_write: pthread_create: %s", strerrorname_np(error));
    }
    pthread_barrier_wait(&start);

    struct timespec before;
    struct timespec after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    atomic_store(&write_started, 1);
    ssize_t written = write(fd, "hello\n", 6);
    int write_error = errno;
    clock_gettime(CLOCK_MONOTONIC, &after);
    atomic_store(&write_done, 1);
    pthread_join(id, NULL);

    char buffer[64];
    say("write: %s", outcome(written, write_error, buffer, sizeof buffer));
    say("write took %lld us", micros(&after) - micros(&before));
    say("other thread: %ld calls during the write", other.calls_during);
    if (other.ppid_varied) {
        say("other thread: getppid results varied");
    } else {
        say("other thread: getppid returned %ld", other.ppid);
    }
    say("other thread: saw the line during the write: %s", other.saw_line ? "yes" : "no");
    close(fd);
    return written == 6 ? 0 : 1;
}
