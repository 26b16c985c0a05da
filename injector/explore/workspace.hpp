// Where an exploration's runs happen: a directory of its own with one fresh copy of the
// fixture per run, and files beside each copy for what its program wrote.
#pragma once

#include <optional>
#include <string>

namespace inject::exploration {

// Makes `$TMPDIR/inject-explore-XXXXXX` (or under `parent`); removed by remove_if_empty().
class Workspace {
  public:
    explicit Workspace(const std::string& parent);
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    const std::string& root() const { return root_; }
    // A fresh copy of the fixture (an empty directory without one), named NAME in the root.
    std::string fresh_copy(const std::string& name, const std::optional<std::string>& fixture);
    std::string output_path(const std::string& name, const std::string& stream) const {
        return root_ + "/" + name + "." + stream;
    }
    // A run's directory and its output files gone (a survived run leaves nothing).
    void remove_run(const std::string& name) const;
    // The root gone when no run is kept in it.
    void remove_if_empty() const;

  private:
    std::string root_;
};

// The fixture refused when it is not a directory: std::invalid_argument with the reason.
void check_fixture(const std::string& fixture);

// scoped chdir: the survey runs in its copy of the fixture and inject goes back after it.
class InDirectory {
  public:
    explicit InDirectory(const std::string& directory);
    InDirectory(const InDirectory&) = delete;
    InDirectory& operator=(const InDirectory&) = delete;
    ~InDirectory();

  private:
    int saved_ = -1;
};

}  // namespace inject::exploration
