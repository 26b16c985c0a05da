// Small pieces of the wording every report shares.
#pragma once

#include <cstdint>
#include <string>

namespace inject::report {

// "1 fault", "3 faults".
inline std::string plural(std::uint64_t count, const char* singular, const char* plural_form) {
    return std::to_string(count) + ' ' + (count == 1 ? singular : plural_form);
}

}  // namespace inject::report
