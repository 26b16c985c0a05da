// The compile units of a module's DWARF by the addresses their code covers: the source line of
// an address when the module has no .debug_aranges. clang emits none unless asked
// (-gdwarf-aranges), and libdw 0.188 (Debian 12's) then finds no unit for any address:
// dwfl_module_getsrc says "address out of range" for every frame of a clang-built program.
// Private to ModuleImage.
#pragma once

#include <elfutils/libdw.h>

#include <vector>

namespace inject::trace {

class UnitRanges {
  public:
    // Reads every unit's DW_AT_ranges (or low and high pc) once.
    explicit UnitRanges(Dwarf* dwarf);

    // The line table row for `address` (in the DWARF's own terms), or null.
    Dwarf_Line* line_at(Dwarf_Addr address) const;

  private:
    struct Range {
        Dwarf_Addr low;
        Dwarf_Addr high;  // past the end
        Dwarf_Off unit;   // the unit DIE's offset
    };
    Dwarf* dwarf_;
    std::vector<Range> ranges_;  // by low
};

// Whether `dwarf` has no .debug_aranges (or an empty one), so that libdw finds no line.
bool lacks_address_ranges(Dwarf* dwarf);

}  // namespace inject::trace
