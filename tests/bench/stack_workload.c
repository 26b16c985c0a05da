/* stack_workload N DEPTH: N write(2) calls of one byte to /dev/null, each made DEPTH calls deep
 * (a recursion that no compiler can fold away), for the stack benchmark. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static volatile int depth_reached;

__attribute__((noinline, noclone)) static int descend(int fd, int depth) {
    if (depth == 0) {
        return write(fd, "x", 1) == 1 ? 0 : 1;
    }
    const int failed = descend(fd, depth - 1);
    depth_reached = depth; /* after the call: no tail call, no loop */
    return failed;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        return 100;
    }
    const int count = atoi(argv[1]);
    const int depth = atoi(argv[2]);
    const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    int failures = 0;
    for (int i = 0; i < count; ++i) {
        failures += descend(fd, depth);
    }
    return failures == 0 ? 0 : 1;
}
