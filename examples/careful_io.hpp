// What the examples share: careful I/O needs an owner for each descriptor that can report a
// failed close, a file that removes itself unless its work was committed, and an error that
// remembers the step and the errno.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

namespace examples {

// One failed step: what the program was doing, and the errno it met (0: the action says it all).
struct IoError {
    std::string action;
    int error;
};

// Throws for the errno of the call that just failed. errno is saved before the message is
// built: the allocation could overwrite it.
[[noreturn]] void fail(const char* verb, const std::string& name) {
    const int error = errno;
    throw IoError{verb + name, error};
}

class UniqueFd {
  public:
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    int get() const noexcept { return fd_; }

    // Closes now and says whether it worked: close() is where some file systems (NFS, FUSE)
    // report that the data written earlier never reached the disk. Never retried on EINTR:
    // Linux releases the descriptor anyway, and a second close could hit a reused number.
    int close() noexcept { return ::close(std::exchange(fd_, -1)); }

  private:
    int fd_;
};

// Unlinks a file on scope exit unless the work that produced it was committed.
class RemoveUnlessCommitted {
  public:
    explicit RemoveUnlessCommitted(std::string path) : path_(std::move(path)) {}
    ~RemoveUnlessCommitted() {
        if (!committed_) {
            ::unlink(path_.c_str());
        }
    }
    RemoveUnlessCommitted(const RemoveUnlessCommitted&) = delete;
    RemoveUnlessCommitted& operator=(const RemoveUnlessCommitted&) = delete;
    void commit() noexcept { committed_ = true; }

  private:
    std::string path_;
    bool committed_ = false;
};

}  // namespace examples
