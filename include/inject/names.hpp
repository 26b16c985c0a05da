// System call and errno names. Syscall names come from libseccomp for each ABI, errno names
// from the C library (strerrorname_np): no hand-written tables.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inject/abi.hpp"

namespace inject {

// The number of a syscall on one ABI, or nullopt when that ABI has no such call.
std::optional<long> syscall_number(Abi abi, std::string_view name);

// The name of a syscall number on one ABI, or nullopt.
std::optional<std::string> syscall_name(Abi abi, long number);

// Every syscall of an ABI, by number.
struct SyscallEntry {
    long number;
    std::string name;
};
std::vector<SyscallEntry> all_syscalls(Abi abi);

// True when at least one ABI knows the name.
bool is_known_syscall(std::string_view name);

// Every syscall of x32 (64-bit programs with 32-bit pointers), numbered without the x32 bit as
// strace numbers them. inject traces no x32 call, but strace's syntax may name them
// ("write@x32"): such an element is valid and picks nothing.
std::vector<SyscallEntry> x32_syscalls();

// "ENOSPC" (in any case: "enospc", as strace reads it) -> 28, an alias <errno.h> defines
// ("EWOULDBLOCK") too; also a decimal number 1..4095. nullopt when neither.
std::optional<int> errno_from_text(std::string_view text);

// 28 -> "ENOSPC"; nullopt for numbers the C library has no name for.
std::optional<std::string> errno_name(int error);

// Every errno the C library names, by number.
struct ErrnoEntry {
    int number;
    std::string name;
    std::string description;
};
std::vector<ErrnoEntry> all_errnos();

// The candidate nearest to `word` by edit distance, when it is close enough to be what the
// user meant; used for every "did you mean" in messages. A word of kLongestSuggestedWord
// characters or more gets none: every name inject suggests is far shorter.
inline constexpr std::size_t kLongestSuggestedWord = 64;
std::optional<std::string> nearest_word(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace inject
