#include <filesystem>
#include <string>

#include "inject/explore.hpp"
#include "report/summary.hpp"

namespace inject {

std::string replay_line(const ExploreRun& run, const std::vector<std::string>& argv,
                        const ExploreOptions& options) {
    // Quoted as a plain run's replay line is: one line, the same argv when sh reads it back.
    using report::shell_quote;
    std::string line = "inject -e " + shell_quote(to_spec(run.rule));
    if (options.fixture) {
        line += " --fixture " + shell_quote(std::filesystem::absolute(*options.fixture).string());
    }
    if (options.after) {
        line += " --after " + shell_quote(*options.after);
    }
    // A kept prefix is drawn from the seed, which is 0 in every run of an exploration; a plain
    // run would draw one of its own.
    if (run.rule.effect.lose_unsynced == UnsyncedLoss::prefix) {
        line += " --seed 0";
    }
    if (options.timeout) {
        line += " --timeout " + std::to_string(options.timeout->count()) + "ms";
    }
    line += " --";
    for (const std::string& word : argv) {
        line += " " + shell_quote(word);
    }
    return line;
}

}  // namespace inject
