// A signal as scenarios and specs give it, for [expect] signal and a fault's signal key alike.
#include <algorithm>
#include <charconv>
#include <string>

#include "scenario/fault_keys.hpp"
#include "syscalls/signals.hpp"

namespace inject::detail {
namespace {

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

int checked_signal(std::int64_t number) {
    if (number < 1 || number > kMaxSignal) {
        fail("signal " + std::to_string(number) + " is out of range 1.." +
             std::to_string(kMaxSignal) + (number == 0 ? " (\"none\": no signal)" : ""));
    }
    return static_cast<int>(number);
}

int checked_signal(std::string_view text) {
    if (text == "none") {
        return 0;
    }
    if (all_digits(text)) {
        std::int64_t number = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (error != std::errc{}) {
            fail("signal " + std::string(text) + " is out of range 1.." +
                 std::to_string(kMaxSignal));
        }
        return checked_signal(number);
    }
    if (auto signal = signal_from_name(text)) {
        return *signal;
    }
    std::string name(text);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (!name.starts_with("SIG")) {
        name.insert(0, "SIG");
    }
    std::string hint = did_you_mean(name, all_signal_names());
    if (hint.empty()) {
        hint = did_you_mean(text, {"none"});
    }
    fail("unknown signal " + quoted(text) + hint);
}

}  // namespace inject::detail
