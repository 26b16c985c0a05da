/* fair_threads T MILLISECONDS [exec PROGRAM [ARG...]]: T threads write(2) one byte to
 * /dev/null over and over for MILLISECONDS, each counting its own calls; then the program
 * prints "started S of T" (the threads that got as far as their first write before the time
 * was up) and "calls MIN MAX" (the fewest and the most writes one thread made), and exits 0.
 *
 * Under a tracer that serves the thread that stops most often first, the others starve: some
 * never get past their first stop, and MAX/MIN grows to thousands (bare and under strace, it
 * stays within a few times).
 *
 * With "exec PROGRAM", a thread that is not the leader makes 1000 writes of its own once the
 * time is up, then execs PROGRAM, while the writers still write: it must get its turns, and
 * the exec must kill them and take over, however busy they are. The counts are printed before
 * the exec. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "say.h"

enum { MAX_THREADS = 1000 };

static int devnull = -1;
static atomic_int stop;
static atomic_long calls[MAX_THREADS];

static void* writer(void* argument) {
    atomic_long* count = argument;
    while (!atomic_load(&stop)) {
        if (write(devnull, "x", 1) == 1) {
            atomic_fetch_add(count, 1);
        }
    }
    return NULL;
}

static int thread_count;
static long run_milliseconds;

static void sleep_ms(long milliseconds) {
    struct timespec wait = {.tv_sec = milliseconds / 1000,
                            .tv_nsec = (milliseconds % 1000) * 1000000L};
    while (nanosleep(&wait, &wait) != 0 && errno == EINTR) {
    }
}

static void report(void) {
    int started = 0;
    long fewest = -1;
    long most = 0;
    for (int i = 0; i < thread_count; ++i) {
        const long count = atomic_load(&calls[i]);
        started += count > 0;
        fewest = fewest < 0 || count < fewest ? count : fewest;
        most = count > most ? count : most;
    }
    say("started %d of %d", started, thread_count);
    say("calls %ld %ld", fewest, most);
}

/* Started before the writers, so that a tracer which favours the newest threads (as the
 * kernel's list of tracees, newest first, would make it) does not favour this one. */
static void* exec_program(void* argument) {
    char** argv = argument;
    sleep_ms(run_milliseconds);
    report(); /* the counts as they are; the writers go on until the exec ends them */
    /* Its own writes stop under the rule as the writers' do: it must get its turns. */
    for (int i = 0; i < 1000; ++i) {
        if (write(devnull, "x", 1) != 1) {
            die("write: %s", strerror(errno));
        }
    }
    execv(argv[0], argv);
    die("execv %s: %s", argv[0], strerror(errno));
    return NULL;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        die("usage: fair_threads T MILLISECONDS [exec PROGRAM [ARG...]]");
    }
    thread_count = atoi(argv[1]);
    run_milliseconds = atol(argv[2]);
    if (thread_count < 1 || thread_count > MAX_THREADS || run_milliseconds < 1) {
        die("fair_threads: T is 1..%d, MILLISECONDS at least 1", MAX_THREADS);
    }
    const int exec_after = argc > 4 && strcmp(argv[3], "exec") == 0;
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull < 0) {
        die("open /dev/null: %s", strerror(errno));
    }
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    pthread_t execer;
    if (exec_after) {
        const int error = pthread_create(&execer, &attributes, exec_program, argv + 4);
        if (error != 0) {
            die("pthread_create: %s", strerror(error));
        }
    }
    static pthread_t ids[MAX_THREADS];
    for (int i = 0; i < thread_count; ++i) {
        const int error = pthread_create(&ids[i], &attributes, writer, &calls[i]);
        if (error != 0) {
            die("pthread_create: %s", strerror(error));
        }
    }
    if (exec_after) {
        pthread_join(execer, NULL); /* never returns: the exec ends this thread */
        return 1;
    }
    sleep_ms(run_milliseconds);
    atomic_store(&stop, 1);
    for (int i = 0; i < thread_count; ++i) {
        pthread_join(ids[i], NULL);
    }
    report();
    return 0;
}
