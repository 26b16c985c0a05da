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

# The inject program links RE2, libdw and libseccomp from their archives as well (a target
# with INJECT_LINK_ARCHIVES set does; libinject.so and the tests take the shared libraries).
# Mapping and relocating them, with the libstdc++.so that libre2.so needs and the compression
# libraries that libdw.so needs, was 1.4 ms of the 3.3 ms that starting inject cost
# (docs/performance.md, "Startup"). A library without its archive stays shared.
function(inject_link_archives_when_asked target package_target)
  add_library(${target} INTERFACE)
  target_include_directories(${target} SYSTEM INTERFACE
    $<TARGET_PROPERTY:${package_target},INTERFACE_INCLUDE_DIRECTORIES>)
  target_compile_options(${target} INTERFACE
    $<TARGET_PROPERTY:${package_target},INTERFACE_COMPILE_OPTIONS>)
  set(archives)
  foreach(name IN LISTS ARGN)
    find_library(INJECT_ARCHIVE_${name} lib${name}.a)
    if(NOT INJECT_ARCHIVE_${name})
      target_link_libraries(${target} INTERFACE ${package_target})
      return()
    endif()
    list(APPEND archives ${INJECT_ARCHIVE_${name}})
  endforeach()
  set(wanted $<BOOL:$<TARGET_PROPERTY:INJECT_LINK_ARCHIVES>>)
  foreach(archive IN LISTS archives)
    target_link_libraries(${target} INTERFACE $<${wanted}:${archive}>)
  endforeach()
  target_link_libraries(${target} INTERFACE $<$<NOT:${wanted}>:${package_target}> Threads::Threads)
endfunction()
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
inject_link_archives_when_asked(inject_re2 PkgConfig::RE2 re2)
inject_link_archives_when_asked(inject_libseccomp PkgConfig::LIBSECCOMP seccomp)
# libdw's archive needs those of what libdw.so links: libelf, zlib, liblzma, libbz2.
inject_link_archives_when_asked(inject_libdw PkgConfig::LIBDW dw elf z lzma bz2)

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
