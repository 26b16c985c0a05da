/* Waits for signals: says "ready", then reports each SIGTERM, SIGINT or SIGHUP it gets and
 * exits 7 at SIGTERM. Under inject it shows which signals sent to inject reach the program. */
#define _GNU_SOURCE
#include <signal.h>

#include "say.h"

static volatile sig_atomic_t last_signal = 0;

static void remember(int signal) {
    last_signal = signal;
}

int main(void) {
    struct sigaction action = {0};
    action.sa_handler = remember;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGHUP, &action, NULL);

    sigset_t blocked;
    sigset_t previous;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGHUP);
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    say("ready");
    for (;;) {
        /* Atomically unblock and wait, so that no signal slips in between. */
        sigsuspend(&previous);
        say("got %s", sigabbrev_np(last_signal));
        if (last_signal == SIGTERM) {
            return 7;
        }
    }
}
