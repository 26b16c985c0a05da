// The command line: options in, rules loaded, the program run, the summary out. The pieces are
// options.hpp (the command line read), plan.hpp (what it asks for, checked before anything
// runs) and runner.hpp (the run and what is said about it).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/plan.hpp"

namespace inject::cli {

// The whole tool; returns its exit status (the program's, or one of exit_status.hpp).
int main(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

}  // namespace inject::cli
