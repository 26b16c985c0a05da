/* A planted bug for inject --explore: a hang on EINTR. The reader takes EINTR to mean that its
 * SIGUSR1 handler ran and waits for the flag that handler sets; when the read was interrupted
 * by anything else, the flag never comes and it waits forever. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop_requested = 0;

static void on_usr1(int signal_number) {
    (void)signal_number;
    g_stop_requested = 1;
}

int main(void) {
    signal(SIGUSR1, on_usr1);
    const int fd = open("input.txt", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror("explore_eintr: input.txt");
        return 1;
    }
    char buffer[256];
    for (;;) {
        const ssize_t got = read(fd, buffer, sizeof buffer);
        if (got == 0) {
            break;
        }
        if (got < 0 && errno == EINTR) {
            while (!g_stop_requested) { /* the bug: not every EINTR is our SIGUSR1 */
                pause();
            }
            break;
        }
        if (got < 0) {
            perror("explore_eintr: read");
            return 1;
        }
    }
    close(fd);
    return 0;
}
