# The sanitizer build that CI runs beside the main one (scripts/check), and the libFuzzer
# targets that live in it (tests/fuzz).
#
# INJECT_SANITIZE: the project's own code (every layer, inject, the unit, integration and fuzz
# tests) with AddressSanitizer and UndefinedBehaviorSanitizer, at -O1, every report fatal.
# The programs the tests trace (tests/programs, examples/) stay uninstrumented: LeakSanitizer
# stops the world with ptrace when a program exits, which a process that is already traced
# cannot do, and what is under test is inject, not them.
#
# INJECT_FUZZ (clang): the same code also gets libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link, harmless in programs that do not link libFuzzer), and the fuzz
# targets are built, each linked with -fsanitize=fuzzer.
include_guard(GLOBAL)

option(INJECT_SANITIZE "Build inject and its tests with ASan and UBSan (-O1)" OFF)
option(INJECT_FUZZ "Also build the libFuzzer targets of tests/fuzz (clang; implies INJECT_SANITIZE)"
       OFF)
if(INJECT_FUZZ)
  set(INJECT_SANITIZE ON)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "INJECT_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
endif()

set(INJECT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                           -fno-omit-frame-pointer -O1 -g)
if(INJECT_FUZZ)
  list(APPEND INJECT_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()

# For the project's own code in the calling directory and below (injector/, tests/unit, ...):
# a directory property, so that the traced programs in their own directories stay as a user's
# program would be.
macro(inject_instrument_directory)
  if(INJECT_SANITIZE)
    add_compile_options(${INJECT_SANITIZER_FLAGS})
    add_link_options(-fsanitize=address,undefined)
  endif()
endmacro()
