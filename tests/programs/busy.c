/* busy CHILDREN: CHILDREN + 1 processes, each with a second thread, that write(2) two bytes to
 * /dev/null over and over until they are killed, so that under a hot rule some tracee is
 * always stopped. Each process says "pid N" once it runs (the parent first). Exits only by a
 * signal. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>

#include "say.h"

static void write_forever(void) {
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die("busy: cannot open /dev/null: %s", strerrorname_np(errno));
    }
    for (;;) {
        (void)!write(fd, "xy", 2);
    }
}

static void* thread_writes(void* unused) {
    (void)unused;
    write_forever();
    return NULL;
}

static void run(void) {
    say("pid %d", (int)getpid());
    pthread_t thread;
    if (pthread_create(&thread, NULL, thread_writes, NULL) != 0) {
        die("busy: pthread_create failed");
    }
    write_forever();
}

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: busy CHILDREN");
    }
    int children = count_arg(argv[1], "CHILDREN");
    say("pid %d", (int)getpid());
    for (int i = 0; i < children; ++i) {
        pid_t child = fork();
        if (child < 0) {
            die("busy: fork: %s", strerrorname_np(errno));
        }
        if (child == 0) {
            run();
        }
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, thread_writes, NULL) != 0) {
        die("busy: pthread_create failed");
    }
    write_forever();
}
