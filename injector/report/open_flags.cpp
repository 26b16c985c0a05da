// O_* flags as the kernel defines them. This file includes the kernel's <linux/fcntl.h> and not
// the C library's <fcntl.h> (the two cannot share a file): the C library defines O_LARGEFILE
// as 0 for 64-bit programs, but 32-bit programs pass the kernel's bit, and a log shows what the
// kernel was given.
#include <linux/fcntl.h>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "report/syscall_log.hpp"

namespace inject::report {
namespace {

#define INJECT_FLAG(flag) std::pair<std::uint64_t, std::string_view>(flag, #flag)

// In strace's order: a flag made of several bits (O_SYNC, O_TMPFILE) before its parts, so
// that it is named whole.
constexpr std::array kOpenFlags{
    INJECT_FLAG(O_CREAT),   INJECT_FLAG(O_EXCL),      INJECT_FLAG(O_NOCTTY),
    INJECT_FLAG(O_TRUNC),   INJECT_FLAG(O_APPEND),    INJECT_FLAG(O_NONBLOCK),
    INJECT_FLAG(O_SYNC),    INJECT_FLAG(__O_SYNC),    INJECT_FLAG(O_DSYNC),
    INJECT_FLAG(O_DIRECT),  INJECT_FLAG(O_LARGEFILE), INJECT_FLAG(O_NOFOLLOW),
    INJECT_FLAG(O_NOATIME), INJECT_FLAG(O_CLOEXEC),   INJECT_FLAG(O_PATH),
    INJECT_FLAG(O_TMPFILE), INJECT_FLAG(__O_TMPFILE), INJECT_FLAG(O_DIRECTORY),
    INJECT_FLAG(FASYNC),
};

constexpr std::array kAccessModes{
    INJECT_FLAG(O_RDONLY),
    INJECT_FLAG(O_WRONLY),
    INJECT_FLAG(O_RDWR),
    INJECT_FLAG(O_ACCMODE),
};

#undef INJECT_FLAG

}  // namespace

std::string open_flags_text(std::uint64_t flags) {
    // The kernel reads the flags as an int: the upper half of the register means nothing.
    std::uint64_t rest = flags & 0xffffffffU;
    std::string text;
    for (const auto& [mode, name] : kAccessModes) {
        if ((rest & O_ACCMODE) == mode) {
            text = name;
        }
    }
    rest &= ~static_cast<std::uint64_t>(O_ACCMODE);
    for (const auto& [flag, name] : kOpenFlags) {
        if ((rest & flag) == flag) {
            text += '|';
            text += name;
            rest &= ~flag;
        }
    }
    if (rest != 0) {
        std::array<char, 24> hex{};
        std::snprintf(hex.data(), hex.size(), "|%#llx", static_cast<unsigned long long>(rest));
        text += hex.data();
    }
    return text;
}

bool is_at_fdcwd(std::uint64_t dirfd) {
    return static_cast<int>(dirfd) == AT_FDCWD;
}

}  // namespace inject::report
