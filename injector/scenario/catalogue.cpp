#include "scenario/catalogue.hpp"

#include <algorithm>
#include <regex>

#include "inject/names.hpp"

namespace inject::catalogue {
namespace {

struct Row {
    long number;
    Signature signature;
    bool declared;  // false: the headers declare no prototype for this entry point
};

#include "catalogue_table.inc"

template <std::size_t N>
std::vector<const Row*> index_by_number(const Row (&rows)[N]) {
    std::vector<const Row*> by_number;
    for (const Row& row : rows) {
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
    static const std::vector<const Row*> x86_64 = index_by_number(kX86_64);
    static const std::vector<const Row*> i386 = index_by_number(kI386);
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
            return ByteCount{index, static_cast<unsigned>(argument.length_arg), iovec};
        }
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
        "file", "desc", "net", "process", "memory", "signal", "ipc", "creds", "clock"};
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
        if (row != nullptr && in_class(class_name, row->signature)) {
            members.push_back(entry.name);
        }
    }
    std::sort(members.begin(), members.end());
    return members;
}

std::vector<std::string> syscalls_named(std::string_view name, Abi abi) {
    if (name.starts_with('%')) {
        return class_members(name.substr(1), abi).value_or(std::vector<std::string>{});
    }
    if (syscall_number(abi, name)) {
        return {std::string(name)};
    }
    return {};
}

}  // namespace inject::catalogue
