#include "syscalls/bounded_regex.hpp"

namespace inject::text {

RE2::Options bounded_regex_options() {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_never_capture(true);
    options.set_max_mem(kMaxRegexMemory);
    return options;
}

}  // namespace inject::text
