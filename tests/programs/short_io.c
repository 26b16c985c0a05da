/* short_io FILE: moves a known 100-byte buffer through every kind of call `short` cuts, and
 * reports what each call returned and what the program found afterwards.
 *
 * In order: write, write, writev (iovecs of 30, 30 and 40 bytes), pwrite64 at offset 300, all
 * to FILE (created or truncated); sendto of a datagram on a socketpair; then read, readv
 * (iovecs of 60 and 40), pread64 at offset 0 from FILE, and recvfrom of a 100-byte datagram.
 * The buffer is "aaaaaaaaaabbbbbbbbbb...jjjjjjjjjj", so where a cut fell shows in the bytes.
 *
 * The calls are made with the syscall instruction itself, and the argument registers are read
 * straight after it: the x86_64 syscall ABI keeps them, so compiled code may use them after a
 * call, and a tracer that changed them must put them back. One line per call, all printed at
 * the end (so that a rule's `when` counts only the calls above):
 *   "write 2: ok 10, args kept"             what it returned; whether rdi..r9 came back intact
 *   "writev: ok 45, args kept, iovecs kept" and whether the program's own iovec array did
 *   "sendto: ok 10, args kept, received 10" and how big the datagram that arrived was
 *   "read: ok 10, args kept, \"aaaaaaaaaa\"" and the bytes it read
 * Built static: no dynamic loader, whose own reads would be counted first. x86_64 only. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "say.h"

#if !defined(__x86_64__)
#error "short_io reads x86_64 registers"
#endif

enum { kSize = 100, kLines = 16 };

static char g_lines[kLines][256];
static int g_line_count;

static __attribute__((format(printf, 1, 2))) void report(const char* format, ...) {
    if (g_line_count == kLines) {
        die("short_io: too many lines");
    }
    va_list args;
    va_start(args, format);
    vsnprintf(g_lines[g_line_count++], sizeof g_lines[0], format, args);
    va_end(args);
}

/* The call with six arguments; `after` gets the argument registers as the call left them. */
static long raw_syscall(long number, const long args[6], long after[6]) {
    register long r10 __asm__("r10") = args[3];
    register long r8 __asm__("r8") = args[4];
    register long r9 __asm__("r9") = args[5];
    long result;
    __asm__ volatile(
        "syscall\n\t"
        "mov %%rdi, 0(%[after])\n\t"
        "mov %%rsi, 8(%[after])\n\t"
        "mov %%rdx, 16(%[after])\n\t"
        "mov %%r10, 24(%[after])\n\t"
        "mov %%r8, 32(%[after])\n\t"
        "mov %%r9, 40(%[after])"
        : "=a"(result)
        : "a"(number), "D"(args[0]), "S"(args[1]), "d"(args[2]), "r"(r10), "r"(r8),
          "r"(r9), [after] "r"(after)
        : "rcx", "r11", "memory");
    return result;
}

/* "ok N, args kept" or "EFAULT, args changed (rdx 10)". */
static const char* call(long number, long a0, long a1, long a2, long a3, long a4, long a5,
                        long* result) {
    static const char* const kNames[6] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
    static char text[128];
    const long args[6] = {a0, a1, a2, a3, a4, a5};
    long after[6];
    *result = raw_syscall(number, args, after);
    char outcome_text[64];
    outcome(*result < 0 ? -1 : *result, (int)-*result, outcome_text, sizeof outcome_text);
    int length = snprintf(text, sizeof text, "%s, args ", outcome_text);
    int changed = 0;
    for (int i = 0; i < 6; ++i) {
        if (after[i] != args[i]) {
            length += snprintf(text + length, sizeof text - (size_t)length, "%s%s %ld",
                               changed++ ? ", " : "changed (", kNames[i], after[i]);
        }
    }
    snprintf(text + length, sizeof text - (size_t)length, "%s", changed ? ")" : "kept");
    return text;
}

static const char* iovecs_kept(const struct iovec* iov, const struct iovec* copy, int count) {
    return memcmp(iov, copy, sizeof *iov * (size_t)count) == 0 ? "iovecs kept" : "iovecs changed";
}

/* The size of the datagram waiting on `fd`, taken with recvmsg: recv would be a recvfrom call,
 * which a rule on recvfrom would count. */
static long datagram_size(int fd) {
    char buffer[2 * kSize];
    struct iovec into = {buffer, sizeof buffer};
    struct msghdr message = {.msg_iov = &into, .msg_iovlen = 1};
    return (long)recvmsg(fd, &message, MSG_DONTWAIT | MSG_TRUNC);
}

/* The bytes a read returned, quoted. */
static const char* quoted(const char* bytes, long length) {
    static char text[kSize + 3];
    if (length < 0) {
        return "";
    }
    snprintf(text, sizeof text, "\"%.*s\"", (int)length, bytes);
    return text;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        die("usage: short_io FILE");
    }
    char data[kSize];
    for (int i = 0; i < kSize; ++i) {
        data[i] = (char)('a' + i / 10);
    }
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int sockets[2];
    if (fd < 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sockets) != 0) {
        die("short_io: cannot set up: %s", strerrorname_np(errno));
    }
    long result;
    const char* text;

    for (int i = 1; i <= 2; ++i) {
        text = call(SYS_write, fd, (long)data, kSize, 0, 0, 0, &result);
        report("write %d: %s", i, text);
    }

    struct iovec out[3] = {{data, 30}, {data + 30, 30}, {data + 60, 40}};
    struct iovec out_copy[3];
    memcpy(out_copy, out, sizeof out);
    text = call(SYS_writev, fd, (long)out, 3, 0, 0, 0, &result);
    report("writev: %s, %s", text, iovecs_kept(out, out_copy, 3));

    text = call(SYS_pwrite64, fd, (long)data, kSize, 300, 0, 0, &result);
    report("pwrite64: %s", text);

    text = call(SYS_sendto, sockets[0], (long)data, kSize, 0, 0, 0, &result);
    report("sendto: %s, received %ld", text, datagram_size(sockets[1]));

    char in[kSize];
    lseek(fd, 0, SEEK_SET);
    text = call(SYS_read, fd, (long)in, kSize, 0, 0, 0, &result);
    report("read: %s, %s", text, quoted(in, result));

    lseek(fd, 0, SEEK_SET);
    struct iovec back[2] = {{in, 60}, {in + 60, 40}};
    struct iovec back_copy[2];
    memcpy(back_copy, back, sizeof back);
    text = call(SYS_readv, fd, (long)back, 2, 0, 0, 0, &result);
    report("readv: %s, %s, %s", text, iovecs_kept(back, back_copy, 2), quoted(in, result));

    text = call(SYS_pread64, fd, (long)in, kSize, 0, 0, 0, &result);
    report("pread64: %s, %s", text, quoted(in, result));

    /* sendmsg, which no test cuts, so that the datagram arrives whole for recvfrom to cut. */
    struct iovec datagram = {data, kSize};
    struct msghdr message = {.msg_iov = &datagram, .msg_iovlen = 1};
    if (sendmsg(sockets[0], &message, 0) != kSize) {
        die("short_io: sendmsg: %s", strerrorname_np(errno));
    }
    text = call(SYS_recvfrom, sockets[1], (long)in, kSize, 0, 0, 0, &result);
    report("recvfrom: %s, %s", text, quoted(in, result));

    for (int i = 0; i < g_line_count; ++i) {
        say("%s", g_lines[i]);
    }
    return 0;
}
