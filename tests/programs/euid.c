#define _GNU_SOURCE
/* Prints the effective user id it runs with: installed setuid root, it shows whether it
 * gained the privileges the bit promises (it does not when run with no_new_privs). */
#include "say.h"

int main(void) {
    say("euid %d", (int)geteuid());
    return 0;
}
