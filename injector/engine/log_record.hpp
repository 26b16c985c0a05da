// What the syscall log shows of a call, read from the stopped tracee through the Tracer: at the
// entry what the call takes from the program (paths, strings, input buffers and iovecs, the
// files of its descriptors), at the exit what it gave back (output buffers and iovecs), as
// strace does. Which argument is which comes from the syscall catalogue.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "inject/syscall_log.hpp"
#include "trace/tracer.hpp"

namespace inject::engine {

// The record of a call at its entry or seccomp stop.
SyscallRecord begin_record(trace::Tracer& tracer, pid_t tid, pid_t tgid, Abi abi,
                           const trace::SyscallInfo& info);

// Completes it at its exit stop with the result the program sees; `tid` is the thread now (a
// thread that called execve carries its process's id when the call returns).
void complete_record(trace::Tracer& tracer, pid_t tid, SyscallRecord& record, std::int64_t result);

}  // namespace inject::engine
