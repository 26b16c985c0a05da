/* held_write [restart|interrupt]: says "ready N" (N its pid), then writes "hello\n" with one
 * write(2) and says what it returned. A SIGUSR1 handler (with SA_RESTART, or without it)
 * says "handler". Under a delay on its write, the test sends it signals while the write is
 * held: whether the write ran, and in what order the handler and the write came, is on its
 * stdout. Its own lines go out with writev(2) (say.h), which a rule on write leaves alone.
 * Exits 0 when the write succeeded, 1 otherwise. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "say.h"

static void on_usr1(int signal) {
    (void)signal;
    static const char line[] = "handler\n";
    struct iovec iov = {.iov_base = (void*)line, .iov_len = sizeof line - 1};
    writev(STDOUT_FILENO, &iov, 1);
}

int main(int argc, char** argv) {
    struct sigaction action = {0};
    action.sa_handler = on_usr1;
    action.sa_flags = argc > 1 && strcmp(argv[1], "interrupt") == 0 ? 0 : SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    say("ready %d", (int)getpid());
    ssize_t written = write(STDOUT_FILENO, "hello\n", 6);
    char buffer[64];
    say("write: %s", outcome(written, errno, buffer, sizeof buffer));
    return written == 6 ? 0 : 1;
}
