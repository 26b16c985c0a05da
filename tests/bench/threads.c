// The benchmark's many-threads program: THREADS threads (default 1000) that all exist at once,
// each making a few system calls, one of them sched_yield (the call a rule names in the
// benchmark, so every thread really stops in the tracer). It then reports the peak RSS of its
// parent, the tracer, as workload.c does: the tracer's memory with THREADS tracees at once.
//
// usage: threads [THREADS]
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peak_rss.h"

// Small stacks: 1000 threads with glibc's default 8 MiB would reserve 8 GiB of address space,
// and the point is the tracer's memory, not the program's.
enum { kStackSize = 64 * 1024 };

static pthread_barrier_t all_started;
static int devnull = -1;

static void* thread_main(void* unused) {
    (void)unused;
    // Every thread waits here until all have been created, so the tracer holds THREADS live
    // tracees at the same moment rather than a few that come and go.
    pthread_barrier_wait(&all_started);
    long failed = 0;
    for (int i = 0; i < 3; ++i) {
        if (sched_yield() != 0) {
            ++failed;
        }
    }
    (void)getpid();
    if (write(devnull, "x", 1) != 1) {
        ++failed;
    }
    return (void*)failed;
}

int main(int argc, char** argv) {
    long count = 1000;
    if (argc > 2 || (argc == 2 && (count = strtol(argv[1], NULL, 10)) <= 0)) {
        fprintf(stderr, "usage: %s [THREADS]\n", argv[0]);
        return 2;
    }
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull < 0) {
        perror("threads: /dev/null");
        return 1;
    }
    pthread_t* threads = calloc((size_t)count, sizeof *threads);
    if (threads == NULL) {
        perror("threads");
        return 1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kStackSize);
    // The main thread joins the barrier too: it is released only once every thread exists.
    pthread_barrier_init(&all_started, NULL, (unsigned)count + 1);
    for (long i = 0; i < count; ++i) {
        int error = pthread_create(&threads[i], &attr, thread_main, NULL);
        if (error != 0) {
            // Without all the threads the barrier would never open: give up loudly.
            fprintf(stderr, "threads: thread %ld: %s\n", i, strerror(error));
            _exit(1);
        }
    }
    pthread_barrier_wait(&all_started);
    long failed = 0;
    for (long i = 0; i < count; ++i) {
        void* result = NULL;
        pthread_join(threads[i], &result);
        failed += (long)result;
    }
    pthread_attr_destroy(&attr);
    free(threads);
    printf("threads %ld\nsyscalls_failed %ld\ntracer_peak_rss_kib %ld\n", count, failed,
           peak_rss_kib(getppid()));
    return 0;
}
