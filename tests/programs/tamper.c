/* tamper MODE: the calls strace's own tampering tests make (tests/qual_inject-signal.c,
 * qual_inject-retval.c, inject-nf.c, poke.c), reporting what the program observed, so that
 * inject and strace can be given the same rule and compared. Every call is the raw syscall, so
 * that the result printed is the register the tracer wrote.
 *
 *   tamper chdir N    N times chdir("."), with a SIGUSR1 handler that counts:
 *                       "chdir I: ok 0, signals 1"   what it returned, the signals handled so far
 *                     then "cwd: PATH" (a chdir skipped with a fake result leaves it as it was)
 *   tamper geteuid    geteuid, its raw result as a signed and unsigned 64-bit number:
 *                       "geteuid: -4096 18446744073709547520" (or "geteuid: EIO")
 *   tamper poke       chdir on a buffer holding "/nonexistent-dir", then getcwd into a
 *                     buffer, printing what came back and what each buffer holds after:
 *                       "chdir: ENOENT, buffer \"/nonexistent-dir\""
 *                       "getcwd: ok 5, buffer \"/tmp\""
 * Exits 0, or SETUP_FAILED (say.h) for a usage mistake. x86_64 and i386 alike. */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>

#include "say.h"

static volatile sig_atomic_t signals_handled = 0;

static void on_usr1(int signal_number) {
    (void)signal_number;
    signals_handled = signals_handled + 1;
}

static const char* result(long value, char* buffer, size_t size) {
    return outcome(value, errno, buffer, size);
}

static void chdir_mode(int count) {
    struct sigaction action = {.sa_handler = on_usr1};
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGUSR1, &action, NULL) != 0) {
        die("tamper: sigaction: %s", strerrorname_np(errno));
    }
    char buffer[64];
    for (int i = 1; i <= count; ++i) {
        long done = syscall(SYS_chdir, ".");
        say("chdir %d: %s, signals %d", i, result(done, buffer, sizeof buffer),
            (int)signals_handled);
    }
    char cwd[PATH_MAX];
    say("cwd: %s", getcwd(cwd, sizeof cwd) != NULL ? cwd : strerrorname_np(errno));
}

static void geteuid_mode(void) {
    errno = 0;
    long value = syscall(SYS_geteuid);
    if (value == -1 && errno != 0) {
        say("geteuid: %s", strerrorname_np(errno));
        return;
    }
    say("geteuid: %ld %lu", value, (unsigned long)value);
}

static void poke_mode(void) {
    char path[64] = "/nonexistent-dir";
    char buffer[64];
    long changed = syscall(SYS_chdir, path);
    say("chdir: %s, buffer \"%s\"", result(changed, buffer, sizeof buffer), path);
    char cwd[64] = "";
    long got = syscall(SYS_getcwd, cwd, sizeof cwd);
    cwd[sizeof cwd - 1] = '\0';
    say("getcwd: %s, buffer \"%s\"", result(got, buffer, sizeof buffer), cwd);
}

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "chdir") == 0) {
        chdir_mode(count_arg(argv[2], "N"));
    } else if (argc == 2 && strcmp(argv[1], "geteuid") == 0) {
        geteuid_mode();
    } else if (argc == 2 && strcmp(argv[1], "poke") == 0) {
        poke_mode();
    } else {
        die("usage: tamper chdir N | tamper geteuid | tamper poke");
    }
    return 0;
}
