#include <filesystem>
#include <string>

#include "inject/explore.hpp"

namespace inject {

namespace {

// A word as sh reads it back: bare when it holds nothing the shell treats specially, else in
// single quotes (a quote inside as '\'').
std::string shell_word(const std::string& word) {
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789_-+=:,./@%") == std::string::npos;
    if (plain) {
        return word;
    }
    std::string quoted = "'";
    for (const char c : word) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

}  // namespace

std::string replay_line(const ExploreRun& run, const std::vector<std::string>& argv,
                        const ExploreOptions& options) {
    std::string line = "inject -e " + shell_word(to_spec(run.rule));
    if (options.fixture) {
        line += " --fixture " + shell_word(std::filesystem::absolute(*options.fixture).string());
    }
    if (options.after) {
        line += " --after " + shell_word(*options.after);
    }
    if (options.timeout) {
        line += " --timeout " + std::to_string(options.timeout->count()) + "ms";
    }
    line += " --";
    for (const std::string& word : argv) {
        line += " " + shell_word(word);
    }
    return line;
}

}  // namespace inject
