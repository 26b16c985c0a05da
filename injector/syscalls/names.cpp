// Syscall names from libseccomp, errno names from the C library: the tool must agree with
// the kernel and libc it runs on, which hand-written tables would not.
#include "inject/names.hpp"

#include <seccomp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace inject {
namespace {

// Numbers above every syscall either ABI has today, with room for years of new ones.
constexpr long kSyscallNumberLimit = 1024;
// The kernel returns -4095..-1 for errors, so these are all the numbers an errno can take.
constexpr int kMaxErrno = 4095;

// The bit that tells an x32 syscall number from an x86_64 one (the kernel's __X32_SYSCALL_BIT).
constexpr long kX32SyscallBit = 0x40000000;

std::uint32_t arch_token(Abi abi) {
    return abi == Abi::x86_64 ? SCMP_ARCH_X86_64 : SCMP_ARCH_X86;
}

struct FreeDeleter {
    void operator()(char* p) const noexcept { std::free(p); }
};

std::vector<SyscallEntry> list_syscalls(Abi abi) {
    std::vector<SyscallEntry> entries;
    for (long number = 0; number < kSyscallNumberLimit; ++number) {
        if (auto name = syscall_name(abi, number)) {
            entries.push_back({number, std::move(*name)});
        }
    }
    return entries;
}

const std::vector<SyscallEntry>& syscall_table(Abi abi) {
    static const std::vector<SyscallEntry> x86_64 = list_syscalls(Abi::x86_64);
    static const std::vector<SyscallEntry> i386 = list_syscalls(Abi::i386);
    return abi == Abi::x86_64 ? x86_64 : i386;
}

const std::vector<ErrnoEntry>& errno_table() {
    static const std::vector<ErrnoEntry> table = [] {
        std::vector<ErrnoEntry> entries;
        for (int number = 1; number <= kMaxErrno; ++number) {
            if (const char* name = strerrorname_np(number)) {
                const char* description = strerrordesc_np(number);
                entries.push_back({number, name, description != nullptr ? description : ""});
            }
        }
        return entries;
    }();
    return table;
}

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return result;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions, so "wirte"
// is one typo from "write"), ignoring case; or any value over `bound` once it is sure to
// exceed it: the smallest value of a row never shrinks in the rows after it.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t bound) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    // Three rows suffice: the transposition looks two rows back.
    std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
    for (std::size_t j = 0; j <= m; ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= n; ++i) {
        current[0] = i;
        std::size_t row_minimum = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const bool same = lower(a[i - 1]) == lower(b[j - 1]);
            current[j] =
                std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1])) {
                current[j] = std::min(current[j], before[j - 2] + 1);
            }
            row_minimum = std::min(row_minimum, current[j]);
        }
        // A transposition reaches two rows back, so both rows must be over the bound.
        if (row_minimum > bound && *std::min_element(previous.begin(), previous.end()) > bound) {
            return bound + 1;
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[m];
}

// A lower bound of edit_distance in time linear in the words: an edit changes at most one
// character on each side of the two words' multisets of characters (a transposition none).
std::size_t bag_distance(std::string_view a, std::string_view b) {
    std::array<int, 256> surplus{};
    for (const char c : a) {
        ++surplus[static_cast<unsigned char>(lower(c))];
    }
    for (const char c : b) {
        --surplus[static_cast<unsigned char>(lower(c))];
    }
    // Only the characters of a word can have its surplus: each is summed once, then zeroed.
    const auto excess = [&](std::string_view word, int sign) {
        std::size_t total = 0;
        for (const char c : word) {
            int& count = surplus[static_cast<unsigned char>(lower(c))];
            if (count * sign > 0) {
                total += static_cast<std::size_t>(count * sign);
                count = 0;
            }
        }
        return total;
    };
    const std::size_t only_in_a = excess(a, 1);
    return std::max(only_in_a, excess(b, -1));
}

}  // namespace

std::optional<long> syscall_number(Abi abi, std::string_view name) {
    const int number =
        seccomp_syscall_resolve_name_arch(arch_token(abi), std::string(name).c_str());
    if (number >= 0) {
        return number;
    }
    // A negative answer is a libseccomp pseudo-number. Mostly that means the ABI lacks the
    // call, but on i386 the socket and SysV IPC calls (socket = 359, semget = 393, ...) also
    // get one, because libseccomp filters them together with socketcall/ipc; the kernel
    // still has the direct numbers, which the number-to-name direction reports.
    for (const SyscallEntry& entry : syscall_table(abi)) {
        if (entry.name == name) {
            return entry.number;
        }
    }
    return std::nullopt;
}

