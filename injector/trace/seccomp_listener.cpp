#include "trace/seccomp_listener.hpp"

#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include "arch/registers.hpp"

// Newer than the headers of some distributions (the values are the kernel's ABI).
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

namespace inject::trace {

namespace {

std::error_code last_error() {
    return {errno, std::generic_category()};
}

// libseccomp's seccomp_notify_* calls are not used: they answer every failure of the ioctl
// with ECANCELED, and the ENOENT of a call that no longer waits is what the engine must tell
// apart; they also refuse to work on a listener whose filter libseccomp did not load itself.
std::error_code notify_ioctl(int fd, unsigned long request, void* argument) {
    for (;;) {
        if (::ioctl(fd, request, argument) == 0) {
            return {};
        }
        if (errno != EINTR) {
            return last_error();
        }
    }
}

timespec relative_timespec(std::chrono::steady_clock::duration left) {
    const auto nanoseconds = std::chrono::ceil<std::chrono::nanoseconds>(left).count();
    constexpr std::int64_t kPerSecond = 1'000'000'000;
    return {static_cast<time_t>(nanoseconds / kPerSecond),
            static_cast<long>(nanoseconds % kPerSecond)};
}

}  // namespace

unsigned long notifying_filter_flags() {
    return SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
}

bool kernel_can_notify() {
    // Unknown flags are EINVAL; known ones get as far as reading the program, which is not there.
    return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, notifying_filter_flags(), nullptr) ==
               -1 &&
           errno == EFAULT;
}

SeccompListener::SeccompListener(UniqueFd listener) : listener_(std::move(listener)) {
    sigset_t sigchld;
    sigemptyset(&sigchld);
    sigaddset(&sigchld, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &sigchld, &saved_mask_);
    sigchld_.reset(::signalfd(-1, &sigchld, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sigchld_) {
        const std::error_code error = last_error();
        pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
        throw std::system_error(error, "signalfd");
    }
    // Linux 6.6: the kernel then wakes the waiting side on the CPU of the side that woke it, so
    // that a call and its answer do not each wake an idle CPU. Older kernels refuse the flag,
    // and run as before.
    ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
}

SeccompListener::~SeccompListener() {
    pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
}

Ready SeccompListener::wait(std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::array<pollfd, 2> fds{pollfd{sigchld_.get(), POLLIN, 0},
                              pollfd{hung_up_ ? -1 : listener_.get(), POLLIN, 0}};
    for (;;) {
        std::optional<timespec> timeout;
        if (deadline) {
            timeout = relative_timespec(std::max(*deadline - std::chrono::steady_clock::now(),
                                                 std::chrono::steady_clock::duration::zero()));
        }
        const int ready = ::ppoll(fds.data(), fds.size(), timeout ? &*timeout : nullptr, nullptr);
        if (ready >= 0) {
            break;
        }
        if (errno != EINTR) {
            throw std::system_error(last_error(), "ppoll");
        }
    }
    Ready found;
    if (fds[0].revents != 0) {
        // Read before the caller's waitpid calls, not after: a stop that comes once they are
        // done raises a SIGCHLD that is still pending at the next wait.
        signalfd_siginfo info{};
        while (::read(sigchld_.get(), &info, sizeof info) == sizeof info) {
        }
        found.tracees = true;
    }
    if ((fds[1].revents & POLLHUP) != 0) {
        hung_up_ = true;
    } else if ((fds[1].revents & POLLIN) != 0) {
        found.notification = true;
    }
    return found;
}

std::error_code SeccompListener::receive(Notification& notification) {
    seccomp_notif raw{};  // the kernel wants it zeroed
    if (const auto error = notify_ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, &raw)) {
        return error;
    }
    notification.id = raw.id;
    notification.tid = static_cast<pid_t>(raw.pid);
    notification.number = raw.data.nr;
    notification.abi =
        arch::abi_from_audit_arch(raw.data.arch, static_cast<std::uint32_t>(raw.data.nr));
    std::copy(std::begin(raw.data.args), std::end(raw.data.args), notification.args.begin());
    return {};
}

std::error_code SeccompListener::answer(std::uint64_t id, std::int64_t result) {
    seccomp_notif_resp response{};
    response.id = id;
    constexpr std::int64_t kMaxErrno = 4095;
    if (result < 0 && result >= -kMaxErrno) {
        response.error = static_cast<std::int32_t>(result);
    } else {
        response.val = result;
    }
    return notify_ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, &response);
}

std::error_code SeccompListener::let_run(std::uint64_t id) {
    seccomp_notif_resp response{};
    response.id = id;
    response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    return notify_ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, &response);
}

bool SeccompListener::still_waits(std::uint64_t id) {
    return !notify_ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id);
}

}  // namespace inject::trace
