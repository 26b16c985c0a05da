// The seccomp-bpf program that makes only the picked syscalls stop.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

namespace inject::trace {

// A compiled classic-BPF program, ready for seccomp(SECCOMP_SET_MODE_FILTER) in the child.
class SeccompProgram {
  public:
    // SECCOMP_RET_TRACE for every syscall in `traced` and SECCOMP_RET_USER_NOTIF for every one
    // in `notified`, on x86_64 and on i386 (each ABI with its own numbers, as libseccomp knows
    // them), allow for everything else, including other ABIs. Throws std::runtime_error when
    // libseccomp refuses (a kernel without user notification, for `notified`).
    static SeccompProgram build(const std::vector<std::string>& traced,
                                const std::vector<std::string>& notified);
    static SeccompProgram trace_only(const std::vector<std::string>& syscall_names) {
        return build(syscall_names, {});
    }

    // Points into this object: keep it alive until the child has loaded it.
    sock_fprog fprog() const;
    std::size_t size() const { return instructions_.size(); }
    // Whether some syscall notifies: the program is then loaded with a listener.
    bool notifies() const { return notifies_; }

  private:
    std::vector<sock_filter> instructions_;
    bool notifies_ = false;
};

// The filters a child may load: `notifying` first when there is one (the listener comes with it),
// and `tracing`, where every picked syscall stops by ptrace, when there is none or the kernel
// refuses it.
struct ChildFilters {
    const SeccompProgram* tracing = nullptr;
    const SeccompProgram* notifying = nullptr;
};

}  // namespace inject::trace
