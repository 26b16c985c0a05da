/* Saves a new version of DIR/config the classic way: write DIR/config.tmp, rename it over
 * DIR/config. With --fsync-file it fsyncs the new file before the rename, with --fsync-dir the
 * directory after it: both make the save survive a power cut, either alone does not.
 * Says "saved" once the save is done (what a user would be told), then exits.
 *
 *   save_rename DIR VALUE [--fsync-file] [--fsync-dir]
 *   save_rename check DIR OLD NEW ACKNOWLEDGED   (exit 0 when DIR/config is OLD or NEW whole,
 *                                                 and NEW when ACKNOWLEDGED is 1) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "say.h"

static int check(const char* dir, const char* old_value, const char* new_value, int acked) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config", dir);
    char contents[4096] = {0};
    const int fd = open(path, O_RDONLY);
    if (fd < 0) {
        say("check: %s is gone", path);
        return 1;
    }
    const ssize_t got = read(fd, contents, sizeof contents - 1);
    close(fd);
    if (got < 0) {
        return 1;
    }
    if (strcmp(contents, new_value) == 0) {
        say("check: new");
        return 0;
    }
    if (strcmp(contents, old_value) == 0 && !acked) {
        say("check: old");
        return 0;
    }
    say("check: config holds \"%s\"%s", contents, acked ? " after the save was acknowledged" : "");
    return 1;
}

int main(int argc, char** argv) {
    if (argc == 6 && strcmp(argv[1], "check") == 0) {
        return check(argv[2], argv[3], argv[4], strcmp(argv[5], "1") == 0);
    }
    if (argc < 3) {
        say("usage: save_rename DIR VALUE [--fsync-file] [--fsync-dir]");
        return 2;
    }
    int fsync_file = 0;
    int fsync_dir = 0;
    for (int index = 3; index < argc; ++index) {
        fsync_file |= strcmp(argv[index], "--fsync-file") == 0;
        fsync_dir |= strcmp(argv[index], "--fsync-dir") == 0;
    }
    char temp[4096];
    char final[4096];
    snprintf(temp, sizeof temp, "%s/config.tmp", argv[1]);
    snprintf(final, sizeof final, "%s/config", argv[1]);
    const int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, argv[2], strlen(argv[2])) != (ssize_t)strlen(argv[2])) {
        return 1;
    }
    if (fsync_file && fsync(fd) != 0) {
        return 1;
    }
    close(fd);
    if (rename(temp, final) != 0) {
        return 1;
    }
    if (fsync_dir) {
        const int dir = open(argv[1], O_RDONLY | O_DIRECTORY);
        if (dir < 0 || fsync(dir) != 0) {
            return 1;
        }
        close(dir);
    }
    say("saved");
    return 0;
}
