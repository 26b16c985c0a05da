// The end of a stream that may be endless: its last `limit` bytes in a buffer that never
// grows past them, and how many bytes went by. Pure, so GoogleTest covers the wrapping.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace inject::engine {

class StreamTail {
  public:
    explicit StreamTail(std::size_t limit) : limit_(limit) {}

    void append(std::string_view data) {
        total_ += data.size();
        if (data.size() >= limit_) {
            // Only its end can be kept, and nothing before it.
            buffer_.assign(data.end() - static_cast<std::ptrdiff_t>(limit_), data.end());
            start_ = 0;
            return;
        }
        if (buffer_.size() < limit_) {
            // Still filling up: grown by doubling, but never past the limit (a vector's
            // reserve, unlike a string's, takes no more than it is asked for).
            const std::size_t fits = std::min(limit_ - buffer_.size(), data.size());
            if (buffer_.size() + fits > buffer_.capacity()) {
                buffer_.reserve(
                    std::min(limit_, std::max(2 * buffer_.capacity(), buffer_.size() + fits)));
            }
            buffer_.insert(buffer_.end(), data.begin(),
                           data.begin() + static_cast<std::ptrdiff_t>(fits));
            data.remove_prefix(fits);
        }
        // Full: the oldest bytes, from start_ on, make room.
        while (!data.empty()) {
            const std::size_t run = std::min(limit_ - start_, data.size());
            std::memcpy(buffer_.data() + start_, data.data(), run);
            start_ = (start_ + run) % limit_;
            data.remove_prefix(run);
        }
    }

    // How many bytes were appended in all, kept or not.
    std::uint64_t total() const noexcept { return total_; }

    // What was kept, oldest byte first; the tail is empty afterwards.
    std::string take() {
        std::rotate(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_),
                    buffer_.end());
        std::string kept(buffer_.begin(), buffer_.end());
        buffer_ = {};
        start_ = 0;
        return kept;
    }

    // The room it holds now, never more than the limit.
    std::size_t capacity() const noexcept { return buffer_.capacity(); }

  private:
    std::size_t limit_;
    std::vector<char> buffer_;
    std::size_t start_ = 0;  // once full: where the oldest byte is
    std::uint64_t total_ = 0;
};

}  // namespace inject::engine
