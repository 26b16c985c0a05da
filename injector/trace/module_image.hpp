// What one mapped file (a program, a library, the vDSO) says of the addresses in it: symbol,
// source line, offset in the file, kept as the frames they make. The same for every process that
// maps it, so it is learnt once per run and kept per address: a hot call site is named once, and a
// library's debug information is read once however many processes map it. Private to DwflStacks.
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "inject/stack.hpp"
#include "trace/call_site.hpp"
#include "trace/dwfl_process.hpp"
#include "trace/unit_ranges.hpp"

namespace inject::trace {

class ModuleImage {
  public:
    // `path` as a process maps the file, `build_id` in hex ("" when it has none).
    ModuleImage(std::string path, std::string build_id)
        : path_(std::move(path)), build_id_(std::move(build_id)) {}
    ModuleImage(const ModuleImage&) = delete;
    ModuleImage& operator=(const ModuleImage&) = delete;

    const std::string& build_id() const { return build_id_; }

    // The frame at `vaddr`, an address in the file's own (link-time) terms, with everything
    // but its address in the process: module, build ID, offset and names. `activation` as for
    // UnwoundFrame. `mapped` is the module as a process maps it, at load bias `bias`: asked
    // only when the file itself cannot be opened (the vDSO, a deleted or replaced file).
    const StackFrame& frame(Dwarf_Addr vaddr, bool activation, Dwfl_Module* mapped,
                            Dwarf_Addr bias);

  private:
    // The file itself, reported at its link-time addresses, when it can be opened and still
    // has the build ID the process mapped.
    Dwfl_Module* open_file();
    StackFrame describe(Dwfl_Module* module, Dwarf_Addr bias, Dwarf_Addr vaddr, bool activation);
    const ModuleTraits& traits(Dwfl_Module* module);
    // The file and line of `address` (in the module's Dwfl terms) into `frame`, if known.
    void source_line(Dwfl_Module* module, Dwarf_Addr address, StackFrame& frame);
    // Where libdw finds no line because the module has no .debug_aranges (see unit_ranges.hpp).
    Dwarf_Line* line_without_aranges(Dwfl_Module* module, Dwarf_Addr address);

    std::string path_;
    std::string build_id_;
    bool opened_ = false;
    UniqueDwfl file_dwfl_;
    Dwfl_Module* file_module_ = nullptr;
    std::optional<ModuleTraits> traits_;
    // Built the first time libdw finds no line, when the module has no aranges.
    bool unit_ranges_checked_ = false;
    std::optional<UnitRanges> unit_ranges_;
    std::unordered_map<std::uint64_t, StackFrame> frames_;  // by vaddr * 2 + activation
};

// The module's GNU build ID in lowercase hex; "" when it has none.
std::string build_id_of(Dwfl_Module* module);

}  // namespace inject::trace
