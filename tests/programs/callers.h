/* The write that the call-site programs make, and how they keep their functions on the stack.
 *
 * A caller filter and a call site are only as good as the frames the program really has: a
 * function the compiler inlined, cloned (".isra.0") or left through a tail call is no frame
 * of its own. KEEP forbids the first two; every caller below uses its callee's result after the
 * call (adds it to a count), which rules out the third. */
#ifndef INJECT_TEST_PROGRAMS_CALLERS_H
#define INJECT_TEST_PROGRAMS_CALLERS_H

#include "say.h"

#define KEEP __attribute__((noinline, noclone))

/* The one function that writes: "WHO I\n" to FD. Its result and errno go to *RESULT and *ERROR;
 * returns whether it failed. */
KEEP static int write_record(int fd, const char* who, int i, long* result, int* error) {
    char chunk[48];
    int length = snprintf(chunk, sizeof chunk, "%s %d\n", who, i);
    *result = (long)write(fd, chunk, (size_t)length);
    *error = errno;
    return *result < 0;
}

#endif
