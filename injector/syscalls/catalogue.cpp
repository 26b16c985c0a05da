#include "syscalls/catalogue.hpp"

#include <algorithm>
#include <initializer_list>
#include <regex>

#include "inject/names.hpp"

namespace inject::catalogue {
namespace {

struct Row {
    Abi abi;
    long number;
    Signature signature;
    bool declared;  // false: the headers declare no prototype for this entry point
};

constexpr Signature signature_of(std::string_view entry, std::string_view source,
                                 std::initializer_list<Argument> arguments) {
    Signature signature{entry, source, static_cast<std::uint8_t>(arguments.size()), {}};
    std::copy(arguments.begin(), arguments.end(), signature.args.begin());
    return signature;
}

// The committed table's vocabulary (see syscall_table.inc and generate_table.cpp).
#define SYSCALL(abi, number, entry, source, ...) \
    Row{Abi::abi, number, signature_of(#entry, source, {__VA_ARGS__}), true},
#define UNDECLARED(abi, number, entry) Row{Abi::abi, number, signature_of(#entry, "", {}), false},
#define INTEGER(name)               \
    Argument {                      \
        ArgKind::integer, -1, #name \
    }
#define FD(name)               \
    Argument {                 \
        ArgKind::fd, -1, #name \
    }
#define DIRFD(name)               \
    Argument {                    \
        ArgKind::dirfd, -1, #name \
    }
#define PATH(name)               \
    Argument {                   \
        ArgKind::path, -1, #name \
    }
#define STRING(name)               \
    Argument {                     \
        ArgKind::string, -1, #name \
    }
#define BUFFER_IN(name, length)           \
    Argument {                            \
        ArgKind::buffer_in, length, #name \
    }
#define BUFFER_OUT(name, length)           \
    Argument {                             \
        ArgKind::buffer_out, length, #name \
    }
#define IOVEC_IN(name, length)           \
    Argument {                           \
        ArgKind::iovec_in, length, #name \
    }
#define IOVEC_OUT(name, length)           \
    Argument {                            \
        ArgKind::iovec_out, length, #name \
    }
#define LENGTH(name)               \
    Argument {                     \
        ArgKind::length, -1, #name \
    }
#define TRANSFER_LENGTH(name)               \
    Argument {                              \
        ArgKind::transfer_length, -1, #name \
    }
#define OPEN_FLAGS(name)               \
    Argument {                         \
        ArgKind::open_flags, -1, #name \
    }
#define POINTER(name)               \
    Argument {                      \
        ArgKind::pointer, -1, #name \
    }

constexpr Row kRows[] = {
#include "syscalls/syscall_table.inc"
};

#undef SYSCALL
#undef UNDECLARED
#undef INTEGER
#undef FD
#undef DIRFD
#undef PATH
#undef STRING
#undef BUFFER_IN
#undef BUFFER_OUT
#undef IOVEC_IN
#undef IOVEC_OUT
#undef LENGTH
#undef TRANSFER_LENGTH
#undef OPEN_FLAGS
#undef POINTER

std::vector<const Row*> index_by_number(Abi abi) {
    std::vector<const Row*> by_number;
    for (const Row& row : kRows) {
        if (row.abi != abi) {
            continue;
        }
        const auto index = static_cast<std::size_t>(row.number);
        if (by_number.size() <= index) {
            by_number.resize(index + 1, nullptr);
        }
        by_number[index] = &row;
    }
    return by_number;
}

// Every row, also those of entry points without a prototype: their names still place them in
// a class (rt_sigreturn is a signal call).
const Row* row_of(Abi abi, long number) noexcept {
    static const std::vector<const Row*> x86_64 = index_by_number(Abi::x86_64);
    static const std::vector<const Row*> i386 = index_by_number(Abi::i386);
    const auto& rows = abi == Abi::x86_64 ? x86_64 : i386;
    if (number < 0 || static_cast<std::size_t>(number) >= rows.size()) {
        return nullptr;
    }
    return rows[static_cast<std::size_t>(number)];
}

bool has_argument(const Signature& signature, ArgKind kind) {
    return signature.find(kind).has_value();
}

bool entry_matches(const Signature& signature, const std::regex& pattern) {
    return std::regex_match(signature.entry.begin(), signature.entry.end(), pattern);
}

bool source_contains(const Signature& signature, std::string_view part) {
    return signature.source.find(part) != std::string_view::npos;
}

// strace's classes, as rules over what the kernel headers say of each syscall: its arguments
// and the source file that defines it. Where neither says it, a pattern over the entry
// point's name does (the credentials and clock calls share their files with others).
bool in_class(std::string_view class_name, const Signature& signature) {
    if (class_name == "file") {  // strace: "take a file name as an argument"
        return has_argument(signature, ArgKind::path);
    }
    if (class_name == "desc") {
        // strace: "file descriptor related": calls that take one, and those that make one
        // (the kernel declares nothing that says so; its names do); sockets are %net.
        static const std::regex kMakesDescriptors(
            "sys_(open\\w*|creat|pipe2?|eventfd2?|epoll_create1?|memfd_\\w+|timerfd_create|"
            "inotify_init1?|fanotify_init|userfaultfd|pidfd_open|fsopen|fsmount)");
        const bool takes_one =
            has_argument(signature, ArgKind::fd) || has_argument(signature, ArgKind::dirfd);
        return (takes_one || entry_matches(signature, kMakesDescriptors)) &&
               !in_class("net", signature);
    }
    if (class_name == "net") {
        return source_contains(signature, "net/");
    }
    if (class_name == "ipc") {  // System V IPC; POSIX message queues are descriptors
        return source_contains(signature, "ipc/") && !source_contains(signature, "mqueue");
    }
    if (class_name == "memory") {
        return source_contains(signature, "mm/");
    }
    if (class_name == "signal") {
        // The kernel names its signal calls sig*: sigaction, sigreturn, signalfd, sigaltstack.
        static const std::regex kSignalCalls("sys_(rt_)?sig\\w*");
        return source_contains(signature, "kernel/signal.c") ||
               entry_matches(signature, kSignalCalls);
    }
    // "process lifecycle (creation, exec, termination)"; not all of kernel/fork.c, which also
    // holds set_tid_address and unshare.
    if (class_name == "process") {
        // strace counts the calls that end a process by a signal as lifecycle calls too.
        static const std::regex kLifecycle("sys_(exec\\w*|clone3?|v?fork|wait\\w*|t?g?kill)");
        return source_contains(signature, "kernel/exit.c") || entry_matches(signature, kLifecycle);
    }
    if (class_name == "creds") {  // "user and group identifiers or capability sets"
        static const std::regex kCredentials(
            "sys_((get|set)(e|re|res|fs)?[ug]id|(get|set)groups|cap(get|set))(16)?");
        return entry_matches(signature, kCredentials);
    }
    if (class_name == "clock") {  // "read or modify system clocks"
        static const std::regex kClocks(
            "sys_(clock_(gettime|settime|getres|adjtime)|adjtimex|(get|set)timeofday|s?time)"
            "(32|_time32)?");
        return entry_matches(signature, kClocks);
    }
    // "pure": calls that take nothing and only tell the caller something, which strace's
    // syscall= may run instead of a call it fails (getpid, gettid, getuid, ...).
    if (class_name == "pure") {
        static const std::regex kGetters("sys_get\\w+");
        return signature.arg_count == 0 && entry_matches(signature, kGetters);
    }
    // The stat family by the entry points' names: stat (i386's oldstat is sys_stat), lstat,
    // fstat and the *at forms that may stat a descriptor; %%stat is all of them.
    static const std::regex kStat("sys_(new)?stat(64)?");
    static const std::regex kLstat("sys_(new)?lstat(64)?");
    static const std::regex kFstat("sys_((new)?fstat(at)?(64)?|statx)");
    if (class_name == "stat") {
        return entry_matches(signature, kStat);
    }
    if (class_name == "lstat") {
        return entry_matches(signature, kLstat);
    }
    if (class_name == "fstat") {
        return entry_matches(signature, kFstat);
    }
    if (class_name == "%stat") {
        return in_class("stat", signature) || in_class("lstat", signature) ||
               in_class("fstat", signature);
    }
    static const std::regex kStatfs("sys_statfs(64)?");
    static const std::regex kFstatfs("sys_fstatfs(64)?");
    if (class_name == "statfs") {
        return entry_matches(signature, kStatfs);
    }
    if (class_name == "fstatfs") {
        return entry_matches(signature, kFstatfs);
    }
    if (class_name == "%statfs") {
        static const std::regex kUstat("sys_ustat");
        return in_class("statfs", signature) || in_class("fstatfs", signature) ||
               entry_matches(signature, kUstat);
    }
    return false;
}

}  // namespace

std::optional<unsigned> Signature::find(ArgKind kind) const noexcept {
    for (unsigned index = 0; index < arg_count; ++index) {
        if (args[index].kind == kind) {
            return index;
        }
    }
    return std::nullopt;
}

std::optional<ByteCount> byte_count(const Signature& signature) noexcept {
    for (unsigned index = 0; index < signature.arg_count; ++index) {
        const Argument& argument = signature.args[index];
        const bool buffer =
            argument.kind == ArgKind::buffer_in || argument.kind == ArgKind::buffer_out;
        const bool iovec =
            argument.kind == ArgKind::iovec_in || argument.kind == ArgKind::iovec_out;
        if ((buffer || iovec) && argument.length_arg >= 0 &&
            static_cast<unsigned>(argument.length_arg) < signature.arg_count) {
            const auto length = static_cast<unsigned>(argument.length_arg);
            return iovec ? ByteCount{length, index} : ByteCount{length, std::nullopt};
        }
    }
    if (const auto moved = signature.find(ArgKind::transfer_length)) {
        return ByteCount{*moved, std::nullopt};
    }
    return std::nullopt;
}

std::optional<ByteCount> byte_count(Abi abi, long number) noexcept {
    const Signature* declared = signature(abi, number);
    return declared != nullptr ? byte_count(*declared) : std::nullopt;
}

bool has_byte_count(Abi abi, std::string_view name) {
    const auto number = syscall_number(abi, name);
    return number && byte_count(abi, *number).has_value();
}

const Signature* signature(Abi abi, long number) noexcept {
    const Row* row = row_of(abi, number);
    return row != nullptr && row->declared ? &row->signature : nullptr;
}

const std::vector<std::string_view>& class_names() {
    static const std::vector<std::string_view> names = {
        "file", "desc", "net",   "process", "memory", "signal", "ipc",     "creds",  "clock",
        "pure", "stat", "lstat", "fstat",   "%stat",  "statfs", "fstatfs", "%statfs"};
    return names;
}

std::optional<std::vector<std::string>> class_members(std::string_view class_name, Abi abi) {
    const auto& names = class_names();
    if (std::find(names.begin(), names.end(), class_name) == names.end()) {
        return std::nullopt;
    }
    std::vector<std::string> members;
    for (const SyscallEntry& entry : all_syscalls(abi)) {
        const Row* row = row_of(abi, entry.number);
        // "Takes nothing" must be what the headers declare, not what they leave out.
        const bool known = row != nullptr && (row->declared || class_name != "pure");
        if (known && in_class(class_name, row->signature)) {
            members.push_back(entry.name);
        }
    }
    std::sort(members.begin(), members.end());
    return members;
}

}  // namespace inject::catalogue
