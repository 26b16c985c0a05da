/* with_listener PROGRAM [ARG...]: runs PROGRAM under a seccomp filter of its own that has a
 * listener, kept open across the exec. The filter notifies reboot(2) alone, which nothing here
 * makes, and allows the rest. The kernel then refuses another listener anywhere in PROGRAM's
 * tree (EBUSY), as it does under a container runtime or any supervisor that has one. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "say.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        die("usage: with_listener PROGRAM [ARG...]");
    }
    struct sock_filter instructions[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_reboot, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = 4, .filter = instructions};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        die("with_listener: prctl: %s", strerrorname_np(errno));
    }
    long listener =
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
    if (listener < 0) {
        die("with_listener: seccomp: %s", strerrorname_np(errno));
    }
    /* Closed, the listener would take its filter's notifications with it. */
    if (fcntl((int)listener, F_SETFD, 0) != 0) {
        die("with_listener: fcntl: %s", strerrorname_np(errno));
    }
    execvp(argv[1], argv + 1);
    die("with_listener: %s: %s", argv[1], strerrorname_np(errno));
}
