// The stack service on elfutils' libdwfl: CFI from .eh_frame and .debug_frame, so static
// binaries, code without frame pointers, C++ and i386 programs traced from x86_64 all unwind.
// Nothing is done before the first stack is asked for: a run that never asks makes no system
// call here. See docs/call-sites.md for the measurements behind the choice and the caches.
#pragma once

#include <memory>

#include "trace/stacks.hpp"
#include "trace/tracer.hpp"

namespace inject::trace {

class DwflStacks final : public Stacks {
  public:
    // The tracees' memory is read through `tracer`, which must outlive this.
    explicit DwflStacks(Tracer& tracer);
    ~DwflStacks() override;
    DwflStacks(const DwflStacks&) = delete;
    DwflStacks& operator=(const DwflStacks&) = delete;

    std::error_code stack_of(pid_t pid, pid_t tid, std::vector<StackFrame>& frames) override;
    void forget_process(pid_t pid) override;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace inject::trace
