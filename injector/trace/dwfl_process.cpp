#include "trace/dwfl_process.hpp"

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "arch/registers.hpp"
#include "inject/stack.hpp"
#include "trace/call_site.hpp"

namespace inject::trace {

namespace {

std::size_t page_size() {
    static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

std::error_code gone() {
    return std::make_error_code(std::errc::no_such_process);
}

int collect_frame(Dwfl_Frame* state, void* frames_pointer) {
    auto& frames = *static_cast<std::vector<UnwoundFrame>*>(frames_pointer);
    UnwoundFrame frame;
    // A pc of 0 is where a stack without an outermost frame marker ends: garbage, not code.
    if (!dwfl_frame_pc(state, &frame.pc, &frame.activation) || frame.pc == 0) {
        return DWARF_CB_ABORT;
    }
    frames.push_back(frame);
    return frames.size() < kMaxStackFrames ? DWARF_CB_OK : DWARF_CB_ABORT;
}

}  // namespace

namespace {

// Separate debug files, but none for the C library and the dynamic loader: no site is named
// after their frames, their own symbol tables name them well enough, and libc6-dbg's file
// takes tens of milliseconds to read, which a traced program waits through at its first
// stack (a timer meant to interrupt a call would fire while it is stopped).
int find_debuginfo(Dwfl_Module* module, void** userdata, const char* module_name, Dwarf_Addr base,
                   const char* file_name, const char* debuglink_file, GElf_Word debuglink_crc,
                   char** debuginfo_file_name) {
    const char* path = file_name != nullptr ? file_name : module_name;
    if (path != nullptr && is_c_library_module(path)) {
        return -1;
    }
    return dwfl_build_id_find_debuginfo(module, userdata, module_name, base, file_name,
                                        debuglink_file, debuglink_crc, debuginfo_file_name);
}

}  // namespace

const Dwfl_Callbacks& local_debuginfo_callbacks(bool offline) {
    // libdwfl takes a char** it never writes through.
    static char* no_extra_path = nullptr;
    static const Dwfl_Callbacks kProcess{dwfl_linux_proc_find_elf, find_debuginfo, nullptr,
                                         &no_extra_path};
    static const Dwfl_Callbacks kOffline{dwfl_build_id_find_elf, find_debuginfo,
                                         dwfl_offline_section_address, &no_extra_path};
    return offline ? kOffline : kProcess;
}

const Dwfl_Thread_Callbacks DwflProcess::kThreadCallbacks{
    next_thread, get_thread, memory_read, set_initial_registers, detach, thread_detach};

std::error_code DwflProcess::attach() {
    dwfl_.reset(dwfl_begin(&local_debuginfo_callbacks(false)));
    if (!dwfl_) {
        return std::make_error_code(std::errc::not_enough_memory);
    }
    dwfl_report_begin(dwfl_.get());
    if (const auto error = report_modules()) {
        return error;
    }
    // Without an ELF of its own, libdwfl takes the machine (x86_64 or i386) from the modules.
    if (!dwfl_attach_state(dwfl_.get(), nullptr, pid_, &kThreadCallbacks, this)) {
        return gone();
    }
    return {};
}

std::error_code DwflProcess::report_modules() {
    const int error = dwfl_linux_proc_report(dwfl_.get(), pid_);
    dwfl_report_end(dwfl_.get(), nullptr, nullptr);
    if (error == ENOENT) {
        return gone();  // no /proc/PID/maps
    }
    return error > 0 ? std::error_code(error, std::generic_category()) : std::error_code{};
}

std::error_code DwflProcess::unwind(pid_t tid, std::vector<UnwoundFrame>& frames) {
    tid_ = tid;
    if (const auto error = unwind_once(frames); error || !has_new_unknown_pc(frames)) {
        return error;
    }
    // Modules reported from here on join the ones known, which keep their state.
    dwfl_report_begin_add(dwfl_.get());
    if (const auto error = report_modules()) {
        return error;
    }
    if (const auto error = unwind_once(frames)) {
        return error;
    }
    const std::size_t known_before = unknown_pcs_.size();
    for (const UnwoundFrame& frame : frames) {
        if (module_at(frame.pc) == nullptr) {
            unknown_pcs_.insert(frame.pc);
        }
    }
    if (unknown_pcs_.size() > known_before) {
        ++fruitless_refreshes_;
    }
    return {};
}

std::error_code DwflProcess::unwind_once(std::vector<UnwoundFrame>& frames) {
    frames.clear();
    registers_error_.clear();
    // An error after the first frame is a stack unwound as far as it goes: code without
    // unwind information, or a corrupt stack.
    dwfl_getthread_frames(dwfl_.get(), tid_, collect_frame, &frames);
    if (frames.empty()) {
        return registers_error_ ? registers_error_ : gone();
    }
    return {};
}

bool DwflProcess::has_new_unknown_pc(const std::vector<UnwoundFrame>& frames) {
    return fruitless_refreshes_ < kMaxFruitlessRefreshes &&
           std::any_of(frames.begin(), frames.end(), [this](const UnwoundFrame& frame) {
               return module_at(frame.pc) == nullptr && !unknown_pcs_.contains(frame.pc);
           });
}

pid_t DwflProcess::next_thread(Dwfl* /*dwfl*/, void* process, void** thread_arg) {
    // Only the thread being unwound: libdwfl asks for no other.
    if (*thread_arg != nullptr) {
        return 0;
    }
    *thread_arg = process;
    return static_cast<DwflProcess*>(process)->tid_;
}

bool DwflProcess::get_thread(Dwfl* /*dwfl*/, pid_t tid, void* process, void** thread_arg) {
    *thread_arg = process;
    return tid == static_cast<DwflProcess*>(process)->tid_;
}

bool DwflProcess::memory_read(Dwfl* /*dwfl*/, Dwarf_Addr address, Dwarf_Word* result,
                              void* process) {
    return static_cast<DwflProcess*>(process)->read_word(address, *result);
}

bool DwflProcess::set_initial_registers(Dwfl_Thread* thread, void* process) {
    auto& self = *static_cast<DwflProcess*>(process);
    std::array<std::byte, arch::kMaxPrstatusSize> prstatus{};
    iovec vector{prstatus.data(), prstatus.size()};
    if (::ptrace(PTRACE_GETREGSET, self.tid_, NT_PRSTATUS, &vector) != 0) {
        self.registers_error_ = {errno, std::generic_category()};
        return false;
    }
    const auto registers = arch::unwind_registers(std::span(prstatus).first(vector.iov_len));
    if (!registers) {
        self.registers_error_ = std::make_error_code(std::errc::not_supported);
        return false;
    }
    self.word_size_ = registers->abi == Abi::i386 ? 4 : 8;
    return dwfl_thread_state_registers(thread, 0, static_cast<unsigned>(registers->count),
                                       registers->values.data());
}

void DwflProcess::detach(Dwfl* /*dwfl*/, void* /*process*/) {}

void DwflProcess::thread_detach(Dwfl_Thread* /*thread*/, void* process) {
    static_cast<DwflProcess*>(process)->page_.clear();
}

bool DwflProcess::read_word(Dwarf_Addr address, Dwarf_Word& word) {
    word = 0;  // an i386 word fills the low half (x86 is little-endian, as is inject)
    const std::uint64_t page = address & ~static_cast<std::uint64_t>(page_size() - 1);
    if (address - page + word_size_ > page_size()) {
        // Across the end of a page: those few bytes alone.
        std::array<std::byte, sizeof word> bytes{};
        if (tracer_.read_memory(tid_, address, std::span(bytes).first(word_size_))) {
            return false;
        }
        std::memcpy(&word, bytes.data(), word_size_);
        return true;
    }
    if (page_.empty() || page != page_address_) {
        page_address_ = page;
        if (tracer_.read_memory(tid_, page, page_size(), page_) || page_.size() < page_size()) {
            page_.clear();
            return false;
        }
    }
    std::memcpy(&word, page_.data() + (address - page), word_size_);
    return true;
}

}  // namespace inject::trace
