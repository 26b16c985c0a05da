/* A planted bug for inject --explore: an unchecked short write. The record is written with one
 * write(2) whose -1 is checked but whose count is not, so a short write leaves a truncated
 * record.dat and the program still exits 0. Only a check after the run (--after) sees it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { kRecordSize = 4096 };

int main(void) {
    static char record[kRecordSize];
    memset(record, 'r', sizeof record);
    const int fd = open("record.dat", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror("explore_short: record.dat");
        return 1;
    }
    if (write(fd, record, sizeof record) < 0) { /* the bug: a short count passes */
        perror("explore_short: write");
        close(fd);
        return 1;
    }
    if (close(fd) != 0) {
        perror("explore_short: close");
        return 1;
    }
    return 0;
}
