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

// The C library names 1..31 once each; the kernel's and strace's name for 29 is SIGIO, where
// the C library's is SIGPOLL.
const char* kernel_abbreviation(int signal) {
    return signal == SIGIO ? "IO" : sigabbrev_np(signal);
}

// "RTMIN", "RTMIN+3", "RTMAX-2", "RT_3" (without "SIG"), in the kernel's numbering.
std::optional<int> realtime_signal(std::string_view name) {
    constexpr int kSpan = kMaxSignal - kKernelRealtimeMin;
    for (const auto& [base_name, base, sign, least] :
         {std::tuple{std::string_view("RTMIN"), kKernelRealtimeMin, '+', 0},
          std::tuple{std::string_view("RTMAX"), kMaxSignal, '-', 0},
          std::tuple{std::string_view("RT_"), kKernelRealtimeMin, '+', 1}}) {
        if (!name.starts_with(base_name)) {
            continue;
        }
        std::string_view rest = name.substr(base_name.size());
        const bool strace_form = base_name == "RT_";
        if (rest.empty() && !strace_form) {
            return base;
        }
        if (!strace_form) {
            if (rest.front() != sign) {
                return std::nullopt;
            }
            rest.remove_prefix(1);
        }
        int offset = 0;
        const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
        if (!all_digits(rest) || error != std::errc{} || offset < least || offset > kSpan) {
            return std::nullopt;
        }
        return sign == '+' ? base + offset : base - offset;
    }
    return std::nullopt;
}

}  // namespace

std::optional<int> signal_from_name(std::string_view text) {
    std::string name = upper(text);
    if (name.starts_with("SIG")) {
        name.erase(0, 3);
    }
    for (int signal = 1; signal < kKernelRealtimeMin; ++signal) {
        const char* abbreviation = sigabbrev_np(signal);
        if ((abbreviation != nullptr && name == abbreviation) ||
            name == kernel_abbreviation(signal)) {
            return signal;
        }
    }
    return realtime_signal(name);
}

const std::vector<std::string>& all_signal_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (int signal = 1; signal < kKernelRealtimeMin; ++signal) {
            if (const char* abbreviation = sigabbrev_np(signal)) {
                v.push_back(std::string("SIG") + abbreviation);
            }
        }
        v.emplace_back("SIGIO");
        v.emplace_back("SIGRTMIN");
        v.emplace_back("SIGRTMAX");
        for (int signal = kKernelRealtimeMin + 1; signal <= kMaxSignal; ++signal) {
            v.push_back(signal_name(signal));
        }
        return v;
    }();
    return names;
}

std::string signal_name(int signal) {
    if (signal >= 1 && signal < kKernelRealtimeMin) {
        if (const char* abbreviation = kernel_abbreviation(signal)) {
            return std::string("SIG") + abbreviation;
        }
    }
    if (signal == kKernelRealtimeMin) {
        return "SIGRTMIN";
    }
    if (signal > kKernelRealtimeMin && signal <= kMaxSignal) {
        return "SIGRT_" + std::to_string(signal - kKernelRealtimeMin);
    }
    return "signal " + std::to_string(signal);
}

}  // namespace inject
