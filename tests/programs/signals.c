/* signals [ROUNDS]: ROUNDS times, arms a one-shot SIGALRM interval timer (ITIMER_REAL, 50 ms)
 * and sleeps in nanosleep for 5 s: the signal must interrupt the sleep and run the handler
 * exactly once. A tracer that swallows the signal, or delivers it twice, or restarts the sleep,
 * shows in the output:
 *   sleep I: EINTR, handler runs 1      (or "ok", or another count)
 *   handler runs: TOTAL
 *   done
 * The timer is disarmed after each sleep, so an EINTR injected by a tracer (no signal at all)
 * shows as "EINTR, handler runs 0" and leaves nothing pending for the next round.
 * Exits with the number of rounds that did not end in EINTR with one handler run. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "say.h"

static volatile sig_atomic_t handler_runs = 0;

static void on_alarm(int signal_number) {
    (void)signal_number;
    handler_runs = handler_runs + 1;
}

static void arm(long microseconds) {
    struct itimerval timer = {.it_value = {.tv_sec = 0, .tv_usec = microseconds}};
    if (setitimer(ITIMER_REAL, &timer, NULL) != 0) {
        die("signals: setitimer: %s", strerrorname_np(errno));
    }
}

int main(int argc, char** argv) {
    int rounds = argc > 1 ? count_arg(argv[1], "ROUNDS") : 4;
    struct sigaction action = {.sa_handler = on_alarm};
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, NULL) != 0) {
        die("signals: sigaction: %s", strerrorname_np(errno));
    }
    int odd = 0;
    char buffer[64];
    for (int i = 1; i <= rounds; ++i) {
        sig_atomic_t before = handler_runs;
        arm(50 * 1000);
        struct timespec nap = {.tv_sec = 5, .tv_nsec = 0};
        int result = nanosleep(&nap, NULL);
        int error = errno;
        arm(0);
        int runs = (int)(handler_runs - before);
        odd += !(result < 0 && error == EINTR && runs == 1);
        say("sleep %d: %s, handler runs %d", i, outcome(result, error, buffer, sizeof buffer),
            runs);
    }
    say("handler runs: %d", (int)handler_runs);
    say("done");
    return failures_status(odd);
}
