// Durations in both formats (delay= and timeout's, strace's delay_enter/delay_exit): accepted,
// or refused with one line; an accepted one shows as text that reads back as the same.
#include <stdexcept>
#include <string>

#include "promise.hpp"
#include "syscalls/durations.hpp"

namespace {

using inject::text::checked_duration;
using inject::text::checked_strace_duration;

void inject_format(std::string_view text) {
    try {
        const auto duration = checked_duration("delay", text, "50ms");
        const std::string shown = inject::text::duration_text(duration);
        if (checked_duration("delay", shown, "50ms") != duration) {
            inject::fuzz::broken("a duration reads back as itself", shown);
        }
    } catch (const std::invalid_argument& error) {
        inject::fuzz::expect_one_line(error.what());
    }
}

void strace_format(std::string_view text) {
    try {
        const auto duration = checked_strace_duration("delay_enter", text);
        const std::string shown = inject::text::strace_duration_text(duration);
        if (checked_strace_duration("delay_enter", shown) != duration) {
            inject::fuzz::broken("a strace duration reads back as itself", shown);
        }
    } catch (const std::invalid_argument& error) {
        inject::fuzz::expect_one_line(error.what());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = inject::fuzz::as_text(data, size);
    inject_format(text);
    strace_format(text);
    return 0;
}
