#include "syscalls/text.hpp"

#include <array>
#include <cstdio>

#include "inject/names.hpp"

namespace inject::text {

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    if (auto nearest = nearest_word(word, candidates)) {
        return " (did you mean " + quoted(*nearest) + "?)";
    }
    return "";
}

std::string hex(std::uint64_t value) {
    std::array<char, 24> text{};
    std::snprintf(text.data(), text.size(), "0x%llx", static_cast<unsigned long long>(value));
    return text.data();
}

}  // namespace inject::text
