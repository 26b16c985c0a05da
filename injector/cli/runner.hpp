// Carrying a plan out: the program run (or the processes attached to) under its rules, then
// what inject says about it and writes down.
#pragma once

#include <ostream>

#include "cli/plan.hpp"

namespace inject::cli {

// Runs the plan of Mode::run or Mode::attach: opens the output files first (a path that
// cannot be written stops inject before the program starts), runs, then prints the notes, the
// summary and the expectations' outcome on `err` and writes the log, the report and the JUnit
// file. Returns inject's exit status: the program's own, or the expectations' (0 or 1), or 125
// when an output could not be written (the message then says how the program ended).
// Throws what cannot be reported otherwise (the caller turns it into its line and status).
int execute(const Plan& plan, std::ostream& err);

// Runs the plan of Mode::explore (explore_command.cpp): 0 when every failure point was
// survived, 1 when one was not or the program failed without faults.
int execute_explore(const Plan& plan, std::ostream& err);

}  // namespace inject::cli
