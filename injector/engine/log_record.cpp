#include "engine/log_record.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "inject/names.hpp"
#include "syscalls/catalogue.hpp"

namespace inject::engine {
namespace {

using catalogue::ArgKind;

// Strings are read in pieces that end at multiples of this: most end in their first piece, and
// a string that ends just before unmapped memory is still read.
constexpr std::uint64_t kStringPiece = 256;

bool is_error(std::int64_t result) {
    return result < 0 && result >= -4095;
}

// An i386 program's registers hold 32-bit values.
std::uint64_t register_value(Abi abi, std::uint64_t value) {
    return abi == Abi::i386 ? static_cast<std::uint32_t>(value) : value;
}

std::uint64_t length_of(const SyscallRecord& record, const catalogue::Argument& argument) {
    if (argument.length_arg < 0) {
        return 0;
    }
    return register_value(record.abi, record.args[static_cast<std::size_t>(argument.length_arg)]);
}

// A NUL-terminated string of at most `limit` bytes, truncated when no NUL came within them.
// Unreadable (nullopt) when readable memory ends before its NUL, as strace shows it.
LoggedBytes read_string(trace::Tracer& tracer, pid_t tid, std::uint64_t address,
                        std::size_t limit) {
    LoggedBytes logged;
    if (address == 0) {
        return logged;
    }
    std::string text;
    std::string piece;
    while (text.size() <= limit) {
        const std::uint64_t at = address + text.size();
        const std::size_t wanted =
            std::min<std::uint64_t>(limit + 1 - text.size(), kStringPiece - at % kStringPiece);
        if (tracer.read_memory(tid, at, wanted, piece)) {
            return logged;
        }
        const auto end = piece.find('\0');
        if (end != std::string::npos) {
            text.append(piece, 0, end);
            logged.bytes = std::move(text);
            return logged;
        }
        text += piece;
        if (piece.size() < wanted) {
            return logged;
        }
    }
    text.resize(limit);
    logged.bytes = std::move(text);
    logged.truncated = true;
    return logged;
}

// The first bytes of a buffer of `length` bytes, unreadable (nullopt) unless all of them are.
LoggedBytes read_buffer(trace::Tracer& tracer, pid_t tid, std::uint64_t address,
                        std::uint64_t length) {
    LoggedBytes logged;
    if (address == 0) {
        return logged;
    }
    const std::size_t wanted = std::min<std::uint64_t>(length, kLoggedBytes);
    std::string bytes;
    if (!tracer.read_memory(tid, address, wanted, bytes) && bytes.size() == wanted) {
        logged.bytes = std::move(bytes);
        logged.truncated = length > wanted;
    }
    return logged;
}

// The first entries of a struct iovec array, each with its first bytes. `data` limits the
// bytes shown over all entries (what readv returned), as strace does; without it the entries
// are shown with their pointers (a readv that failed filled nothing).
void read_iovecs(trace::Tracer& tracer, pid_t tid, Abi abi, std::uint64_t address,
                 std::uint64_t count, std::optional<std::uint64_t> data, LoggedArgument& logged) {
    // struct iovec is two pointer-sized words: {iov_base, iov_len}.
    const std::size_t word = abi == Abi::i386 ? 4 : 8;
    const std::size_t entries = std::min<std::uint64_t>(count, kLoggedBytes);
    std::string raw;
    if (address == 0 || tracer.read_memory(tid, address, entries * 2 * word, raw) ||
        raw.size() != entries * 2 * word) {
        return;
    }
    const auto word_at = [&](std::size_t offset) {
        std::uint64_t value = 0;
        std::memcpy(&value, raw.data() + offset, word);  // x86 is little-endian
        return value;
    };
    logged.iovecs_read = true;
    for (std::size_t index = 0; index < entries; ++index) {
        LoggedIovec iovec;
        iovec.base = word_at(index * 2 * word);
        iovec.length = word_at(index * 2 * word + word);
        if (data) {
            const std::uint64_t shown = std::min(iovec.length, *data);
            *data -= shown;
            iovec.data = read_buffer(tracer, tid, iovec.base, shown);
        }
        logged.iovecs.push_back(std::move(iovec));
    }
}

}  // namespace

SyscallRecord begin_record(trace::Tracer& tracer, pid_t tid, pid_t tgid, Abi abi,
                           const trace::SyscallInfo& info) {
    SyscallRecord record;
    record.pid = tgid;
    record.tid = tid;
    record.abi = abi;
    record.number = info.number;
    record.name = syscall_name(abi, info.number).value_or("");
    record.args = info.args;
    const catalogue::Signature* signature = catalogue::signature(abi, info.number);
    if (signature == nullptr) {
        return record;
    }
    for (unsigned index = 0; index < signature->arg_count; ++index) {
        const catalogue::Argument& argument = signature->args[index];
        const std::uint64_t value = register_value(abi, info.args[index]);
        LoggedArgument& logged = record.logged[index];
        switch (argument.kind) {
            case ArgKind::fd:
            case ArgKind::dirfd: {
                // The kernel reads a descriptor as an int; AT_FDCWD and -1 name no file.
                const auto fd = static_cast<std::int32_t>(value);
                std::string path;
                if (fd >= 0 && !tracer.fd_path(tid, fd, path)) {
                    logged.fd_path = std::move(path);
                }
                break;
            }
            case ArgKind::path:
                logged.data = read_string(tracer, tid, value, PATH_MAX);
                break;
            case ArgKind::string:
                logged.data = read_string(tracer, tid, value, kLoggedBytes);
                break;
            case ArgKind::buffer_in:
                logged.data = read_buffer(tracer, tid, value, length_of(record, argument));
                break;
            case ArgKind::iovec_in:
                read_iovecs(tracer, tid, abi, value, length_of(record, argument),
                            std::numeric_limits<std::uint64_t>::max(), logged);
                break;
            default:
                break;  // shown from the register alone, or filled at the exit
        }
    }
    return record;
}

void complete_record(trace::Tracer& tracer, pid_t tid, SyscallRecord& record, std::int64_t result) {
    record.result = result;
    const catalogue::Signature* signature = catalogue::signature(record.abi, record.number);
    if (signature == nullptr) {
        return;
    }
    // A failed call filled nothing: its output buffers are shown as pointers.
    const std::optional<std::uint64_t> filled =
        is_error(result)
            ? std::nullopt
            : std::optional(static_cast<std::uint64_t>(std::max<std::int64_t>(result, 0)));
    for (unsigned index = 0; index < signature->arg_count; ++index) {
        const catalogue::Argument& argument = signature->args[index];
        const std::uint64_t value = register_value(record.abi, record.args[index]);
        LoggedArgument& logged = record.logged[index];
        if (argument.kind == ArgKind::buffer_out && filled) {
            logged.data =
                read_buffer(tracer, tid, value, std::min(*filled, length_of(record, argument)));
        } else if (argument.kind == ArgKind::iovec_out) {
            read_iovecs(tracer, tid, record.abi, value, length_of(record, argument), filled,
                        logged);
        }
    }
}

}  // namespace inject::engine
