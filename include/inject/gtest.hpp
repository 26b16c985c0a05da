// inject::run_function for GoogleTest: an EXPECT_* that fails inside the traced callable fails
// the test that called it.
//
// inject::run_function runs the callable in a forked child, as a death test runs its
// statement, so a failure recorded there is the child's: GoogleTest prints it, but the test
// itself passes. inject::gtest::run_function copies each failure of the child back to the
// parent, which adds it to the current test at the same file and line. Header-only: include it
// in a test linked with GoogleTest (GTest::gtest) and inject::inject.
//
//   const inject::RunResult result = inject::gtest::run_function(
//       inject::scenario_from_spec("write:error=ENOSPC"), [&] {
//           EXPECT_FALSE(fs::exists(tmp));  // fails the test if it does not hold
//           return notes::save(path, text).value();
//       });
//
// In a test built with UndefinedBehaviorSanitizer, build it with -fno-sanitize=vptr too: the
// vptr check probes memory with a write(2) of its own (to a pipe), which a rule on write then
// counts as the callable's, and `when` lands on the wrong call.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <system_error>

#include "inject/run.hpp"
#include "inject/scenario.hpp"

namespace inject::gtest {

namespace detail {

// The test results of the running test (or, outside one, of the whole program).
inline const ::testing::TestResult& current_results() {
    const ::testing::UnitTest& unit_test = *::testing::UnitTest::GetInstance();
    const ::testing::TestInfo* test = unit_test.current_test_info();
    return test != nullptr ? *test->result() : unit_test.ad_hoc_test_result();
}

// The failures of a forked child, for its parent: copied with plain stores into memory the
// two share, so that no syscall carries them, and the rules under test (a failing write(2),
// say) cannot lose them.
class SharedFailures {
  public:
    SharedFailures()
        : bytes_(static_cast<char*>(
              ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))) {
        if (bytes_ == MAP_FAILED) {
            throw std::system_error(errno, std::generic_category(), "inject::gtest: mmap");
        }
    }
    ~SharedFailures() { ::munmap(bytes_, kSize); }
    SharedFailures(const SharedFailures&) = delete;
    SharedFailures& operator=(const SharedFailures&) = delete;

    // In the child: each failure recorded from test part `first` on (the parts HasFailure()
    // looks at), as "*FILE\0LINE\0MESSAGE\0" (FILE empty when GoogleTest gave none), as many as
    // fit. No allocation: the rules may fail the child's mmap and brk.
    void record(int first) noexcept {
        const ::testing::TestResult& results = current_results();
        std::size_t used = 0;
        for (int index = first; index < results.total_part_count(); ++index) {
            const ::testing::TestPartResult& part = results.GetTestPartResult(index);
            if (!part.failed()) {
                continue;
            }
            char line[16];
            std::snprintf(line, sizeof line, "%d", part.line_number());
            const char* fields[] = {part.file_name() != nullptr ? part.file_name() : "", line,
                                    part.message()};
            std::size_t length = 1;
            for (const char* field : fields) {
                length += std::strlen(field) + 1;
            }
            if (used + length >= kSize - 1) {
                bytes_[kSize - 1] = 1;  // the last byte says that some did not fit
                return;
            }
            bytes_[used++] = kRecord;
            for (const char* field : fields) {
                const std::size_t size = std::strlen(field) + 1;
                std::memcpy(bytes_ + used, field, size);
                used += size;
            }
        }
    }

    // In the parent: adds each failure the child recorded to the current test.
    void report() const {
        std::size_t at = 0;
        const auto next = [&] {
            const char* field = bytes_ + at;
            at += std::strlen(field) + 1;
            return field;
        };
        while (bytes_[at] == kRecord) {  // the memory after the last record is still zero
            ++at;
            const std::string file = next();
            const int line = std::atoi(next());
            const std::string message = next();
            if (file.empty()) {
                ADD_FAILURE() << "in inject::run_function's child: " << message;
            } else {
                ADD_FAILURE_AT(file.c_str(), line)
                    << "in inject::run_function's child: " << message;
            }
        }
        if (bytes_[kSize - 1] != 0) {
            ADD_FAILURE() << "in inject::run_function's child: more failures than could be "
                             "reported (see its output)";
        }
    }

  private:
    static constexpr std::size_t kSize = 64 * 1024;
    static constexpr char kRecord = '*';
    char* bytes_;
};

}  // namespace detail

// inject::run_function(scenario, body, options), and then every EXPECT_* (or ASSERT_* in a
// function body calls) that failed inside body is a failure of the calling test too, at its
// own file and line. Returns how the child ended, as inject::run_function does.
inline RunResult run_function(const Scenario& scenario, const std::function<int()>& body,
                              const RunOptions& options = {}) {
    detail::SharedFailures failures;
    const RunResult result = inject::run_function(
        scenario,
        [&] {
            // Recorded however body ends, by returning or by throwing (which the child reports).
            struct RecordOnExit {
                detail::SharedFailures& failures;
                int first = detail::current_results().total_part_count();
                ~RecordOnExit() { failures.record(first); }
            } record{failures};
            return body();
        },
        options);
    failures.report();
    return result;
}

}  // namespace inject::gtest
