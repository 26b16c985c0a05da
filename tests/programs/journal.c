/* Appends N records to DIR/journal, one write(2) each, then fsyncs once and says "committed":
 * a journal with no checksum in its records. Its recovery takes every line it finds as a record,
 * so a record torn by a power cut in the middle of a write is read as if it were whole.
 *
 *   journal DIR N
 *   journal check DIR     (exit 0 when every line of DIR/journal is a whole record) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "say.h"

#define RECORD_FORMAT "record %04d: the payload of this record, all of it\n"

static int check(const char* dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/journal", dir);
    FILE* in = fopen(path, "r");
    if (in == NULL) {
        say("check: no journal");
        return 0; /* nothing was ever written, or not made durable: an empty journal */
    }
    char line[256];
    int records = 0;
    while (fgets(line, sizeof line, in) != NULL) {
        char expected[256];
        snprintf(expected, sizeof expected, RECORD_FORMAT, records + 1);
        if (strcmp(line, expected) != 0) {
            say("check: record %d is torn: \"%s\"", records + 1, line);
            fclose(in);
            return 1;
        }
        ++records;
    }
    fclose(in);
    say("check: %d whole records", records);
    return 0;
}

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "check") == 0) {
        return check(argv[2]);
    }
    if (argc != 3) {
        say("usage: journal DIR N | journal check DIR");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/journal", argv[1]);
    const int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) {
        return 1;
    }
    const int count = atoi(argv[2]);
    for (int index = 1; index <= count; ++index) {
        char record[256];
        const int length = snprintf(record, sizeof record, RECORD_FORMAT, index);
        if (write(fd, record, (size_t)length) != length) {
            return 1;
        }
    }
    if (fsync(fd) != 0) {
        return 1;
    }
    close(fd);
    say("committed %d", count);
    return 0;
}
