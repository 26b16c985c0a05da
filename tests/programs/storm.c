/* storm THREADS CHILDREN WRITES: a storm of tracees for a hot per-thread rule. THREADS threads
 * and CHILDREN forked children all run at once; each child execs this program again
 * ("storm child WRITES"), so that execs happen while the threads write. Every thread and every
 * exec'd child makes WRITES write(2) calls of one byte to /dev/null and counts those that
 * failed; the main thread makes none.
 *
 * Prints one line, "threads T failed F, children C failed G", where F and G are the failed
 * writes of all threads and all children, and exits 0 (SETUP_FAILED when it could not run). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "say.h"

static int writes_per_tracee;
static atomic_int failed_in_threads;

static int failed_writes(int count) {
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die("storm: cannot open /dev/null: %s", strerrorname_np(errno));
    }
    int failed = 0;
    for (int i = 0; i < count; ++i) {
        failed += write(fd, "x", 1) != 1;
    }
    close(fd);
    return failed;
}

static void* thread_writes(void* unused) {
    (void)unused;
    atomic_fetch_add(&failed_in_threads, failed_writes(writes_per_tracee));
    return NULL;
}

static pid_t start_child(const char* writes) {
    pid_t child = fork();
    if (child < 0) {
        die("storm: fork: %s", strerrorname_np(errno));
    }
    if (child == 0) {
        execl("/proc/self/exe", "storm", "child", writes, (char*)NULL);
        _exit(SETUP_FAILED);
    }
    return child;
}

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "child") == 0) {
        return failures_status(failed_writes(count_arg(argv[2], "WRITES")));
    }
    if (argc != 4) {
        die("usage: storm THREADS CHILDREN WRITES");
    }
    int threads = count_arg(argv[1], "THREADS");
    int children = count_arg(argv[2], "CHILDREN");
    writes_per_tracee = count_arg(argv[3], "WRITES");
    pthread_t* ids = calloc((size_t)threads, sizeof *ids);
    pid_t* pids = calloc((size_t)children, sizeof *pids);
    if (ids == NULL || pids == NULL) {
        die("storm: out of memory");
    }
    /* Threads and children interleaved, so that forks and execs come while threads write. */
    for (int i = 0; i < threads || i < children; ++i) {
        if (i < threads && pthread_create(&ids[i], NULL, thread_writes, NULL) != 0) {
            die("storm: pthread_create failed");
        }
        if (i < children) {
            pids[i] = start_child(argv[3]);
        }
    }
    int failed_in_children = 0;
    for (int i = 0; i < children; ++i) {
        int status = 0;
        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
            WEXITSTATUS(status) == SETUP_FAILED) {
            die("storm: child %d did not run (status 0x%x)", i, status);
        }
        failed_in_children += WEXITSTATUS(status);
    }
    for (int i = 0; i < threads; ++i) {
        pthread_join(ids[i], NULL);
    }
    say("threads %d failed %d, children %d failed %d", threads, atomic_load(&failed_in_threads),
        children, failed_in_children);
    return 0;
}
