# cpack -G DEB (or scripts/package): one Debian package, inject_VERSION_ARCH.deb, with what
# `cmake --install` installs under /usr: the program, libinject.so, the headers, the man page,
# the bash completion, the CMake package and the shipped scenarios.
include_guard(GLOBAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME inject)
set(CPACK_PACKAGE_VENDOR "inject")
set(CPACK_PACKAGE_CONTACT "inject maintainers <inject@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "inject traces an unmodified program with ptrace and a seccomp filter and makes the "
       "system calls its rules pick fail (a full disk, a failing fsync, a short write, a crash "
       "point), so that the program's error paths can be tested. Rules come from strace-like "
       "-e specs or TOML scenarios, whose [expect] tables make a run a test for CTest. With "
       "libinject, its C++ headers and its CMake package (find_package(inject), "
       "inject_add_test).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Stripped, as Debian ships binaries: the build type's debug info stays in the build tree.
set(CPACK_STRIP_FILES ON)

# inject_0.1.0_amd64.deb: Debian's own naming (no revision is given).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends is what the binaries link, read from them by dpkg-shlibdeps (libseccomp2, libstdc++6,
# ...), never written by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A shlibs file and the ldconfig trigger for libinject.so.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# The completion file is loaded by the bash-completion framework; without it the file still
# works when sourced by hand (it falls back to plain bash).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS bash-completion)
# Comparing a run with strace's, as the docs do, needs strace.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS strace)

include(CPack)
