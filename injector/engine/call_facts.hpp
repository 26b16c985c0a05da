// The engine's answers to CallFacts: a stopped call's paths, fd arguments and program names,
// read from the tracee through the Tracer, with what is worth keeping kept per process.
#pragma once

#include <sys/types.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/decide.hpp"
#include "trace/stacks.hpp"
#include "trace/tracer.hpp"

namespace inject::engine {

// What the engine remembers of one process for the filters. Forgotten at exec, when the
// process has a new program, its close-on-exec fds are gone and its fd table is its own.
struct ProcessFacts {
    // fd -> what /proc/PID/fd/N showed. Kept only while the engine sees every call that can
    // close or replace an fd (fd_closing_syscalls), and dropped at each of them.
    std::unordered_map<int, std::string> fd_files;
    // Its fd table is not its own alone: another process shares it (clone with CLONE_FILES but
    // not CLONE_THREAD), or its threads do not all share one (a thread cloned without
    // CLONE_FILES, or one that unshared it). What one of them closes, the cache of another
    // would not hear of, so nothing is cached for it.
    bool fd_table_shared = false;
    std::optional<std::vector<std::string>> names;  // comm, then the exe's basename
};

using ProcessFactsMap = std::unordered_map<pid_t, ProcessFacts>;

// The calls that close or replace a file descriptor, or give a thread an fd table of its own
// (unshare, close_range with CLOSE_RANGE_UNSHARE), by name: while some rule's path filter
// needs the files behind fds, the engine must see each of them (they are added to the
// seccomp filter) to forget what it knew of the process's fds.
const std::vector<std::string>& fd_closing_syscalls();

// At the entry of one of those calls: what the process's fds refer to is read anew after it,
// and after an unshare of the fd table, never again from a cache.
void forget_fd_files(ProcessFacts& process, std::string_view syscall,
                     const trace::SyscallInfo& info);

// The facts of one stopped call, fetched on first use and kept for the rest of the stop.
class TraceeFacts final : public CallFacts {
  public:
    // `cache_fd_files`: whether fd_files may be used (see ProcessFacts).
    // `stacks` may be null (no stack is known then); `frames` is where a stack is unwound into,
    // reused from one stop to the next.
    TraceeFacts(trace::Tracer& tracer, ProcessFactsMap& processes, pid_t tid, pid_t tgid, Abi abi,
                const trace::SyscallInfo& info, bool cache_fd_files, trace::Stacks* stacks,
                std::vector<StackFrame>& frames)
        : tracer_(tracer),
          processes_(processes),
          tid_(tid),
          tgid_(tgid),
          abi_(abi),
          info_(info),
          cache_fd_files_(cache_fd_files),
          stacks_(stacks),
          frames_(frames) {}

    const std::vector<std::string>& paths() override;
    const std::vector<int>& fds() override;
    const std::vector<std::string>& process_names() override;
    std::span<const StackFrame> stack() override;
    // Whether the stack was unwound at this stop (by a caller filter or for a record).
    bool has_stack() const noexcept { return stack_taken_; }

  private:
    // What the fd refers to, as /proc shows it; nullopt for an fd that is not open.
    std::optional<std::string> fd_file(int fd);
    // The absolute directory a path argument is taken from: the cwd, or a dirfd's file.
    std::optional<std::string> base_directory(std::optional<int> dirfd);

    trace::Tracer& tracer_;
    ProcessFactsMap& processes_;
    pid_t tid_;
    pid_t tgid_;
    Abi abi_;
    const trace::SyscallInfo& info_;
    bool cache_fd_files_;
    trace::Stacks* stacks_;
    std::vector<StackFrame>& frames_;
    bool stack_taken_ = false;
    std::optional<std::vector<std::string>> paths_;
    std::optional<std::vector<int>> fds_;
};

}  // namespace inject::engine
