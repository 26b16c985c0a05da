// Saving notes so that an error never leaves a half-written file behind.
#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace notes {

// Replaces the file at `path` with `text`, atomically: the text goes to PATH.tmp, fsync makes
// it durable, rename(2) swaps it in, and an fsync of the directory makes the rename durable.
// Returns the errno of the first step that failed (an empty error_code on success). On a
// failure PATH.tmp is removed and PATH is left as it was, except when only the final
// directory sync failed: PATH then holds the new text, which may not survive a crash.
std::error_code save(const std::filesystem::path& path, std::string_view text);

}  // namespace notes
