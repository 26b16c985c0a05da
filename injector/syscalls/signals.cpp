#include "syscalls/signals.hpp"

#include <string.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>

namespace inject {
namespace {

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

}  // namespace

std::optional<int> signal_from_name(std::string_view text) {
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
    return realtime_signal(name);
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

bool ignored_by_default(int signal) {
    return signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH || signal == SIGCONT;
}

}  // namespace inject
