// The seccomp filter and setuid programs. Unprivileged, inject can install its filter only
// under PR_SET_NO_NEW_PRIVS, which keeps a setuid program from gaining privileges; inject
// must then say so, once. Privileged, it sets nothing and the program gains them as usual.
// Needs root (to make a setuid-root program and to drop to another user): skipped otherwise.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "harness.hpp"
#include "modes.hpp"

namespace inject::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kNote =
    "inject: note: a setuid/setgid program ran without its privileges";

class PrivilegesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "needs root to make a setuid-root program";
        }
        setpriv_ = find_in_path("setpriv");
        if (setpriv_.empty()) {
            GTEST_SKIP() << "setpriv (util-linux) is not installed";
        }
        // A copy of tests/programs/euid, setuid root, in a directory another user can enter.
        fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read |
                                         fs::perms::group_exec | fs::perms::others_read |
                                         fs::perms::others_exec);
        fs::copy_file(program("euid"), setuid_program_);
        ::chmod(setuid_program_.c_str(), 04755);
        const auto reachable = run_command(as_nobody({inject_binary(), "--version"}), kRunTimeout);
        if (reachable.exit_status != 0) {
            GTEST_SKIP() << "the build tree is not readable by an unprivileged user: "
                         << describe(reachable);
        }
        const auto bare = run_command(as_nobody({setuid_program_}), kRunTimeout);
        if (bare.out != "euid 0\n") {
            GTEST_SKIP() << "setuid programs do not gain privileges here (nosuid mount?): "
                         << describe(bare);
        }
    }

    static std::string find_in_path(const std::string& name) {
        for (const char* directory : {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            const fs::path candidate = fs::path(directory) / name;
            if (::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
        }
        return {};
    }

    std::vector<std::string> as_nobody(std::vector<std::string> command) const {
        return as_user(65534, std::move(command));
    }
    // Any unprivileged uid will do: setpriv needs no account for it.
    std::vector<std::string> as_user(int uid, std::vector<std::string> command) const {
        const std::string id = std::to_string(uid);
        std::vector<std::string> argv{setpriv_, "--reuid=" + id, "--regid=" + id, "--clear-groups",
                                      "--"};
        argv.insert(argv.end(), command.begin(), command.end());
        return argv;
    }

    // `inject -p PID` as nobody must be refused with one line and 125, the process unharmed.
    void expect_attach_refused(pid_t pid) const {
        const auto r = run_command(
            as_nobody({inject_binary(), "-p", std::to_string(pid), "-e", "write:error=EIO"}),
            kRunTimeout);
        EXPECT_EQ(r.exit_status, 125) << describe(r);
        EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
        EXPECT_TRUE(r.err.starts_with("inject: ")) << r.err;
    }

    TempDir dir_;
    std::string setuid_program_ = dir_ / "euid";
    std::string setpriv_;
};

TEST_F(PrivilegesTest, UnprivilegedFilterCostsASetuidProgramItsPrivilegesAndSaysSoOnce) {
    const auto r =
        run_command(as_nobody({inject_binary(), "-e", "reboot:error=EPERM", "--", setuid_program_}),
                    kRunTimeout);
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, "euid 65534\n");
    EXPECT_EQ(count_occurrences(r.err, kNote), 1U) << r.err;
    EXPECT_NE(r.err.find("(seccomp filter)"), std::string::npos) << r.err;
}

TEST_F(PrivilegesTest, PrivilegedInjectSetsNoNoNewPrivs) {
    const auto r = run_command({inject_binary(), "-e", "reboot:error=EPERM", "--", setuid_program_},
                               kRunTimeout);
    EXPECT_EQ(r.exit_status, 0) << describe(r);
    EXPECT_EQ(r.out, "euid 0\n");
    EXPECT_EQ(r.err.find(kNote), std::string::npos) << r.err;
}

TEST_F(PrivilegesTest, QuietStillPrintsTheNote) {
    const auto r = run_command(
        as_nobody({inject_binary(), "-q", "-e", "reboot:error=EPERM", "--", setuid_program_}),
        kRunTimeout);
    EXPECT_EQ(r.out, "euid 65534\n");
    EXPECT_EQ(count_occurrences(r.err, kNote), 1U) << r.err;
    EXPECT_EQ(r.err.find("faults injected"), std::string::npos) << r.err;
}

TEST_F(PrivilegesTest, AttachingToAnotherUsersProcessIsRefusedWithOneLine) {
    BackgroundProcess other(as_user(65533, {program("hang")}));
    ASSERT_EQ(other.next_line(), "hanging");
    expect_attach_refused(other.pid());
}

TEST_F(PrivilegesTest, AttachingToASetuidProcessIsRefusedWithOneLine) {
    const std::string setuid_hang = dir_ / "hang";
    fs::copy_file(program("hang"), setuid_hang);
    ::chmod(setuid_hang.c_str(), 04755);
    BackgroundProcess privileged(as_nobody({setuid_hang}));
    ASSERT_EQ(privileged.next_line(), "hanging");
    expect_attach_refused(privileged.pid());
}

}  // namespace
}  // namespace inject::testing
