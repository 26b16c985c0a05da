// --after CMD: a shell command run in the program's directory once it has ended (a recovery
// run, an integrity check), told how the program ended through its environment. Plain runs and
// every run of an exploration call it alike.
#pragma once

#include <optional>
#include <string>

namespace inject::exploration {

struct AfterContext {
    std::string directory;              // where it runs; INJECT_RUN_DIR
    std::optional<int> exit_code;       // INJECT_EXIT_CODE ("" when killed)
    std::optional<int> signal;          // INJECT_SIGNAL: its name, "" when it exited
    std::string fault;                  // INJECT_FAULT: the rules in --inject syntax, ';' between
    std::string stdout_path;            // INJECT_STDOUT: a file holding what the program wrote
    std::string stderr_path;            // INJECT_STDERR
    std::optional<std::string> output;  // where the command's own output goes; none: inherited
};

// Runs `/bin/sh -c COMMAND` and returns its exit status (128+N when killed by signal N).
// Throws std::system_error when it cannot be started.
int run_after_command(const std::string& command, const AfterContext& context);

// Writes text to a new file (for INJECT_STDOUT / INJECT_STDERR); throws std::system_error.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace inject::exploration
