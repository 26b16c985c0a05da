// strace's when= grammar: accepted, or refused with one line; an accepted value shows
// (to_string) as text that parses back to it.
#include <stdexcept>
#include <string>

#include "inject/rule.hpp"
#include "promise.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = inject::fuzz::as_text(data, size);
    try {
        const inject::When when = inject::When::parse(text);
        if (when.first == 0 || when.step == 0 || when.last < when.first) {
            inject::fuzz::broken("when counts from 1, steps forward, ends after it starts",
                                 when.to_string());
        }
        if (inject::When::parse(when.to_string()) != when) {
            inject::fuzz::broken("when reads back as itself", when.to_string());
        }
    } catch (const std::invalid_argument& error) {
        inject::fuzz::expect_one_line(error.what());
    }
    return 0;
}
