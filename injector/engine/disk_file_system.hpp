// The undo log's FileSystem on the real disk: the files a traced program changes, reached by
// absolute paths (and /proc/PID/fd/N), held open by inject itself so that a power cut reaches
// each by its inode whatever became of its names.
#pragma once

#include <unordered_map>

#include "engine/undo_log.hpp"
#include "trace/unique_fd.hpp"

namespace inject::engine::undo {

class DiskFileSystem final : public FileSystem {
  public:
    std::optional<Node> look_up(const std::string& path) override;
    std::optional<Node> stat(const std::string& path) override;
    std::optional<Node> hold(const std::string& path) override;
    void release(FileId file) override { held_.erase(file); }
    std::string read(FileId file, std::uint64_t offset, std::uint64_t length) override;
    void write(FileId file, std::uint64_t offset, std::string_view bytes) override;
    void resize(FileId file, std::uint64_t size) override;
    std::string read_link(const std::string& path) override;
    void rename(const std::string& from, const std::string& to) override;
    void exchange(const std::string& first, const std::string& second) override;
    void remove(const std::string& path) override;
    void make_directory(const std::string& path) override;
    void make_symlink(const std::string& target, const std::string& path) override;
    FileId make_file(const std::string& path, std::string_view contents) override;

  private:
    int held_fd(FileId file) const;

    std::unordered_map<FileId, trace::UniqueFd, FileIdHash> held_;
};

}  // namespace inject::engine::undo
