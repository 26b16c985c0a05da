#include "report/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace inject::report {

OutputFile::OutputFile(std::string option, std::string path)
    : option_(std::move(option)), path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) {
        fail(errno);
    }
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void OutputFile::fail(int error) const {
    throw std::runtime_error("cannot write " + option_ + ' ' + path_ + ": " + std::strerror(error));
}

void OutputFile::write(std::string_view text) {
    append(text);
    close();
}

void OutputFile::append(std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(fd_, text.data(), text.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            fail(written < 0 ? errno : EIO);
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

void OutputFile::close() {
    if (fd_ < 0) {
        return;
    }
    const int closed = ::close(std::exchange(fd_, -1));
    if (closed != 0 && errno != EINTR) {
        fail(errno);
    }
}

}  // namespace inject::report
