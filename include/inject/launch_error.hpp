// Why a program could not be started or a process could not be traced.
#pragma once

#include <stdexcept>
#include <string>

namespace inject {

// The program could not be started. exit_status() is 127 (not found) or 126 (not
// executable), or 125 when inject itself could not trace it (see exit_status.hpp).
class LaunchError : public std::runtime_error {
  public:
    LaunchError(const std::string& message, int exit_status)
        : std::runtime_error(message), exit_status_(exit_status) {}
    int exit_status() const noexcept { return exit_status_; }

  private:
    int exit_status_;
};

}  // namespace inject
