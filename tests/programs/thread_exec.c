/* thread_exec FILE N PROGRAM [ARG...]: the main thread makes N write(2) calls to FILE, then
 * starts a thread and sleeps; that thread makes N writes of its own and execv()s PROGRAM.
 *
 * The execve from a thread that is not the thread-group leader is the hard case for a tracer:
 * the kernel kills the leader, the execing thread takes over the leader's pid, and the tracer
 * sees the exec stop under a pid whose previous syscall it never saw. Prints "main write J:
 * ...", "thread write J: ...", "execve PROGRAM", then whatever PROGRAM prints. */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>

#include "exec_common.h"

struct job {
    int fd;
    int count;
    int failures;
    char** argv;
};

static void* exec_from_thread(void* argument) {
    struct job* job = argument;
    job->failures += write_lines(job->fd, "thread", job->count);
    close(job->fd);
    exec_or_report(job->argv, job->failures);
    return NULL;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        die("usage: thread_exec FILE N PROGRAM [ARG...]");
    }
    static struct job job;
    job.count = count_arg(argv[2], "N");
    job.fd = open_output(argv[1]);
    job.argv = argv + 3;
    job.failures = write_lines(job.fd, "main", job.count);
    pthread_t thread;
    int error = pthread_create(&thread, NULL, exec_from_thread, &job);
    if (error != 0) {
        die("thread_exec: pthread_create: %s", strerrorname_np(error));
    }
    /* The execve ends this sleep by killing the main thread; a long sleep only means the exec
     * never happened, and the test's timeout reports that. */
    for (;;) {
        pause();
    }
}
