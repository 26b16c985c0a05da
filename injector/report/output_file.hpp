// A file named on the command line (--junit, --report, --output), opened before the program
// starts.
#pragma once

#include <string>
#include <string_view>

namespace inject::report {

// Opened early, so that a path that cannot be written stops inject before the program runs,
// and close-on-exec: an inherited descriptor would shift the program's own fd numbers (and so
// what an fd filter picks). Throws std::runtime_error "cannot write OPTION PATH: REASON".
class OutputFile {
  public:
    OutputFile(std::string option, std::string path);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    // Writes the whole text and closes the file; call it once.
    void write(std::string_view text);
    // Writes the whole text and keeps the file open for more (the syscall log, written as the
    // program runs).
    void append(std::string_view text);
    // Closes it, saying whether the last writes failed (some file systems only tell then).
    void close();

  private:
    [[noreturn]] void fail(int error) const;

    std::string option_;
    std::string path_;
    int fd_ = -1;
};

}  // namespace inject::report
