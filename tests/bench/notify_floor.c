// The floor of the notification path: the least a seccomp user-notification supervisor can
// do per call. It runs a program under a filter that notifies on write(2) and nothing else,
// and answers each notification at once, in a loop of two ioctls (SECCOMP_IOCTL_NOTIF_RECV,
// SECCOMP_IOCTL_NOTIF_SEND) with no poll, no decision and no bookkeeping: every 10th call
// fails with EIO when asked (the benchmark's "1 in 10" rule), every other call runs
// (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Like inject, it asks for
// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP where the kernel has it.
//
// The benchmark runs it beside inject so that the cost of the kernel's round trip (switching
// to the supervisor and back) can be told from inject's own: no tool built on notifications
// can be cheaper than this row on the same machine.
//
// usage: notify_floor never|tenth PROGRAM [ARG...]
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static void die(const char* what) {
    fprintf(stderr, "notify_floor: %s: %s\n", what, strerror(errno));
    exit(125);
}

static int install_filter(void) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof code / sizeof code[0], .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        die("PR_SET_NO_NEW_PRIVS");
    }
    const long listener =
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
    if (listener < 0) {
        die("seccomp");
    }
    return (int)listener;
}

// The child's listener goes to the parent over a socket before the exec closes it.
static void send_fd(int socket, int fd) {
    char byte = 0;
    struct iovec data = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = {.msg_iov = &data,
                             .msg_iovlen = 1,
                             .msg_control = control.space,
                             .msg_controllen = sizeof control.space};
    struct cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof fd);
    if (sendmsg(socket, &message, 0) != 1) {
        die("sendmsg");
    }
}

static int receive_fd(int socket) {
    char byte = 0;
    struct iovec data = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr message = {.msg_iov = &data,
                             .msg_iovlen = 1,
                             .msg_control = control.space,
                             .msg_controllen = sizeof control.space};
    if (recvmsg(socket, &message, 0) != 1) {
        die("recvmsg");
    }
    struct cmsghdr* header = CMSG_FIRSTHDR(&message);
    if (header == NULL || header->cmsg_type != SCM_RIGHTS) {
        errno = EPROTO;
        die("recvmsg: no fd");
    }
    int fd = -1;
    memcpy(&fd, CMSG_DATA(header), sizeof fd);
    return fd;
}

static pid_t child;
static pthread_t answering_thread;
static atomic_int child_status = -1;  // set once the child has been reaped
static atomic_int answering_done;

static void ignore_signal(int signal_number) {
    (void)signal_number;
}

// A blocking NOTIF_RECV does not return when the last user of the filter exits, but a signal
// interrupts it. This thread reaps the child, then interrupts the answering loop until it has
// seen that (a single signal could come just before the loop blocks again).
static void* reaper(void* unused) {
    (void)unused;
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    atomic_store(&child_status, status);
    const struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000 * 1000};
    while (!atomic_load(&answering_done)) {
        pthread_kill(answering_thread, SIGUSR1);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void answer_until_exit(int listener, int fail_every) {
    long calls = 0;
    for (;;) {
        struct seccomp_notif notification;
        memset(&notification, 0, sizeof notification);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notification) != 0) {
            if (atomic_load(&child_status) != -1) {
                return;
            }
            if (errno == EINTR || errno == ENOENT) {
                continue;  // interrupted, or the caller left before we read it
            }
            die("SECCOMP_IOCTL_NOTIF_RECV");
        }
        struct seccomp_notif_resp response;
        memset(&response, 0, sizeof response);
        response.id = notification.id;
        ++calls;
        if (fail_every > 0 && calls % fail_every == 0) {
            response.error = -EIO;
        } else {
            response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        }
        // ENOENT: the caller was interrupted by a signal; its call comes again.
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &response) != 0 && errno != ENOENT) {
            die("SECCOMP_IOCTL_NOTIF_SEND");
        }
    }
}

int main(int argc, char** argv) {
    if (argc < 3 || (strcmp(argv[1], "never") != 0 && strcmp(argv[1], "tenth") != 0)) {
        fprintf(stderr, "usage: notify_floor never|tenth PROGRAM [ARG...]\n");
        return 125;
    }
    const int fail_every = strcmp(argv[1], "tenth") == 0 ? 10 : 0;
    int sockets[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
        die("socketpair");
    }
    child = fork();
    if (child < 0) {
        die("fork");
    }
    if (child == 0) {
        send_fd(sockets[1], install_filter());
        execvp(argv[2], argv + 2);
        die(argv[2]);
    }
    close(sockets[1]);
    const int listener = receive_fd(sockets[0]);
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = ignore_signal;  // no SA_RESTART: the signal ends a blocking ioctl
    sigaction(SIGUSR1, &action, NULL);
    answering_thread = pthread_self();
    pthread_t reaping_thread;
    if ((errno = pthread_create(&reaping_thread, NULL, reaper, NULL)) != 0) {
        die("pthread_create");
    }
    answer_until_exit(listener, fail_every);
    atomic_store(&answering_done, 1);
    pthread_join(reaping_thread, NULL);
    const int status = atomic_load(&child_status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
