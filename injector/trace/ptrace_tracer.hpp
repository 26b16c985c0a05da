#pragma once

#include "trace/tracer.hpp"

namespace inject::trace {

// The options every tracee gets; new tracees inherit them.
unsigned long tracing_options(bool seccomp_filter);
// The same for a process that was running before inject (-p): without PTRACE_O_EXITKILL,
// since inject ending must not kill a process it did not start, and without the seccomp
// stops, since only the process itself can install a filter.
unsigned long attach_options();

class PtraceTracer final : public Tracer {
  public:
    std::optional<Stop> wait_for_stop() override;
    std::error_code resume(pid_t tid, Resume how, int signal) override;
    std::error_code syscall_info(pid_t tid, SyscallInfo& info) override;
    std::error_code event_message(pid_t tid, unsigned long& message) override;
    std::error_code set_syscall_number(pid_t tid, Abi abi, long number) override;
    std::error_code send_signal(pid_t tgid, pid_t tid, int signal) override;
    std::error_code set_return_value(pid_t tid, Abi abi, std::int64_t value) override;
    std::error_code thread_group_of(pid_t tid, pid_t& tgid) override;
    bool runs_setid_program(pid_t pid) override;
    void kill_process(pid_t pid) override;
    std::error_code interrupt(pid_t tid) override;
    bool has_exited(pid_t tid) override;
};

// Decodes a waitpid status.
Stop decode_wait_status(pid_t tid, int status);

}  // namespace inject::trace
