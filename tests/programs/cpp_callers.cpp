// cpp_callers FILE N: a C++ program whose writes come from namespaced and templated callers:
// N times from notes::Store::flush() and N times from notes::Journal<notes::Line>::append(),
// in turn, both through write_record (callers.h).
//
// Prints one line per write, "flush write I: ok BYTES|ERRNAME" or "append write I: ...", and
// exits with the number of writes that failed. Built dynamic and static.
#include <fcntl.h>

#include "callers.h"

namespace notes {

struct Line {
    int number;
};

void report(const char* who, int i, long result, int error) {
    char buffer[64];
    say("%s write %d: %s", who, i, outcome(result, error, buffer, sizeof buffer));
}

class Store {
  public:
    explicit Store(int fd) : fd_(fd) {}
    KEEP void flush(int i) {
        long result = 0;
        int error = 0;
        failures += write_record(fd_, "flush", i, &result, &error);
        report("flush", i, result, error);
    }
    int failures = 0;

  private:
    int fd_;
};

template <typename Entry>
class Journal {
  public:
    explicit Journal(int fd) : fd_(fd) {}
    KEEP void append(const Entry& entry) {
        long result = 0;
        int error = 0;
        failures += write_record(fd_, "append", entry.number, &result, &error);
        report("append", entry.number, result, error);
    }
    int failures = 0;

  private:
    int fd_;
};

}  // namespace notes

int main(int argc, char** argv) {
    if (argc != 3) {
        die("usage: cpp_callers FILE N");
    }
    const int count = count_arg(argv[2], "N");
    const int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        die("cpp_callers: cannot open %s: %s", argv[1], strerrorname_np(errno));
    }
    notes::Store store(fd);
    notes::Journal<notes::Line> journal(fd);
    for (int i = 1; i <= count; ++i) {
        store.flush(i);
        journal.append(notes::Line{i});
    }
    close(fd);
    return failures_status(store.failures + journal.failures);
}
