// The --report file: the whole run as JSON, for tools (every injection, not only the first).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inject/rule.hpp"
#include "inject/run.hpp"
#include "report/expectations.hpp"

namespace inject::report {

// One scenario's [expect] table, checked.
struct CheckedExpectations {
    std::string source;
    ExpectationOutcome outcome;
};

// The injections of a run kept on disk as they come, each already as its text in the report,
// so that a report of millions takes the memory of one: an unlinked temporary file, in the
// directory the report goes to (else $TMPDIR, else /tmp), that nothing else can open and
// that goes when inject ends.
class InjectionSpill {
  public:
    // Throws std::runtime_error when no temporary file can be made anywhere.
    explicit InjectionSpill(const std::string& report_path);
    ~InjectionSpill();
    InjectionSpill(const InjectionSpill&) = delete;
    InjectionSpill& operator=(const InjectionSpill&) = delete;

    // Called as each injection fires, so it does not throw: the first failure to write (a
    // full disk) is kept for error(), and what follows is dropped.
    void add(const Injection& injection) noexcept;
    std::uint64_t count() const noexcept { return count_; }
    const std::optional<std::string>& error() const noexcept { return error_; }
    // Hands the injections' text back in order, a piece at a time: the "," separated
    // elements of the array, indented as in the report.
    void read(const std::function<void(std::string_view)>& write);

  private:
    void flush() noexcept;

    int fd_ = -1;
    std::uint64_t count_ = 0;
    std::string pending_;  // written in pieces of kPiece, not a write(2) per injection
    std::optional<std::string> error_;
};

struct ReportInput {
    std::string inject_version;
    std::vector<std::string> command;
    std::optional<std::uint64_t> seed;  // set when some rule has a probability
    const std::vector<Rule>* rules = nullptr;
    const RunResult* result = nullptr;
    std::vector<CheckedExpectations> expectations;  // "expectations" is left out when empty
    // Every injection, when given; else the result's records.
    InjectionSpill* injections = nullptr;
};

// The report as indented JSON text ending in a newline (fields: the man page, JSON REPORT),
// handed to `write` a piece at a time: the injections come from the spill as they are read.
void write_json_report(const ReportInput& input,
                       const std::function<void(std::string_view)>& write);

// The same as one string.
std::string json_report(const ReportInput& input);

}  // namespace inject::report
