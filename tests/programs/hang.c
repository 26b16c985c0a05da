/* hang [CHILDREN]: prints "hanging", starts CHILDREN processes that wait forever too, and
 * waits forever, so that a test can check that a timeout ends the program and everything it
 * started. */
#define _GNU_SOURCE
#include "say.h"

int main(int argc, char** argv) {
    if (argc > 2) {
        die("usage: hang [CHILDREN]");
    }
    int children = argc == 2 ? count_arg(argv[1], "CHILDREN") : 0;
    for (int i = 0; i < children; ++i) {
        pid_t child = fork();
        if (child < 0) {
            die("hang: fork: %s", strerrorname_np(errno));
        }
        if (child == 0) {
            break;
        }
    }
    say("hanging");
    for (;;) {
        pause();
    }
}
