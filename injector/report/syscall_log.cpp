#include "report/syscall_log.hpp"

#include <cinttypes>
#include <cstdio>

#include "inject/rule.hpp"
#include "report/summary.hpp"

namespace inject {

std::string syscall_log_line(const SyscallRecord& record) {
    return report::format_syscall_line(record, catalogue::signature(record.abi, record.number));
}

namespace report {
namespace {

using catalogue::ArgKind;

// strace's %#lx: "0", "0x1f".
std::string hex(std::uint64_t value) {
    std::array<char, 24> text{};
    std::snprintf(text.data(), text.size(), "%#" PRIx64, value);
    return text.data();
}

std::string pointer(std::uint64_t value) {
    return value == 0 ? "NULL" : hex(value);
}

// The register as the ABI's C types read it: an i386 program's arguments are 32 bits wide.
std::int64_t as_signed(Abi abi, std::uint64_t value) {
    return abi == Abi::i386 ? static_cast<std::int32_t>(value) : static_cast<std::int64_t>(value);
}
std::uint64_t as_unsigned(Abi abi, std::uint64_t value) {
    return abi == Abi::i386 ? static_cast<std::uint32_t>(value) : value;
}

// A string or buffer, or the pointer when its memory could not be read.
std::string bytes_or_pointer(const LoggedBytes& data, std::uint64_t address) {
    if (!data.bytes) {
        return pointer(address);
    }
    return '"' + escape_bytes(*data.bytes) + '"' + (data.truncated ? "..." : "");
}

// "3</tmp/out>": the number the kernel reads (an int), and its file when known; '<' and '>'
// in the name are escaped so that the brackets stay unambiguous, as strace -y does.
std::string descriptor(std::uint64_t value, const LoggedArgument& logged) {
    std::string text = std::to_string(static_cast<std::int32_t>(value));
    if (logged.fd_path) {
        text += '<' + escape_bytes(*logged.fd_path, "<>") + '>';
    }
    return text;
}

// strace's form: [{iov_base="ab", iov_len=2}, ...], "..." standing for the entries not read.
std::string iovec_array(std::uint64_t address, std::uint64_t count, const LoggedArgument& logged) {
    if (!logged.iovecs_read) {
        return pointer(address);
    }
    std::string text = "[";
    for (const LoggedIovec& iovec : logged.iovecs) {
        if (text.size() > 1) {
            text += ", ";
        }
        text += "{iov_base=" + bytes_or_pointer(iovec.data, iovec.base) +
                ", iov_len=" + std::to_string(iovec.length) + '}';
    }
    if (count > logged.iovecs.size()) {
        text += text.size() > 1 ? ", ..." : "...";
    }
    return text + ']';
}

std::string argument_text(const SyscallRecord& record, const catalogue::Signature& signature,
                          unsigned index) {
    const catalogue::Argument& argument = signature.args[index];
    const std::uint64_t value = record.args[index];
    const LoggedArgument& logged = record.logged[index];
    switch (argument.kind) {
        case ArgKind::integer:
            return std::to_string(as_signed(record.abi, value));
        case ArgKind::length:
        case ArgKind::transfer_length:
            return std::to_string(as_unsigned(record.abi, value));
        case ArgKind::fd:
            return descriptor(value, logged);
        case ArgKind::dirfd:
            return is_at_fdcwd(value) ? "AT_FDCWD" : descriptor(value, logged);
        case ArgKind::path:
        case ArgKind::string:
        case ArgKind::buffer_in:
        case ArgKind::buffer_out:
            return bytes_or_pointer(logged.data, value);
        case ArgKind::iovec_in:
        case ArgKind::iovec_out: {
            const std::uint64_t count =
                argument.length_arg >= 0
                    ? as_unsigned(record.abi,
                                  record.args[static_cast<std::size_t>(argument.length_arg)])
                    : logged.iovecs.size();
            return iovec_array(value, count, logged);
        }
        case ArgKind::open_flags:
            return open_flags_text(value);
        case ArgKind::pointer:
            return pointer(value);
    }
    return hex(value);
}

std::string result_text(const SyscallRecord& record) {
    if (!record.result) {
        return "?";
    }
    const std::int64_t value = *record.result;
    // The kernel's convention on every ABI: -4095..-1 is -errno.
    if (value < 0 && value >= -4095) {
        return describe_result(FailWithErrno{static_cast<int>(-value)});
    }
    return std::to_string(value);
}

}  // namespace

std::string escape_bytes(std::string_view bytes, std::string_view also_escaped) {
    std::string text;
    text.reserve(bytes.size());
    for (std::size_t index = 0; index < bytes.size(); ++index) {
        const auto byte = static_cast<unsigned char>(bytes[index]);
        switch (byte) {
            case '"':
            case '\\':
                text += '\\';
                text += static_cast<char>(byte);
                continue;
            case '\t':
                text += "\\t";
                continue;
            case '\n':
                text += "\\n";
                continue;
            case '\v':
                text += "\\v";
                continue;
            case '\f':
                text += "\\f";
                continue;
            case '\r':
                text += "\\r";
                continue;
            default:
                break;
        }
        const bool printable = byte >= ' ' && byte < 0x7f;
        if (printable && also_escaped.find(static_cast<char>(byte)) == std::string_view::npos) {
            text += static_cast<char>(byte);
            continue;
        }
        // Octal, as short as it can be unless a digit follows that would be read as part of it.
        const bool digit_follows =
            index + 1 < bytes.size() && bytes[index + 1] >= '0' && bytes[index + 1] <= '7';
        text += '\\';
        if (digit_follows || byte >= 0100) {
            text += static_cast<char>('0' + (byte >> 6));
        }
        if (digit_follows || byte >= 010) {
            text += static_cast<char>('0' + ((byte >> 3) & 7));
        }
        text += static_cast<char>('0' + (byte & 7));
    }
    return text;
}

std::string format_syscall_line(const SyscallRecord& record,
                                const catalogue::Signature* signature) {
    std::string line = "[pid " + std::to_string(record.tid) + "] ";
    line += record.name.empty() ? "syscall_" + hex(static_cast<std::uint64_t>(record.number))
                                : record.name;
    line += '(';
    // A call the headers do not declare: all six registers, as strace shows an unknown call.
    const std::size_t count = signature != nullptr ? signature->arg_count : record.args.size();
    for (unsigned index = 0; index < count; ++index) {
        if (index > 0) {
            line += ", ";
        }
        line += signature != nullptr ? argument_text(record, *signature, index)
                                     : hex(record.args[index]);
    }
    line += ") = " + result_text(record);
    // The one place that marks what inject did to a call.
    if (record.injected) {
        line += " (INJECTED)";
    }
    return line;
}

}  // namespace report
}  // namespace inject
