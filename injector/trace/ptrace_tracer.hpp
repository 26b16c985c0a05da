#pragma once

#include "trace/tracer.hpp"

namespace inject::trace {

// The options every tracee gets; new tracees inherit them.
unsigned long tracing_options(bool seccomp_filter);
// The same for a process that was running before inject (-p): without PTRACE_O_EXITKILL,
// since inject ending must not kill a process it did not start, and without the seccomp
// stops, since only the process itself can install a filter.
unsigned long attach_options();

// The ways to read a tracee's memory, best first: process_vm_readv needs a kernel built with
// CONFIG_CROSS_MEMORY_ATTACH, /proc/PID/mem a mounted /proc; PTRACE_PEEKDATA always works, a
// word at a time. PtraceTracer falls back from one to the next when a way is missing.
enum class MemoryAccess : std::uint8_t { process_vm_readv, proc_mem, peekdata };

// Reads `size` bytes that lie within one page of the stopped tracee `tid` into `into`, one way.
std::error_code read_tracee_memory(MemoryAccess access, pid_t tid, std::uint64_t address,
                                   char* into, std::size_t size);

class PtraceTracer final : public Tracer {
  public:
    std::optional<Stop> wait_for_stop() override;
    TimedWait wait_for_stop_until(std::chrono::steady_clock::time_point deadline) override;
    std::optional<Stop> poll_stop() override;
    std::error_code resume(pid_t tid, Resume how, int signal) override;
    std::error_code syscall_info(pid_t tid, SyscallInfo& info) override;
    std::error_code event_message(pid_t tid, unsigned long& message) override;
    std::error_code set_syscall_number(pid_t tid, Abi abi, long number) override;
    std::error_code restart_syscall(pid_t tid, Abi abi, long number) override;
    std::error_code signal_state(pid_t tid, SignalState& state) override;
    std::error_code send_signal(pid_t tgid, pid_t tid, int signal) override;
    std::error_code set_return_value(pid_t tid, Abi abi, std::int64_t value) override;
    std::error_code set_syscall_argument(pid_t tid, Abi abi, unsigned index,
                                         std::uint64_t value) override;
    std::error_code read_memory(pid_t tid, std::uint64_t address,
                                std::span<std::byte> bytes) override;
    std::error_code write_memory(pid_t tid, std::uint64_t address,
                                 std::span<const std::byte> bytes) override;
    std::error_code thread_group_of(pid_t tid, pid_t& tgid) override;
    std::optional<bool> same_fd_table(pid_t first, pid_t second) override;
    bool runs_setid_program(pid_t pid) override;
    std::error_code read_string(pid_t tid, std::uint64_t address, std::size_t max,
                                std::string& text) override;
    std::error_code read_proc_link(pid_t tid, std::string_view name, std::string& target) override;
    std::error_code read_comm(pid_t pid, std::string& name) override;
    std::error_code read_memory(pid_t tid, std::uint64_t address, std::size_t size,
                                std::string& bytes) override;
    std::error_code fd_path(pid_t tid, int fd, std::string& path) override;
    void signal_process(pid_t pid, int signal) override;
    std::error_code interrupt(pid_t tid) override;
    bool has_exited(pid_t tid) override;

  private:
    MemoryAccess memory_access_ = MemoryAccess::process_vm_readv;
};

// Decodes a waitpid status.
Stop decode_wait_status(pid_t tid, int status);

}  // namespace inject::trace
