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

// strace's syscall classes accepted in a rule's syscall list, without the '%'.
const std::vector<std::string_view>& class_names();

// The syscall names of a class for one ABI, sorted; nullopt for an unknown class name.
std::optional<std::vector<std::string>> class_members(std::string_view class_name, Abi abi);

// What a name in a rule's syscall list stands for on one ABI: a class ("%file") its members,
// a syscall name itself when the ABI has that call, else nothing.
std::vector<std::string> syscalls_named(std::string_view name, Abi abi);

}  // namespace inject::catalogue
