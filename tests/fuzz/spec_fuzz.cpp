// A -e spec, as the command line gives it (parse_command_line) and as parse_spec reads it:
// accepted, or refused with one line that starts with "--inject SPEC: "; an accepted rule
// shows as a spec that reads back the same.
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "inject/scenario.hpp"
#include "promise.hpp"
#include "round_trip.hpp"
#include "syscalls/text.hpp"

namespace {

void parse_alone(const std::string& spec) {
    try {
        inject::fuzz::expect_spec_round_trip(inject::parse_spec(spec));
    } catch (const inject::ScenarioError& error) {
        inject::fuzz::expect_prefixed(error.what(),
                                      "--inject " + inject::text::one_line(spec) + ": ");
    }
}

void parse_on_the_command_line(const std::string& spec) {
    try {
        const inject::cli::Options options =
            inject::cli::parse_command_line({"-e", spec, "--", "prog"});
        // strace's -e trace=SET (t=SET) says what the log shows, and is no rule.
        const bool trace_set = options.trace.has_value() && options.rule_sources.empty();
        if (options.rule_sources.size() != 1 && !trace_set) {
            inject::fuzz::broken("-e SPEC is one rule source, or -e trace=SET none", spec);
        }
    } catch (const inject::ScenarioError& error) {
        inject::fuzz::expect_prefixed(error.what(), "--inject ");
    } catch (const inject::cli::UsageError& error) {
        inject::fuzz::expect_one_line(error.what());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string spec(inject::fuzz::as_text(data, size));
    parse_alone(spec);
    // argv strings end at a NUL: what the command line can hold.
    if (spec.find('\0') == std::string::npos) {
        parse_on_the_command_line(spec);
    }
    return 0;
}
