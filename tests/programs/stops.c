/* Job control under the tracer: the program stops itself with SIGSTOP (a group-stop) and a
 * child it forked wakes it with SIGCONT. Under ptrace a group-stop must really stop the
 * program, and SIGCONT must end it: neither eaten, nor turned into a hang.
 *
 * Prints "stopping", then (from the child, which checks the parent's state in /proc while it
 * is stopped) "parent stopped: yes", then "continued" and the result of one write to FILE.
 * Exits 0 when everything happened in that order. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "say.h"

/* The state letter of /proc/PID/stat: 'T' stopped, 't' stopped under a tracer. */
static char process_state(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE* file = fopen(path, "r");
    if (file == NULL) {
        return '?';
    }
    char state = '?';
    /* "PID (COMM) STATE ...": COMM may hold spaces, so find the last ')'. */
    char buffer[512];
    const size_t length = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[length] = '\0';
    const char* close = strrchr(buffer, ')');
    if (close != NULL && close[1] == ' ') {
        state = close[2];
    }
    return state;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        say("usage: stops FILE");
        return 100;
    }
    const pid_t parent = getpid();
    say("stopping");
    const pid_t child = fork();
    if (child < 0) {
        return 100;
    }
    if (child == 0) {
        /* Wait (up to 5 s) until the parent is really stopped, then wake it. */
        const struct timespec tick = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
        int stopped = 0;
        for (int round = 0; round < 1000 && !stopped; ++round) {
            const char state = process_state(parent);
            stopped = state == 'T' || state == 't';
            if (!stopped) {
                nanosleep(&tick, NULL);
            }
        }
        say("parent stopped: %s", stopped ? "yes" : "no");
        kill(parent, SIGCONT);
        _exit(stopped ? 0 : 1);
    }
    raise(SIGSTOP);
    say("continued");
    const int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "x", 1) != 1) {
        say("write: %s", strerrorname_np(errno));
    } else {
        say("write: ok");
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        say("child: failed");
        return 1;
    }
    return 0;
}
