// What the integration tests of tests/programs share: every test runs three times, with the
// seccomp filter and its user notifications (inject's default: only the picked syscalls reach
// inject, those that need nothing of ptrace without a ptrace stop), with the filter alone
// (--no-notify: every picked syscall stops by ptrace) and with --no-seccomp (every syscall
// stops), because all three paths must count and inject the same calls.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness.hpp"

namespace inject::testing {

enum class Mode { kNotify, kNoNotify, kNoSeccomp };

// For INSTANTIATE_TEST_SUITE_P(..., ::testing::ValuesIn(kAllModes), mode_name).
inline constexpr std::array<Mode, 3> kAllModes{Mode::kNotify, Mode::kNoNotify, Mode::kNoSeccomp};

inline std::string mode_suffix(Mode mode) {
    switch (mode) {
        case Mode::kNotify:
            return "notify";
        case Mode::kNoNotify:
            return "no_notify";
        case Mode::kNoSeccomp:
            break;
    }
    return "no_seccomp";
}

inline std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
    return mode_suffix(info.param);
}

// inject's options for the mode: none for the default.
inline std::vector<std::string> mode_options(Mode mode) {
    switch (mode) {
        case Mode::kNotify:
            return {};
        case Mode::kNoNotify:
            return {"--no-notify"};
        case Mode::kNoSeccomp:
            break;
    }
    return {"--no-seccomp"};
}

// Whether the mode has the seccomp filter: only the picked calls stop.
inline bool filtered(Mode mode) {
    return mode != Mode::kNoSeccomp;
}

// A traced run that hangs must fail its test, not the suite's time budget.
inline constexpr std::chrono::seconds kRunTimeout{20};

// Everything a failed expectation needs to be understood without rerunning.
inline std::string describe(const CommandResult& r) {
    return "exit status " + std::to_string(r.exit_status) + "\n--- stdout:\n" + r.out +
           "\n--- stderr:\n" + r.err;
}

inline std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        lines.emplace_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    return lines;
}

inline std::size_t count_occurrences(std::string_view text, std::string_view word) {
    std::size_t count = 0;
    for (std::size_t at = text.find(word); at != std::string_view::npos;
         at = text.find(word, at + word.size())) {
        ++count;
    }
    return count;
}

// What tests/programs/writes prints for N writes when the calls listed in `results` (1-based
// index -> "ENOSPC", "ok 0", ...) did not simply succeed, followed by its fsync line.
inline std::string writes_output(int n, const std::vector<std::pair<int, std::string>>& results,
                                 std::string_view fsync = "ok 0") {
    std::string out;
    for (int i = 1; i <= n; ++i) {
        std::string result =
            "ok " + std::to_string(std::string("line ").size() + std::to_string(i).size() + 1);
        for (const auto& [index, text] : results) {
            if (index == i) {
                result = text;
            }
        }
        out += "write " + std::to_string(i) + ": " + result + "\n";
    }
    out += "fsync: " + std::string(fsync) + "\n";
    return out;
}

// The file tests/programs/writes leaves behind when the listed writes did not land.
inline std::string writes_file(int n, const std::vector<int>& lost) {
    std::string out;
    for (int i = 1; i <= n; ++i) {
        bool is_lost = false;
        for (int index : lost) {
            is_lost = is_lost || index == i;
        }
        if (!is_lost) {
            out += "line " + std::to_string(i) + "\n";
        }
    }
    return out;
}

// Runs tests/programs' `program` under inject with the given options, in the fixture's mode.
class ModeTest : public ::testing::TestWithParam<Mode> {
  protected:
    std::vector<std::string> inject_argv(const std::vector<std::string>& options,
                                         const std::vector<std::string>& command) const {
        std::vector<std::string> argv{inject_binary()};
        const std::vector<std::string> mode = mode_options(GetParam());
        argv.insert(argv.end(), mode.begin(), mode.end());
        argv.insert(argv.end(), options.begin(), options.end());
        argv.emplace_back("--");
        argv.insert(argv.end(), command.begin(), command.end());
        return argv;
    }

    CommandResult inject(const std::vector<std::string>& options,
                         const std::vector<std::string>& command) const {
        return run_command(inject_argv(options, command), kRunTimeout);
    }

    // The words the summary's first line ends with in this mode.
    std::string filter_words() const {
        return filtered(GetParam()) ? "(seccomp filter)" : "(no seccomp filter)";
    }

    TempDir dir_;
};

}  // namespace inject::testing

namespace inject::testing {

// inject's summary on stderr: "inject: N faults injected, M syscall stops (seccomp filter)",
// then one "inject:   pid P: ..." line per injection.
struct Summary {
    bool found = false;
    int faults = -1;
    int stops = -1;
    std::string filter;               // "(seccomp filter)" or "(no seccomp filter)"
    std::vector<std::string> events;  // each injection line with "inject:   pid P: " and its
                                      // " at SITE" cut off
    std::vector<std::string> sites;   // and its site ("main (writes.c:40)"), or ""
    std::vector<int> pids;            // and its pid
};

Summary parse_summary(const std::string& err);

}  // namespace inject::testing
