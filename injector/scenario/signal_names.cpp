// Signal names and numbers, read as strace and kill(1) read them, for [expect] signal and a
// fault's signal key alike.
#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "scenario/fault_keys.hpp"

namespace inject::detail {
namespace {

// The kernel's signals are 1..64 (_NSIG - 1); glibc names 1..31 and keeps 32 and 33.
constexpr int kMaxSignal = NSIG - 1;

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return result;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "SIGRTMIN", "SIGRTMIN+3", "SIGRTMAX-2": glibc has no abbreviation for the real-time
// signals, and their numbers are the C library's choice, so they are read relative to it.
std::optional<int> realtime_signal(std::string_view name) {
    for (const auto& [base_name, base, sign] :
         {std::tuple{std::string_view("SIGRTMIN"), SIGRTMIN, '+'},
          std::tuple{std::string_view("SIGRTMAX"), SIGRTMAX, '-'}}) {
        if (!name.starts_with(base_name)) {
            continue;
        }
        std::string_view rest = name.substr(base_name.size());
        if (rest.empty()) {
            return base;
        }
        if (rest.front() != sign || !all_digits(rest.substr(1))) {
            return std::nullopt;
        }
        rest.remove_prefix(1);
        int offset = 0;
        const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
        if (error != std::errc{} || offset > SIGRTMAX - SIGRTMIN) {
            return std::nullopt;
        }
        return sign == '+' ? base + offset : base - offset;
    }
    return std::nullopt;
}

const std::vector<std::string>& all_signal_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (int signal = 1; signal <= kMaxSignal; ++signal) {
            if (const char* abbreviation = sigabbrev_np(signal)) {
                v.push_back(std::string("SIG") + abbreviation);
            }
        }
        v.emplace_back("SIGRTMIN");
        v.emplace_back("SIGRTMAX");
        return v;
    }();
    return names;
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
    // As strace and kill(1) read them: with or without "SIG", in any case.
    std::string name = upper(text);
    if (!name.starts_with("SIG")) {
        name.insert(0, "SIG");
    }
    for (int signal = 1; signal <= kMaxSignal; ++signal) {
        const char* abbreviation = sigabbrev_np(signal);
        if (abbreviation != nullptr && name.compare(3, std::string::npos, abbreviation) == 0) {
            return signal;
        }
    }
    if (auto signal = realtime_signal(name)) {
        return *signal;
    }
    std::string hint = did_you_mean(name, all_signal_names());
    if (hint.empty()) {
        hint = did_you_mean(text, {"none"});
    }
    fail("unknown signal " + quoted(text) + hint);
}

std::string signal_name(int signal) {
    if (const char* abbreviation = sigabbrev_np(signal)) {
        return std::string("SIG") + abbreviation;
    }
    if (signal == SIGRTMIN) {
        return "SIGRTMIN";
    }
    if (signal > SIGRTMIN && signal <= SIGRTMAX) {
        return "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
    }
    return "signal " + std::to_string(signal);
}

}  // namespace inject::detail
