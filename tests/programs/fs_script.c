/* Runs a script of file-system calls given as arguments, in the current directory, so that a
 * test can compare the disk after a power cut with what the strict model says must be left:
 *
 *   w:NAME:OFFSET:TEXT  pwrite TEXT at OFFSET (the file made if need be)
 *   a:NAME:TEXT         append TEXT (O_APPEND)
 *   t:NAME:SIZE         truncate
 *   r:FROM:TO           rename          l:FROM:TO  link         s:TARGET:NAME  symlink
 *   u:NAME  unlink      m:NAME  mkdir   d:NAME  rmdir
 *   f:NAME  fsync (a file, or a directory: "." is this one)     S  sync
 * A first argument "-C DIR" runs it in DIR. Says "done" at the end. Any call that fails ends it
 * with exit 1. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "say.h"

static int fail(const char* what, const char* name) {
    say("%s %s: %s", what, name, strerror(errno));
    return 1;
}

static int run(char* op) {
    char* fields[4] = {0};
    int count = 0;
    for (char* field = strtok(op, ":"); field != NULL && count < 4; field = strtok(NULL, ":")) {
        fields[count++] = field;
    }
    const char kind = fields[0][0];
    if (kind == 'S') {
        sync();
        return 0;
    }
    const char* name = fields[1];
    int fd = -1;
    switch (kind) {
        case 'w':
            fd = open(name, O_WRONLY | O_CREAT, 0644);
            if (fd < 0 || pwrite(fd, fields[3], strlen(fields[3]), atol(fields[2])) < 0) {
                return fail("pwrite", name);
            }
            break;
        case 'a':
            fd = open(name, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd < 0 || write(fd, fields[2], strlen(fields[2])) < 0) {
                return fail("write", name);
            }
            break;
        case 't':
            return truncate(name, atol(fields[2])) == 0 ? 0 : fail("truncate", name);
        case 'r':
            return renameat(AT_FDCWD, name, AT_FDCWD, fields[2]) == 0 ? 0 : fail("rename", name);
        case 'l':
            return link(name, fields[2]) == 0 ? 0 : fail("link", name);
        case 's':
            return symlink(name, fields[2]) == 0 ? 0 : fail("symlink", name);
        case 'u':
            return unlink(name) == 0 ? 0 : fail("unlink", name);
        case 'm':
            return mkdir(name, 0755) == 0 ? 0 : fail("mkdir", name);
        case 'd':
            return rmdir(name) == 0 ? 0 : fail("rmdir", name);
        case 'f':
            fd = open(name, O_RDONLY);
            if (fd < 0 || fsync(fd) != 0) {
                return fail("fsync", name);
            }
            break;
        default:
            say("unknown op %s", fields[0]);
            return 1;
    }
    close(fd);
    return 0;
}

int main(int argc, char** argv) {
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-C") == 0) {
        if (chdir(argv[2]) != 0) {
            return fail("chdir", argv[2]);
        }
        first = 3;
    }
    for (int index = first; index < argc; ++index) {
        if (run(argv[index]) != 0) {
            return 1;
        }
    }
    say("done");
    return 0;
}
