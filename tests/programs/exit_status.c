/* exit_status N: prints "exiting N" and exits with status N, so that a test can tell that the
 * injector hands the program's own status back. */
#define _GNU_SOURCE
#include "say.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: exit_status N");
    }
    int status = count_arg(argv[1], "N");
    say("exiting %d", status);
    return status;
}
