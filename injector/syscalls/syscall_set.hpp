// A set of syscalls, by ABI and number: the calls a rule names, the calls the engine watches.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "inject/abi.hpp"

namespace inject {

class SyscallSet {
  public:
    void insert(Abi abi, long number) {
        if (number < 0) {
            return;
        }
        std::vector<bool>& numbers = numbers_[index(abi)];
        const auto at = static_cast<std::size_t>(number);
        if (numbers.size() <= at) {
            numbers.resize(at + 1, false);
        }
        numbers[at] = true;
    }

    bool contains(Abi abi, long number) const noexcept {
        const std::vector<bool>& numbers = numbers_[index(abi)];
        return number >= 0 && static_cast<std::size_t>(number) < numbers.size() &&
               numbers[static_cast<std::size_t>(number)];
    }

  private:
    static std::size_t index(Abi abi) noexcept { return static_cast<std::size_t>(abi); }

    std::array<std::vector<bool>, kAllAbis.size()> numbers_;
};

}  // namespace inject
