// Makes one call of each of a set of syscalls, with arguments that make it fail harmlessly
// (a bad descriptor, a NULL path, an invalid flag), so that a tracer's syscall classes can be
// compared: `strace -e trace=%net` and inject's %net must pick the same ones. Prints nothing.
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    syscall(SYS_read, -1, NULL, 0);
    syscall(SYS_write, -1, NULL, 0);
    syscall(SYS_close, -1);
    syscall(SYS_openat, -1, NULL, 0);
    syscall(SYS_open, NULL, 0);
    syscall(SYS_creat, NULL, 0);
    syscall(SYS_stat, NULL, NULL);
    syscall(SYS_newfstatat, -1, NULL, NULL, 0);
    syscall(SYS_statx, -1, NULL, 0, 0, NULL);
    syscall(SYS_access, NULL, 0);
    syscall(SYS_unlink, NULL);
    syscall(SYS_rename, NULL, NULL);
    syscall(SYS_mkdir, NULL, 0);
    syscall(SYS_chdir, NULL);
    syscall(SYS_truncate, NULL, 0);
    syscall(SYS_symlink, NULL, NULL);
    syscall(SYS_readlink, NULL, NULL, 0);
    syscall(SYS_execve, NULL, NULL, NULL);
    syscall(SYS_fsync, -1);
    syscall(SYS_lseek, -1, 0, 0);
    syscall(SYS_dup, -1);
    syscall(SYS_pipe2, NULL, -1);
    syscall(SYS_fstat, -1, NULL);
    syscall(SYS_ioctl, -1, 0, 0);
    syscall(SYS_socket, -1, -1, -1);
    syscall(SYS_connect, -1, NULL, 0);
    syscall(SYS_sendto, -1, NULL, 0, 0, NULL, 0);
    syscall(SYS_recvfrom, -1, NULL, 0, 0, NULL, NULL);
    syscall(SYS_accept4, -1, NULL, NULL, 0);
    syscall(SYS_mmap, NULL, 0, 0, 0, -1, 0);
    syscall(SYS_munmap, NULL, 0);
    syscall(SYS_mprotect, NULL, 0, 0);
    syscall(SYS_madvise, NULL, 0, 0);
    syscall(SYS_brk, NULL);
    syscall(SYS_kill, 0, 0);
    syscall(SYS_rt_sigaction, -1, NULL, NULL, 8);
    syscall(SYS_rt_sigprocmask, -1, NULL, NULL, 8);
    syscall(SYS_tgkill, -1, -1, 0);
    syscall(SYS_sigaltstack, NULL, NULL);
    syscall(SYS_wait4, -1, NULL, WNOHANG, NULL);
    syscall(SYS_getuid);
    syscall(SYS_setresuid, -1, -1, -1);
    syscall(SYS_getgroups, 0, NULL);
    syscall(SYS_capget, NULL, NULL);
    syscall(SYS_clock_gettime, -1, NULL);
    syscall(SYS_gettimeofday, NULL, NULL);
    syscall(SYS_time, NULL);
    syscall(SYS_msgctl, -1, 0, NULL);
    syscall(SYS_semctl, -1, 0, 0, NULL);
    syscall(SYS_shmctl, -1, 0, NULL);
    syscall(SYS_getpid);
    syscall(SYS_uname, NULL);
    syscall(SYS_epoll_create1, -1);
    syscall(SYS_eventfd2, 0, -1);
    syscall(SYS_nanosleep, NULL, NULL);
    return 0;
}
