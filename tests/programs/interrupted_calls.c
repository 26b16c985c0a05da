/* interrupted_calls N MICROSECONDS restart|norestart: makes N getppid(2) calls while an interval
 * timer sends it SIGALRM every MICROSECONDS, caught by a handler installed with SA_RESTART or
 * without it. A call that fails with EINTR is made again, as a careful program does, and is not
 * one of the N. Then it prints each call that failed, each call that took 50 ms or more, and
 * the totals:
 *   call I: EPERM
 *   slow I
 *   calls N
 *   eintr E          (how many attempts EINTR cut short)
 *   signals S        (how many times the handler ran)
 * Under a seccomp notification, a signal that comes while a call waits for inject, before
 * inject has read it, cuts the call short as it would a blocking call: the kernel restarts it
 * (SA_RESTART), or it fails with EINTR. Either way the call reaches inject once, and a rule's
 * `when` must count it once: the Ith call fails, whatever the signals did. Once inject has read
 * it, a call waits through signals, as at a ptrace stop: a delay is not cut short. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "say.h"

static volatile sig_atomic_t signals = 0;

static void on_alarm(int signal_number) {
    (void)signal_number;
    signals = signals + 1;
}

static long elapsed_ms(const struct timespec* start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

int main(int argc, char** argv) {
    if (argc != 4) {
        die("usage: interrupted_calls N MICROSECONDS restart|norestart");
    }
    const int calls = count_arg(argv[1], "N");
    const int interval = count_arg(argv[2], "MICROSECONDS");
    struct sigaction action = {.sa_handler = on_alarm};
    action.sa_flags = strcmp(argv[3], "restart") == 0 ? SA_RESTART : 0;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, NULL) != 0) {
        die("interrupted_calls: sigaction: %s", strerrorname_np(errno));
    }
    const struct itimerval timer = {.it_interval = {.tv_usec = interval},
                                    .it_value = {.tv_usec = interval}};
    if (setitimer(ITIMER_REAL, &timer, NULL) != 0) {
        die("interrupted_calls: setitimer: %s", strerrorname_np(errno));
    }
    int eintr = 0;
    for (int i = 1; i <= calls; ++i) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        long result;
        while ((result = syscall(SYS_getppid)) < 0 && errno == EINTR) {
            ++eintr;
            clock_gettime(CLOCK_MONOTONIC, &start);
        }
        const int error = errno;
        if (elapsed_ms(&start) >= 50) {
            say("slow %d", i);
        }
        if (result < 0) {
            say("call %d: %s", i, strerrorname_np(error));
        }
    }
    const struct itimerval off = {0};
    setitimer(ITIMER_REAL, &off, NULL);
    say("calls %d", calls);
    say("eintr %d", eintr);
    say("signals %d", (int)signals);
    return 0;
}
