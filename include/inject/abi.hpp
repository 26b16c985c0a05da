// The system call ABIs inject understands. A 64-bit x86 kernel runs programs of both.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace inject {

enum class Abi : std::uint8_t { x86_64, i386 };

inline constexpr std::array<Abi, 2> kAllAbis{Abi::x86_64, Abi::i386};

constexpr std::string_view abi_name(Abi abi) {
    return abi == Abi::x86_64 ? "x86_64" : "i386";
}

}  // namespace inject
