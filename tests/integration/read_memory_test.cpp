// Reading a stopped tracee's memory and descriptors, as the syscall log does, every way the
// tracer knows: the tracee is a fork of the test, stopped, so the test's own data is at the
// same addresses in it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "harness.hpp"
#include "trace/ptrace_tracer.hpp"
#include "trace/unique_fd.hpp"

namespace inject::testing {
namespace {

// A fork of the test that stops itself under ptrace, killed and reaped at the end.
class StoppedFork {
  public:
    StoppedFork() : pid_(::fork()) {
        if (pid_ == 0) {
            ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
            ::raise(SIGSTOP);
            ::_exit(0);
        }
        int status = 0;
        stopped_ = pid_ > 0 && ::waitpid(pid_, &status, 0) == pid_ && WIFSTOPPED(status);
    }
    ~StoppedFork() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    StoppedFork(const StoppedFork&) = delete;
    StoppedFork& operator=(const StoppedFork&) = delete;

    pid_t pid() const { return pid_; }
    bool stopped() const { return stopped_; }

  private:
    pid_t pid_;
    bool stopped_ = false;
};

std::uint64_t address_of(const void* pointer) {
    return reinterpret_cast<std::uint64_t>(pointer);
}

TEST(ReadMemory, EveryWayReadsTheSameBytes) {
    static const char kText[] = "the tracee's own bytes";
    StoppedFork tracee;
    ASSERT_TRUE(tracee.stopped());
    for (const auto access : {trace::MemoryAccess::process_vm_readv, trace::MemoryAccess::proc_mem,
                              trace::MemoryAccess::peekdata}) {
        SCOPED_TRACE(static_cast<int>(access));
        // From an odd address, so that the word-wise way copies parts of words.
        std::string bytes(sizeof kText - 3, '\0');
        EXPECT_FALSE(trace::read_tracee_memory(access, tracee.pid(), address_of(kText + 3),
                                               bytes.data(), bytes.size()));
        EXPECT_EQ(bytes, std::string(kText + 3, sizeof kText - 3));
        EXPECT_TRUE(trace::read_tracee_memory(access, tracee.pid(), 0x10, bytes.data(), 4));
    }
}

TEST(ReadMemory, ReadsUpToTheEndOfReadableMemory) {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* mapped =
        ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mapped, MAP_FAILED);
    char* first = static_cast<char*>(mapped);
    ::munmap(first + page, page);  // the page after is not mapped
    std::memcpy(first + page - 3, "end", 3);
    StoppedFork tracee;
    ASSERT_TRUE(tracee.stopped());
    trace::PtraceTracer tracer;
    std::string bytes;
    EXPECT_FALSE(tracer.read_memory(tracee.pid(), address_of(first + page - 3), 10, bytes));
    EXPECT_EQ(bytes, "end");
    EXPECT_TRUE(tracer.read_memory(tracee.pid(), address_of(first + page), 10, bytes));
    EXPECT_TRUE(tracer.read_memory(tracee.pid(), 0, 1, bytes));
    ::munmap(first, page);
}

TEST(ReadMemory, DescriptorsNameTheirFiles) {
    TempDir dir;
    const trace::UniqueFd fd(::open((dir / "named").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(fd);
    StoppedFork tracee;
    ASSERT_TRUE(tracee.stopped());
    trace::PtraceTracer tracer;
    std::string path;
    EXPECT_FALSE(tracer.fd_path(tracee.pid(), fd.get(), path));
    EXPECT_EQ(path, (std::filesystem::canonical(dir.path()) / "named").string());
    EXPECT_TRUE(tracer.fd_path(tracee.pid(), 999, path));
}

}  // namespace
}  // namespace inject::testing
