// The benchmark's idle-threads program: THREADS threads that wait on a condition variable (one
// futex wait each, then nothing) beside the main thread, which makes CALLS one-byte writes to
// /dev/null, the hot rule's calls. A tracer that scans every tracee at each stop (waitpid(-1)
// does) pays for the idle ones on every one of those calls.
//
// It prints "hot_us N", the time of the hot calls alone: the whole run also counts the idle
// threads' start and end, which cost as much bare (a tracer adds a stop to each) and would
// hide what the idle threads do to each hot call.
//
// usage: idle_threads THREADS CALLS
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { kStackSize = 64 * 1024 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t one_more_waits = PTHREAD_COND_INITIALIZER;  // for the main thread
static pthread_cond_t released = PTHREAD_COND_INITIALIZER;        // for the idle ones
static long waiting = 0;
static int done = 0;

static long long now_us(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static void* idle(void* unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    ++waiting;
    pthread_cond_signal(&one_more_waits);
    while (!done) {
        pthread_cond_wait(&released, &lock);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char** argv) {
    long count = 0;
    long calls = 0;
    if (argc != 3 || (count = strtol(argv[1], NULL, 10)) < 0 ||
        (calls = strtol(argv[2], NULL, 10)) < 0) {
        fprintf(stderr, "usage: %s THREADS CALLS\n", argv[0]);
        return 2;
    }
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    pthread_t* threads = calloc((size_t)count + 1, sizeof *threads);
    if (fd < 0 || threads == NULL) {
        perror("idle_threads");
        return 1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kStackSize);
    for (long i = 0; i < count; ++i) {
        int error = pthread_create(&threads[i], &attr, idle, NULL);
        if (error != 0) {
            fprintf(stderr, "idle_threads: thread %ld: %s\n", i, strerror(error));
            _exit(1);
        }
    }
    // Every thread waits before the hot calls begin.
    pthread_mutex_lock(&lock);
    while (waiting < count) {
        pthread_cond_wait(&one_more_waits, &lock);
    }
    pthread_mutex_unlock(&lock);
    long ok = 0;
    const long long start_us = now_us();
    for (long i = 0; i < calls; ++i) {
        ok += write(fd, "x", 1) == 1;
    }
    const long long hot_us = now_us() - start_us;
    pthread_mutex_lock(&lock);
    done = 1;
    pthread_cond_broadcast(&released);
    pthread_mutex_unlock(&lock);
    for (long i = 0; i < count; ++i) {
        pthread_join(threads[i], NULL);
    }
    char report[128];
    int length = snprintf(report, sizeof report, "threads %ld\nwrites_ok %ld\nhot_us %lld\n", count,
                          ok, hot_us);
    return write(STDOUT_FILENO, report, (size_t)length) == length ? 0 : 1;
}
