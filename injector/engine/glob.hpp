// The globs of a rule's `path` and `process` filters: fnmatch(3) patterns, checked when the
// rule is read and matched by the engine at each call a filtered rule names.
//
// A path glob is matched component by component, as fnmatch(FNM_PATHNAME) matches: `*`, `?`
// and `[...]` never match a '/'. On top of that, a component that is exactly `**` matches
// zero or more whole components, so "/tmp/**/x.log" matches /tmp/x.log and /tmp/a/b/x.log,
// and "**/x.log" matches an x.log anywhere. A leading '.' is not special (no FNM_PERIOD):
// "/tmp/*" matches /tmp/.hidden, as the paths a program passes are not shell words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace inject::glob {

// Throw std::invalid_argument with the bare message for a glob that could never match what
// it seems to say: empty, relative (the paths matched are absolute), a '.' or '..'
// component (the paths are normalised), `**` inside a component, an unclosed '[', a
// trailing '\'.
void check_path_glob(std::string_view glob);
// The same for a program's name: no '/', since a name has none.
void check_name_glob(std::string_view glob);

// A checked path glob, split into components once so that matching allocates nothing per
// component of the glob.
class PathGlob {
  public:
    explicit PathGlob(std::string_view glob);

    // Whether an absolute, normalised path ("/tmp/a/x.log") matches. A path that is not
    // absolute ("pipe:[1234]", what /proc shows for a pipe) matches nothing.
    bool matches(std::string_view path) const;

  private:
    std::vector<std::string> components_;  // "**" for any depth
};

// fnmatch(glob, name, 0): a program's name against a checked name glob.
bool matches_name(const std::string& glob, const std::string& name);

}  // namespace inject::glob
