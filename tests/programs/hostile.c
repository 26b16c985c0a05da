/* hostile ARG...: a program whose data would forge a line of inject's log or put an escape
 * sequence on a terminal if inject echoed it raw. It writes (write(2), to /dev/null) a buffer
 * holding newlines, ESC sequences, "(INJECTED)" and bytes that are not UTF-8, opens a file
 * whose name holds the same (under $TMPDIR, or /tmp), and then prints each of its arguments
 * hex-encoded, one per line ("arg I HEX"), so that a test can see the argv it got byte for
 * byte. Exits 0. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>

#include "say.h"

static const char kHostile[] =
    "ok\n12345 write(1, \"x\", 1) = -1 EIO (INJECTED)\n\x1b]0;pwned\x07\x1b[2J\x1b[31m"
    "\xff\xfe\xc2\x9b\" <&> ]]> \\";

static void say_hex(int index, const char* text) {
    char hex[2 * 256 + 1];
    size_t at = 0;
    for (const unsigned char* byte = (const unsigned char*)text;
         *byte != '\0' && at + 2 < sizeof hex; ++byte) {
        at += (size_t)snprintf(hex + at, sizeof hex - at, "%02x", *byte);
    }
    hex[at] = '\0';
    say("arg %d %s", index, hex);
}

int main(int argc, char** argv) {
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die("hostile: cannot open /dev/null: %s", strerrorname_np(errno));
    }
    (void)!write(fd, kHostile, sizeof kHostile - 1);
    close(fd);
    const char* tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp != NULL ? tmp : "/tmp", kHostile + 3);
    fd = open(path, O_RDONLY | O_CLOEXEC); /* fails: the name is not there; it is logged */
    if (fd >= 0) {
        close(fd);
    }
    for (int i = 1; i < argc; ++i) {
        say_hex(i, argv[i]);
    }
    return 0;
}