std::optional<std::string> syscall_name(Abi abi, long number) {
    if (number < 0 || number >= kSyscallNumberLimit) {
        return std::nullopt;
    }
    std::unique_ptr<char, FreeDeleter> name(
        seccomp_syscall_resolve_num_arch(arch_token(abi), static_cast<int>(number)));
    if (!name) {
        return std::nullopt;
    }
    return std::string(name.get());
}

std::vector<SyscallEntry> all_syscalls(Abi abi) {
    return syscall_table(abi);
}

bool is_known_syscall(std::string_view name) {
    return std::any_of(kAllAbis.begin(), kAllAbis.end(),
                       [&](Abi abi) { return syscall_number(abi, name).has_value(); });
}

std::vector<SyscallEntry> x32_syscalls() {
    static const std::vector<SyscallEntry> table = [] {
        std::vector<SyscallEntry> entries;
        for (long number = 0; number < kSyscallNumberLimit; ++number) {
            std::unique_ptr<char, FreeDeleter> name(seccomp_syscall_resolve_num_arch(
                SCMP_ARCH_X32, static_cast<int>(number | kX32SyscallBit)));
            if (name) {
                entries.push_back({number, name.get()});
            }
        }
        return entries;
    }();
    return table;
}

std::optional<int> errno_from_text(std::string_view text) {
    if (!text.empty() &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        int number = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (ec != std::errc{} || end != text.data() + text.size() || number < 1 ||
            number > kMaxErrno) {
            return std::nullopt;
        }
        return number;
    }
    const std::string name = upper(text);
    for (const ErrnoEntry& entry : errno_table()) {
        if (entry.name == name) {
            return entry.number;
        }
    }
    // The C library names each number once; its headers also define aliases for some.
    struct Alias {
        std::string_view alias;
        std::string_view name;
    };
    static constexpr Alias kAliases[] = {
#include "errno_aliases.inc"
    };
    for (const Alias& alias : kAliases) {
        if (alias.alias == name) {
            return errno_from_text(alias.name);
        }
    }
    // The kernel's own codes, which only it returns (a program sees ERESTARTSYS only when a
    // tracer shows it one), as strace names them.
    struct KernelErrno {
        std::string_view name;
        int number;
    };
    static constexpr KernelErrno kKernelErrnos[] = {
#include "syscalls/kernel_errnos.inc"
    };
    for (const KernelErrno& kernel : kKernelErrnos) {
        if (kernel.name == name) {
            return kernel.number;
        }
    }
    return std::nullopt;
}

std::optional<std::string> errno_name(int error) {
    if (error < 1 || error > kMaxErrno) {
        return std::nullopt;
    }
    const char* name = strerrorname_np(error);
    if (name == nullptr) {
        return std::nullopt;
    }
    return std::string(name);
}

std::vector<ErrnoEntry> all_errnos() {
    return errno_table();
}

std::optional<std::string> nearest_word(std::string_view word,
                                        const std::vector<std::string>& candidates) {
    // No name inject knows is this long: a longer word is no typo of one, and the distance
    // to each candidate costs the product of the lengths.
    if (word.empty() || word.size() >= kLongestSuggestedWord) {
        return std::nullopt;
    }
    // Short words get one typo: any more and "xyz" would "mean" half the list.
    const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    const std::string* best = nullptr;
    std::size_t best_distance = limit + 1;
    for (const std::string& candidate : candidates) {
        // The distance is at least the difference in length: skip what cannot come closer.
        const std::size_t length_difference = candidate.size() > word.size()
                                                  ? candidate.size() - word.size()
                                                  : word.size() - candidate.size();
        if (length_difference >= best_distance || bag_distance(word, candidate) >= best_distance) {
            continue;
        }
        const std::size_t distance = edit_distance(word, candidate, best_distance - 1);
        if (distance < best_distance) {
            best = &candidate;
            best_distance = distance;
        }
    }
    if (best == nullptr) {
        return std::nullopt;
    }
    return *best;
}

}  // namespace inject
