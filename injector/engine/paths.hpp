// A call's path as the kernel will look it up, made absolute and normalised by text alone, so
// that a rule's glob sees one spelling of each file whatever the program wrote. Pure.
#pragma once

#include <string>
#include <string_view>

namespace inject::engine {

// `path` as the program passed it, taken relative to `base` (the absolute directory it is
// looked up from: the cwd, or the file a dirfd refers to) unless it is absolute, then
// normalised lexically: "." and empty components dropped, ".." removes the component before it
// (and stays at "/" above the root), no trailing '/'. Symlinks are not followed: the file may
// not exist yet, and the kernel itself resolves ".." after symlinks, which only the real file
// system can answer. An empty path stands for `base` itself (AT_EMPTY_PATH calls).
std::string absolute_path(std::string_view base, std::string_view path);

}  // namespace inject::engine
