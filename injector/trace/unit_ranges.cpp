#include "trace/unit_ranges.hpp"

#include <dwarf.h>

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace inject::trace {

UnitRanges::UnitRanges(Dwarf* dwarf) : dwarf_(dwarf) {
    Dwarf_CU* unit = nullptr;
    Dwarf_Die unit_die;
    Dwarf_Half version = 0;
    std::uint8_t unit_type = 0;
    while (dwarf_get_units(dwarf, unit, &unit, &version, &unit_type, &unit_die, nullptr) == 0) {
        if (unit_type != DW_UT_compile && unit_type != DW_UT_partial) {
            continue;  // type and skeleton units hold no code of their own
        }
        Dwarf_Addr base = 0;
        Dwarf_Addr low = 0;
        Dwarf_Addr high = 0;
        for (ptrdiff_t at = 0; (at = dwarf_ranges(&unit_die, at, &base, &low, &high)) > 0;) {
            if (low < high) {
                ranges_.push_back({low, high, dwarf_dieoffset(&unit_die)});
            }
        }
    }
    std::sort(ranges_.begin(), ranges_.end(),
              [](const Range& a, const Range& b) { return a.low < b.low; });
}

Dwarf_Line* UnitRanges::line_at(Dwarf_Addr address) const {
    auto after = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                                  [](Dwarf_Addr at, const Range& range) { return at < range.low; });
    if (after == ranges_.begin()) {
        return nullptr;
    }
    const Range& range = *std::prev(after);
    Dwarf_Die unit_die;
    if (address >= range.high || dwarf_offdie(dwarf_, range.unit, &unit_die) == nullptr) {
        return nullptr;
    }
    return dwarf_getsrc_die(&unit_die, address);
}

bool lacks_address_ranges(Dwarf* dwarf) {
    Dwarf_Aranges* aranges = nullptr;
    std::size_t count = 0;
    return dwarf_getaranges(dwarf, &aranges, &count) != 0 || count == 0;
}

}  // namespace inject::trace
