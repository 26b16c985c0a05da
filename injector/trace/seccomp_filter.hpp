// The seccomp-bpf program that makes only the picked syscalls stop.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

namespace inject::trace {

// A compiled classic-BPF program, ready for seccomp(SECCOMP_SET_MODE_FILTER) in the child.
class SeccompProgram {
  public:
    // SECCOMP_RET_TRACE for every named syscall on x86_64 and on i386 (each ABI with its own
    // numbers, as libseccomp knows them), allow for everything else, including other ABIs.
    // Throws std::runtime_error when libseccomp refuses.
    static SeccompProgram trace_only(const std::vector<std::string>& syscall_names);

    // Points into this object: keep it alive until the child has loaded it.
    sock_fprog fprog() const;
    std::size_t size() const { return instructions_.size(); }

  private:
    std::vector<sock_filter> instructions_;
};

}  // namespace inject::trace
