// What the engine does for a rule with lose_unsynced: at the entry of each call that changes
// files or names, what it will change is read from the disk by inject itself (through
// /proc/PID/fd/N and the call's paths) into the undo log; at each call that makes data durable
// the log forgets; at the crash point the tree is killed and, once it is dead, the log undoes
// what was never synced.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "inject/rule.hpp"
#include "inject/run.hpp"
#include "trace/tracer.hpp"

namespace inject::engine {

class PowerCutWatch {
  public:
    PowerCutWatch(trace::Tracer& tracer, std::uint64_t undo_limit, std::uint64_t seed);
    ~PowerCutWatch();
    PowerCutWatch(const PowerCutWatch&) = delete;
    PowerCutWatch& operator=(const PowerCutWatch&) = delete;

    // The calls the seccomp filter must stop for the watch (added only with such a rule).
    static const std::vector<std::string>& watched_syscalls();
    // Whether some rule of these makes its crash a power cut.
    static bool wanted_by(const std::vector<Rule>& rules);

    enum class Entry : std::uint8_t { nothing, recorded, over_limit };
    // At the entry of a call that is about to run: what it changes is saved, or what it syncs
    // forgotten. `change` is set to what exit() must confirm.
    Entry entry(pid_t tid, pid_t tgid, Abi abi, const trace::SyscallInfo& info,
                std::optional<std::uint64_t>& change);
    // At the exit of a call that entry() recorded.
    void exit(std::uint64_t change, std::int64_t result);

    // The crash point fired: the cut happens once every process is dead (finish).
    void crash(UnsyncedLoss loss) {
        if (!loss_) {
            loss_ = loss;
        }
    }
    // After the run: the cut made, when a crash asked for one, and the notes added.
    void finish(RunResult& result);

  private:
    void on_write(pid_t tid, Abi abi, const trace::SyscallInfo& info, const std::string& name,
                  std::optional<std::uint64_t>& change);
    void on_names(pid_t tid, pid_t tgid, Abi abi, const trace::SyscallInfo& info,
                  const std::string& name, std::optional<std::uint64_t>& change);
    void on_sync(pid_t tid, Abi abi, const trace::SyscallInfo& info, const std::string& name);
    void on_map(pid_t tid, Abi abi, const trace::SyscallInfo& info);
    // The disk and the undo log (undo_log.hpp), kept out of the engine's headers.
    struct Disk;

    trace::Tracer& tracer_;
    std::uint64_t seed_;
    std::unique_ptr<Disk> disk_;
    std::optional<UnsyncedLoss> loss_;
    bool over_limit_ = false;
    bool mapping_noted_ = false;
    std::vector<std::string> notes_;
};

}  // namespace inject::engine
