// What the kernel declares about each syscall's arguments: which one is a path, a file
// descriptor, a buffer and its byte count. The table is generated at build time from the kernel
// headers' own declarations (include/linux/syscalls.h and the x86 syscall tables of Debian's
// linux-headers packages), so it follows the kernel rather than a hand-kept list.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inject/abi.hpp"
#include "inject/rule.hpp"
#include "syscalls/syscall_set.hpp"

namespace inject::catalogue {

enum class ArgKind : std::uint8_t {
    integer,          // anything printed as a number
    fd,               // a file descriptor
    dirfd,            // the directory a relative path of an *at call is taken from (or AT_FDCWD)
    path,             // a NUL-terminated file name the program passes in
    string,           // another NUL-terminated string passed in (an xattr name, a fs type)
    buffer_in,        // bytes the call reads from the program; length in `length_arg`
    buffer_out,       // bytes the call writes into the program; capacity in `length_arg`
    iovec_in,         // struct iovec[] the call reads from; entries in `length_arg`
    iovec_out,        // struct iovec[] the call fills; entries in `length_arg`
    length,           // the byte count (or iovec count) of a buffer argument
    transfer_length,  // the bytes a call moves from one descriptor to another (copy_file_range)
    open_flags,       // O_* flags of open, openat, mq_open
    pointer,          // any other pointer: shown in hex
};

struct Argument {
    ArgKind kind = ArgKind::integer;
    // For buffers and iovecs: the index of the argument holding their length.
    std::int8_t length_arg = -1;
    std::string_view name;  // the kernel's parameter name ("filename", "count"); may be empty
};

struct Signature {
    std::string_view entry;   // the kernel's entry point, "sys_write"
    std::string_view source;  // where the kernel defines it, "fs/read_write.c"
    std::uint8_t arg_count = 0;
    std::array<Argument, 6> args{};

    // The first argument of this kind, if any.
    std::optional<unsigned> find(ArgKind kind) const noexcept;
};

// Where a call says how many bytes it moves: the argument that is its buffer's byte count, or
// its iovec array's number of entries, or (copy_file_range, sendfile, splice, tee) the count
// of bytes moved between two descriptors. What `short = N` cuts.
struct ByteCount {
    unsigned length_arg = 0;
    // For a call on a struct iovec array: the argument holding the array, whose entries
    // length_arg counts.
    std::optional<unsigned> iovec_arg;
};

// The length of the first buffer or iovec argument that has one, else the call's byte count
// between descriptors, if it has either.
std::optional<ByteCount> byte_count(const Signature& signature) noexcept;
std::optional<ByteCount> byte_count(Abi abi, long number) noexcept;

// Whether syscall `name` of `abi` exists and has a byte count.
bool has_byte_count(Abi abi, std::string_view name);

// The signature of syscall `number` of `abi`, or nullptr for a number the kernel headers did
// not declare (the call's arguments are then shown as hex and no path or fd is known).
const Signature* signature(Abi abi, long number) noexcept;

// strace's syscall classes, without their first '%' ("file"; "%stat" is strace's %%stat).
const std::vector<std::string_view>& class_names();

// The syscall names of a class for one ABI, sorted; nullopt for an unknown class name.
std::optional<std::vector<std::string>> class_members(std::string_view class_name, Abi abi);

// The sets of strace's syntax (syscall_names.cpp): what -e trace=SET and the SET of -e inject=
// stand for, element by element as strace's qualify_syscall_tokens reads them.
//
// What one element stands for on one ABI: a name itself when the ABI has that call; a number
// the call it numbers there; a class ("%file", "%%stat", or one of strace's older names without
// the '%': "file", "desc", "network", ...) its members; "/REGEX" (POSIX extended, as strace)
// every call whose name it matches; "all" every call. A leading "?" changes nothing here; a
// trailing "@64" or "@32" restricts the element to x86_64 or i386, and "@x32" (an ABI inject
// never traces) leaves nothing. Empty for anything else.
std::vector<std::string> syscalls_named(std::string_view element, Abi abi);

// What a whole set stands for on one ABI, sorted: the union of its elements, or every other
// call when it is negated ("!write"). "none" stands for nothing.
std::vector<std::string> syscalls_named(const SyscallNames& names, Abi abi);

// The same as numbers, for the engine: each ABI's calls of the set.
SyscallSet syscall_numbers(const SyscallNames& names);

// Throws std::invalid_argument with the bare message, naming the nearest valid word, unless
// the element stands for some call of x86_64, i386 or x32 or starts with "?" (strace: "no
// error when absent"). An empty element is "no syscall given".
void check_element(std::string_view element);

// Throws as check_element for a set's elements, and when it has none or "none" is not alone.
void check_set(const SyscallNames& names);

// The element without its "?" and "@..." decorations, for checks that look at its calls.
std::string_view element_body(std::string_view element);

}  // namespace inject::catalogue
