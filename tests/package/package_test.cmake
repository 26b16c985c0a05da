# cmake -P script behind the package.cmake_project test (see CMakeLists.txt). Every step
# echoes its command, so a failure in the test log says which one.
include(${CMAKE_CURRENT_LIST_DIR}/steps.cmake)
require_defined(package_test.cmake INJECT_BUILD_DIR LIBDIR EXAMPLE_SOURCE_DIR WORK_DIR GENERATOR
                CXX_COMPILER)

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
# From scratch every time: a left-over cache or install would hide a missing file.
file(REMOVE_RECURSE ${WORK_DIR})

set(config_args)
if(INJECT_CONFIG)
  set(config_args --config ${INJECT_CONFIG})
endif()
step("installing inject into ${prefix}"
     ${CMAKE_COMMAND} --install ${INJECT_BUILD_DIR} --prefix ${prefix} ${config_args})

# What a user and a packager expect to find; the library with its soname links.
file(GLOB libraries LIST_DIRECTORIES false RELATIVE ${prefix} ${prefix}/${LIBDIR}/libinject.so*)
list(LENGTH libraries count)
if(count LESS 3)
  message(FATAL_ERROR "expected libinject.so, its soname link and the library, found: ${libraries}")
endif()
foreach(file bin/inject ${LIBDIR}/libinject.so include/inject/inject.hpp include/inject/run.hpp
             include/inject/check.hpp include/inject/gtest.hpp
             share/man/man1/inject.1 share/bash-completion/completions/inject
             share/inject/scenarios/enospc.toml
             ${LIBDIR}/cmake/inject/injectConfig.cmake
             ${LIBDIR}/cmake/inject/injectConfigVersion.cmake
             ${LIBDIR}/cmake/inject/injectTargets.cmake
             ${LIBDIR}/cmake/inject/InjectTesting.cmake)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()
# Nothing installed may still point into the build tree to find its libraries.
find_program(READELF readelf)
if(READELF)
  foreach(file bin/inject ${LIBDIR}/libinject.so)
    execute_process(COMMAND ${READELF} -d ${prefix}/${file} OUTPUT_VARIABLE dynamic)
    string(REGEX MATCHALL "\\((RUN)?PATH\\)[^\n]*" paths "${dynamic}")
    string(FIND "${paths}" "${INJECT_BUILD_DIR}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} keeps an RPATH into the build tree: ${paths}")
    endif()
  endforeach()
endif()

step("configuring examples/cmake-project against it"
     ${CMAKE_COMMAND} -S ${EXAMPLE_SOURCE_DIR} -B ${build} -G ${GENERATOR}
     -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix}
     # Only the fresh install may be found, never an inject installed on the machine.
     -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
file(STRINGS ${build}/CMakeCache.txt found REGEX "^inject_DIR:")
if(NOT found STREQUAL "inject_DIR:PATH=${prefix}/${LIBDIR}/cmake/inject")
  message(FATAL_ERROR "the example found another inject: ${found}")
endif()

step("make check in examples/cmake-project"
     ${CMAKE_COMMAND} --build ${build} --target check --parallel 2)

# inject_add_test's mistakes stop the configuration, each with its message: a scenario file
# that does not exist, a test without faults, a TIMEOUT without a value.
set(mistakes ${WORK_DIR}/mistakes)
foreach(mistake IN ITEMS missing_scenario no_faults timeout_without_value)
  if(mistake STREQUAL "missing_scenario")
    set(call "inject_add_test(NAME t SCENARIO scenarios/nope.toml COMMAND true)")
    set(expected "inject_add_test(t): scenario file ${mistakes}/${mistake}/scenarios/nope.toml does not exist")
  elseif(mistake STREQUAL "no_faults")
    set(call "inject_add_test(NAME t COMMAND true)")
    set(expected "inject_add_test(t): no faults: give SCENARIO or SPECS")
  else()
    set(call "inject_add_test(NAME t SPECS write:error=EIO TIMEOUT COMMAND true)")
    set(expected "inject_add_test(t): TIMEOUT needs a duration")
  endif()
  file(WRITE ${mistakes}/${mistake}/CMakeLists.txt
       "cmake_minimum_required(VERSION 3.25)\nproject(mistake LANGUAGES NONE)\n"
       "find_package(inject REQUIRED)\nenable_testing()\n${call}\n")
  step_fails("inject_add_test refuses a ${mistake}" "${expected}"
             ${CMAKE_COMMAND} -S ${mistakes}/${mistake} -B ${mistakes}/${mistake}/build
             -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix}
             -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
endforeach()
