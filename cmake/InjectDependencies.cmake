# Finds every third-party dependency of inject. Each one is a Debian package; when one is
# missing, configuration stops with the name of the package to install (scripts/setup
# installs them all).

include_guard(GLOBAL)

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package pkg-config "
                      "(or run scripts/setup)")
endif()

macro(inject_require_package found package)
  if(NOT ${found})
    message(FATAL_ERROR "${ARGN} not found: install the Debian package ${package} "
                        "(or run scripts/setup)")
  endif()
endmacro()

# The inject program links its C++ libraries into itself: Boost.Program_options and TOML++ (here)
# and the C++ runtime (injector/CMakeLists.txt). A run then maps and relocates no C++ shared
# library, which was a third of what starting inject cost (docs/performance.md, "Startup").
set(Boost_USE_STATIC_LIBS ON)
find_package(Boost 1.74 QUIET COMPONENTS program_options)
inject_require_package(Boost_FOUND libboost-program-options-dev "Boost.Program_options")

find_package(tomlplusplus 3 QUIET)
inject_require_package(tomlplusplus_FOUND libtomlplusplus-dev "TOML++")
# TOML++ compiled in (injector/scenario/toml_library.cpp) rather than libtomlplusplus.so, for the
# same reason: its headers only, not the imported target that links the shared library.
add_library(inject_tomlplusplus INTERFACE)
target_include_directories(inject_tomlplusplus SYSTEM INTERFACE
  $<TARGET_PROPERTY:tomlplusplus::tomlplusplus,INTERFACE_INCLUDE_DIRECTORIES>)

pkg_check_modules(LIBSECCOMP QUIET IMPORTED_TARGET libseccomp>=2.5)
inject_require_package(LIBSECCOMP_FOUND libseccomp-dev "libseccomp (2.5 or newer)")

# Stacks (call sites): libdwfl unwinds with CFI and names frames from symbols and DWARF.
pkg_check_modules(LIBDW QUIET IMPORTED_TARGET libdw libelf)
inject_require_package(LIBDW_FOUND "libdw-dev libelf-dev" "elfutils libdw and libelf")

# [expect] regexes: linear-time matching, so that no pattern or output can stall or crash inject.
pkg_check_modules(RE2 QUIET IMPORTED_TARGET re2)
inject_require_package(RE2_FOUND libre2-dev "RE2")

find_package(nlohmann_json 3 QUIET)
inject_require_package(nlohmann_json_FOUND nlohmann-json3-dev "nlohmann-json")

if(INJECT_BUILD_TESTS)
  find_package(GTest QUIET)
  inject_require_package(GTest_FOUND "libgtest-dev libgmock-dev" "GoogleTest")
  if(NOT TARGET GTest::gmock)
    message(FATAL_ERROR "GoogleMock not found: install the Debian package libgmock-dev "
                        "(or run scripts/setup)")
  endif()
endif()
