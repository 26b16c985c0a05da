/* thread_loop W: a multi-threaded program that runs until told to end, for inject to attach to
 * (-p). W worker threads call write(2) (one byte to /dev/null) over and over, and a spawner
 * thread starts one short-lived thread after another (each makes one write and ends), so that
 * threads come and go while inject attaches.
 *
 * It says "ready", then reads commands from stdin, one per line:
 *   probe  every worker, and the next short-lived thread, reports the outcome of a write it
 *          began after the command was read: answers "probe: R1 ... RW spawned R", each "ok"
 *          or an errno name;
 *   leave  the main thread hands the commands over to a new thread and exits (pthread_exit),
 *          as the main thread of some programs does; answers "left" once it is a zombie.
 * At the end of stdin the threads stop; it says "stray: N", the writes that failed otherwise
 * than with EIO (the one error the tests inject) or wrote nothing, and exits 0.
 *
 * Any process may trace it (PR_SET_PTRACER), as write_loop. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <time.h>

#include "say.h"

enum { MAX_WORKERS = 32 };

static int devnull = -1;
static int worker_count = 0;
static pthread_t workers[MAX_WORKERS];
static pthread_t spawner_thread;

static atomic_int stop;
static atomic_int stray;
/* Bumped by each probe; a thread answers a probe with a write it began after reading it. */
static atomic_int generation;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t answered = PTHREAD_COND_INITIALIZER;
static int answers;                       /* under lock */
static char results[MAX_WORKERS + 1][32]; /* under lock; the last slot is the spawned one */
static int spawned_generation;            /* the short-lived threads run one at a time */

static void write_once(char* result, size_t size) {
    ssize_t written = write(devnull, "x", 1);
    int error = errno;
    if (written == 1) {
        snprintf(result, size, "ok");
        return;
    }
    if (written != -1 || error != EIO) {
        atomic_fetch_add(&stray, 1);
    }
    snprintf(result, size, "%s", written < 0 ? strerrorname_np(error) : "short");
}

static void answer(int slot, const char* result) {
    pthread_mutex_lock(&lock);
    snprintf(results[slot], sizeof results[slot], "%s", result);
    ++answers;
    pthread_cond_broadcast(&answered);
    pthread_mutex_unlock(&lock);
}

static void* work(void* argument) {
    int slot = (int)(intptr_t)argument;
    int answered_generation = 0;
    while (!atomic_load(&stop)) {
        int wanted = atomic_load(&generation);
        char result[32];
        write_once(result, sizeof result);
        if (wanted != answered_generation) {
            answered_generation = wanted;
            answer(slot, result);
        }
    }
    return NULL;
}

static void* live_briefly(void* unused) {
    (void)unused;
    int wanted = atomic_load(&generation);
    char result[32];
    write_once(result, sizeof result);
    if (wanted != spawned_generation) {
        spawned_generation = wanted;
        answer(worker_count, result);
    }
    return NULL;
}

static void* spawn(void* unused) {
    (void)unused;
    while (!atomic_load(&stop)) {
        pthread_t thread;
        int error = pthread_create(&thread, NULL, live_briefly, NULL);
        if (error != 0) {
            die("thread_loop: pthread_create: %s", strerrorname_np(error));
        }
        pthread_join(thread, NULL);
    }
    return NULL;
}

static void probe(void) {
    char line[MAX_WORKERS * 16 + 64] = "probe:";
    pthread_mutex_lock(&lock);
    answers = 0;
    atomic_fetch_add(&generation, 1);
    while (answers < worker_count + 1) {
        pthread_cond_wait(&answered, &lock);
    }
    for (int slot = 0; slot <= worker_count; ++slot) {
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%s %.31s",
                 slot == worker_count ? " spawned" : "", results[slot]);
    }
    pthread_mutex_unlock(&lock);
    say("%s", line);
}

/* The state letter of the main thread in /proc: 'Z' once it has exited. */
static char main_thread_state(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid());
    FILE* file = fopen(path, "r");
    if (file == NULL) {
        return '?';
    }
    char buffer[512];
    size_t length = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[length] = '\0';
    const char* close = strrchr(buffer, ')');
    return close != NULL && close[1] == ' ' ? close[2] : '?';
}

static void* serve(void* after_leave);
static int handed_over; /* its address marks the serving thread that took over */

static void leave(void) {
    pthread_t server;
    int error = pthread_create(&server, NULL, serve, &handed_over);
    if (error != 0) {
        die("thread_loop: pthread_create: %s", strerrorname_np(error));
    }
    pthread_exit(NULL);
}

static void* serve(void* after_leave) {
    if (after_leave != NULL) {
        /* Wait (up to 10 s) until the main thread is gone for good. */
        const struct timespec tick = {.tv_sec = 0, .tv_nsec = 1000 * 1000};
        for (int round = 0; round < 10000 && main_thread_state() != 'Z'; ++round) {
            nanosleep(&tick, NULL);
        }
        say(main_thread_state() == 'Z' ? "left" : "left, but the main thread is not a zombie");
    }
    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strcmp(line, "probe\n") == 0) {
            probe();
        } else if (strcmp(line, "leave\n") == 0 && after_leave == NULL) {
            leave();
        } else {
            die("thread_loop: unknown command: %s", line);
        }
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < worker_count; ++i) {
        pthread_join(workers[i], NULL);
    }
    pthread_join(spawner_thread, NULL);
    say("stray: %d", atomic_load(&stray));
    exit(0);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: thread_loop W");
    }
    worker_count = count_arg(argv[1], "W");
    if (worker_count < 1 || worker_count > MAX_WORKERS) {
        die("thread_loop: W must be 1..%d", MAX_WORKERS);
    }
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull < 0) {
        die("thread_loop: cannot open /dev/null: %s", strerrorname_np(errno));
    }
    for (int i = 0; i < worker_count; ++i) {
        int error = pthread_create(&workers[i], NULL, work, (void*)(intptr_t)i);
        if (error != 0) {
            die("thread_loop: pthread_create: %s", strerrorname_np(error));
        }
    }
    int error = pthread_create(&spawner_thread, NULL, spawn, NULL);
    if (error != 0) {
        die("thread_loop: pthread_create: %s", strerrorname_np(error));
    }
    say("ready");
    serve(NULL);
    return 0;
}
