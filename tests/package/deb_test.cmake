# cmake -P script behind the package.deb test (see CMakeLists.txt): cpack -G DEB from the build
# tree as it is (nothing is rebuilt: the build is up to date when ctest runs), the .deb
# unpacked into a temporary root with dpkg -x, and the installed inject run on a program.
include(${CMAKE_CURRENT_LIST_DIR}/steps.cmake)
require_defined(deb_test.cmake INJECT_BUILD_DIR WORK_DIR VERSION)

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(root ${WORK_DIR}/root)

function(fail_unless_contains what text expected)
  string(FIND "${text}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what} lacks \"${expected}\":\n${text}")
  endif()
endfunction()

step("packaging the build tree"
     cpack -G DEB --config ${INJECT_BUILD_DIR}/CPackConfig.cmake -B ${WORK_DIR})
set(deb ${WORK_DIR}/inject_${VERSION}_amd64.deb)
if(NOT EXISTS ${deb})
  file(GLOB made ${WORK_DIR}/*.deb)
  message(FATAL_ERROR "expected ${deb}, cpack made: ${made}")
endif()

# Depends comes from dpkg-shlibdeps: what the binaries link, with their Debian packages.
execute_process(COMMAND dpkg-deb --field ${deb} Depends OUTPUT_VARIABLE depends
                COMMAND_ERROR_IS_FATAL ANY)
# (The inject program has Boost.Program_options, TOML++ and the C++ runtime inside it; libinject.so
# still needs libstdc++6.)
foreach(package libseccomp2 libstdc++6 libc6)
  fail_unless_contains("Depends" "${depends}" "${package}")
endforeach()

step("unpacking it into ${root}" dpkg-deb -x ${deb} ${root})
foreach(file bin/inject lib/libinject.so include/inject/inject.hpp share/man/man1/inject.1
             share/bash-completion/completions/inject lib/cmake/inject/injectConfig.cmake
             lib/cmake/inject/injectTargets.cmake lib/cmake/inject/InjectTesting.cmake
             share/inject/scenarios/enospc.toml share/inject/scenarios/eio-on-fsync.toml)
  if(NOT EXISTS ${root}/usr/${file})
    message(FATAL_ERROR "not in the package: /usr/${file}")
  endif()
endforeach()

# The installed program, on a program that writes: its first write fails as on a full disk
# (only the first: echo must still be able to say so on stderr).
execute_process(COMMAND ${root}/usr/bin/inject -e write:error=ENOSPC:when=1 -- /bin/echo hi
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 1)
  message(FATAL_ERROR "installed inject: exit status ${status}, expected 1\n${err}")
endif()
fail_unless_contains("echo's stderr" "${err}" "echo: write error: No space left on device")
fail_unless_contains("inject's summary" "${err}" "inject: 1 fault injected")
if(NOT out STREQUAL "")
  message(FATAL_ERROR "the failed write still wrote: \"${out}\"")
endif()

# A shipped scenario, from where the package puts them.
execute_process(COMMAND ${root}/usr/bin/inject --check
                        -s ${root}/usr/share/inject/scenarios/enospc.toml
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "inject --check on the installed enospc.toml: ${status}\n${err}")
endif()
fail_unless_contains("inject --check" "${out}" "write:error=ENOSPC:when=3")

# The man page renders without warnings.
execute_process(COMMAND man --warnings -l ${root}/usr/share/man/man1/inject.1
                RESULT_VARIABLE status OUTPUT_VARIABLE page ERROR_VARIABLE warnings)
if(NOT status EQUAL 0 OR NOT warnings STREQUAL "")
  message(FATAL_ERROR "man inject.1: status ${status}\n${warnings}")
endif()
fail_unless_contains("the man page" "${page}" "EXIT STATUS")

# The CMake package is found where the package puts it, relocated to the temporary root.
set(consumer ${WORK_DIR}/consumer)
file(WRITE ${consumer}/CMakeLists.txt [[
cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES NONE)
find_package(inject 0.1 REQUIRED)
get_target_property(cli inject::cli LOCATION)
if(NOT EXISTS "${cli}")
  message(FATAL_ERROR "inject::cli points to ${cli}, which does not exist")
endif()
if(NOT COMMAND inject_add_test)
  message(FATAL_ERROR "find_package(inject) did not define inject_add_test")
endif()
]])
step("find_package(inject) from the unpacked package"
     ${CMAKE_COMMAND} -S ${consumer} -B ${consumer}/build -DCMAKE_PREFIX_PATH=${root}/usr
     -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
file(STRINGS ${consumer}/build/CMakeCache.txt found REGEX "^inject_DIR:")
if(NOT found STREQUAL "inject_DIR:PATH=${root}/usr/lib/cmake/inject")
  message(FATAL_ERROR "the consumer found another inject: ${found}")
endif()
