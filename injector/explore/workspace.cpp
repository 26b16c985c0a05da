#include "explore/workspace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace inject::exploration {

namespace fs = std::filesystem;

Workspace::Workspace(const std::string& parent) {
    std::string base = parent;
    if (base.empty()) {
        const char* tmpdir = std::getenv("TMPDIR");
        base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
    }
    std::string pattern = fs::absolute(base).string() + "/inject-explore-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "making a directory in " + base);
    }
    root_ = buffer.data();
}

std::string Workspace::fresh_copy(const std::string& name,
                                  const std::optional<std::string>& fixture) {
    const std::string directory = root_ + "/" + name;
    if (fixture) {
        fs::copy(*fixture, directory,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    } else {
        fs::create_directory(directory);
    }
    return directory;
}

void Workspace::remove_run(const std::string& name) const {
    std::error_code ignored;
    fs::remove_all(root_ + "/" + name, ignored);
    for (const char* stream : {"stdout", "stderr", "after"}) {
        fs::remove(output_path(name, stream), ignored);
    }
}

void Workspace::remove_if_empty() const {
    std::error_code ignored;
    if (fs::is_empty(root_, ignored)) {
        fs::remove(root_, ignored);
    }
}

void check_fixture(const std::string& fixture) {
    std::error_code error;
    if (!fs::is_directory(fixture, error)) {
        throw std::invalid_argument(
            "--fixture " + fixture + ": " +
            (fs::exists(fixture, error) ? "not a directory" : "no such directory"));
    }
}

InDirectory::InDirectory(const std::string& directory)
    : saved_(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (saved_ < 0 || ::chdir(directory.c_str()) != 0) {
        const int error = errno;
        if (saved_ >= 0) {
            ::close(saved_);
        }
        throw std::system_error(error, std::generic_category(), "entering " + directory);
    }
}

InDirectory::~InDirectory() {
    if (::fchdir(saved_) != 0) {
        // Nothing to do: the directory inject started in is gone.
    }
    ::close(saved_);
}

}  // namespace inject::exploration
