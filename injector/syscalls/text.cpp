#include "syscalls/text.hpp"

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

}  // namespace inject::text
