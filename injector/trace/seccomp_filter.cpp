#include "trace/seccomp_filter.hpp"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "trace/unique_fd.hpp"

namespace inject::trace {

namespace {

struct ContextDeleter {
    void operator()(void* context) const { seccomp_release(context); }
};
using SeccompContext = std::unique_ptr<void, ContextDeleter>;

[[noreturn]] void fail(const std::string& what, int negative_errno) {
    throw std::runtime_error("seccomp filter: " + what + ": " + std::strerror(-negative_errno));
}

void add_rules(void* context, const std::vector<std::string>& names, std::uint32_t action) {
    for (const std::string& name : names) {
        // The native number, or libseccomp's pseudo-number for a call only i386 has; either
        // way libseccomp translates it by name for each ABI of the filter.
        const int number = seccomp_syscall_resolve_name(name.c_str());
        if (number == __NR_SCMP_ERROR) {
            fail("unknown syscall \"" + name + "\"", -EINVAL);
        }
        if (int rc = seccomp_rule_add(context, action, number, 0); rc < 0) {
            fail("rule for \"" + name + "\"", rc);
        }
    }
}

}  // namespace

SeccompProgram SeccompProgram::build(const std::vector<std::string>& traced,
                                     const std::vector<std::string>& notified) {
    SeccompContext context(seccomp_init(SCMP_ACT_ALLOW));
    if (!context) {
        throw std::runtime_error("seccomp filter: libseccomp could not start a filter");
    }
    // The child sets PR_SET_NO_NEW_PRIVS itself, and only when it must.
    if (int rc = seccomp_attr_set(context.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0) {
        fail("no_new_privs attribute", rc);
    }
    // A call of an ABI the filter does not list (x32) just runs: inject never picks those.
    if (int rc = seccomp_attr_set(context.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW); rc < 0) {
        fail("bad-arch action", rc);
    }
    if (int rc = seccomp_arch_add(context.get(), SCMP_ARCH_X86); rc < 0 && rc != -EEXIST) {
        fail("adding i386", rc);
    }
    add_rules(context.get(), traced, SCMP_ACT_TRACE(0));
    add_rules(context.get(), notified, SCMP_ACT_NOTIFY);

    // libseccomp writes the program to an fd; a memfd keeps it in memory.
    UniqueFd memory(::memfd_create("inject-seccomp", MFD_CLOEXEC));
    if (!memory) {
        fail("memfd_create", -errno);
    }
    if (int rc = seccomp_export_bpf(context.get(), memory.get()); rc < 0) {
        fail("export", rc);
    }
    const off_t bytes = ::lseek(memory.get(), 0, SEEK_END);
    if (bytes <= 0 || bytes % static_cast<off_t>(sizeof(sock_filter)) != 0) {
        fail("export size", -EINVAL);
    }
    SeccompProgram program;
    program.notifies_ = !notified.empty();
    program.instructions_.resize(static_cast<std::size_t>(bytes) / sizeof(sock_filter));
    if (::pread(memory.get(), program.instructions_.data(), static_cast<std::size_t>(bytes), 0) !=
        bytes) {
        fail("reading the export", -EIO);
    }
    return program;
}

sock_fprog SeccompProgram::fprog() const {
    sock_fprog program{};
    program.len = static_cast<unsigned short>(instructions_.size());
    program.filter = const_cast<sock_filter*>(instructions_.data());
    return program;
}

}  // namespace inject::trace
