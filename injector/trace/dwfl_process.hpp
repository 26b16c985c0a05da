// One traced process as elfutils' libdwfl unwinds it: the modules its /proc/PID/maps shows,
// and libdwfl's unwinder attached through callbacks of our own, which read the stopped thread's
// registers with PTRACE_GETREGSET (an i386 thread's in its own layout) and its memory a page
// at a time through the Tracer. Private to DwflStacks.
#pragma once

#include <elfutils/libdwfl.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "trace/tracer.hpp"

namespace inject::trace {

struct DwflDeleter {
    void operator()(Dwfl* dwfl) const noexcept { dwfl_end(dwfl); }
};
using UniqueDwfl = std::unique_ptr<Dwfl, DwflDeleter>;

// Where libdwfl looks for what a module's file lacks: separate debug files by build ID, in
// /usr/lib/debug only. Never debuginfod: a traced program must not wait on the network.
const Dwfl_Callbacks& local_debuginfo_callbacks(bool offline);

// One frame as the unwinder found it.
struct UnwoundFrame {
    Dwarf_Addr pc = 0;
    // The pc is where the thread is (the innermost frame, or one a signal interrupted), not a
    // return address: its instruction is the one at pc, not the call before it.
    bool activation = false;
};

class DwflProcess {
  public:
    DwflProcess(Tracer& tracer, pid_t pid) : tracer_(tracer), pid_(pid) {}
    DwflProcess(const DwflProcess&) = delete;
    DwflProcess& operator=(const DwflProcess&) = delete;

    // Reports the process's modules and attaches the unwinder to it; once, before unwind.
    // Errors: ESRCH for a process that is gone.
    std::error_code attach();

    // The stack of thread `tid`, stopped, innermost first, at most kMaxStackFrames frames.
    // A pc in no known module (a library mapped since the modules were read) makes the maps be
    // read again and the stack unwound once more; not for a pc already looked for, nor once
    // kMaxFruitlessRefreshes refreshes left some pc in none (a program generating its code).
    std::error_code unwind(pid_t tid, std::vector<UnwoundFrame>& frames);

    // The module the instruction at `address` is in; nullptr for memory no file is mapped at.
    Dwfl_Module* module_at(Dwarf_Addr address) { return dwfl_addrmodule(dwfl_.get(), address); }

  private:
    std::error_code unwind_once(std::vector<UnwoundFrame>& frames);
    // Whether a frame is in no module that was not already looked for after a refresh.
    bool has_new_unknown_pc(const std::vector<UnwoundFrame>& frames);
    std::error_code report_modules();

    // libdwfl's thread callbacks (Dwfl_Thread_Callbacks), `this` as their argument.
    static pid_t next_thread(Dwfl* dwfl, void* process, void** thread_arg);
    static bool get_thread(Dwfl* dwfl, pid_t tid, void* process, void** thread_arg);
    static bool memory_read(Dwfl* dwfl, Dwarf_Addr address, Dwarf_Word* result, void* process);
    static bool set_initial_registers(Dwfl_Thread* thread, void* process);
    static void detach(Dwfl* dwfl, void* process);
    static void thread_detach(Dwfl_Thread* thread, void* process);
    static const Dwfl_Thread_Callbacks kThreadCallbacks;

    bool read_word(Dwarf_Addr address, Dwarf_Word& word);

    Tracer& tracer_;
    pid_t pid_;
    UniqueDwfl dwfl_;
    pid_t tid_ = 0;                    // the thread being unwound
    std::size_t word_size_ = 8;        // of its ABI, from its registers
    std::error_code registers_error_;  // why its registers could not be read
    // The last page of the thread's memory read, for this stack only (the thread runs on
    // between stacks): the frames of one stack mostly lie in one page.
    std::uint64_t page_address_ = 0;
    std::string page_;
    std::set<Dwarf_Addr> unknown_pcs_;  // in no module even after the maps were read again
    static constexpr int kMaxFruitlessRefreshes = 16;
    int fruitless_refreshes_ = 0;
};

}  // namespace inject::trace
