# cmake -DGENERATOR=... -DCOMMITTED=... -DOUTPUT=... -DHEADERS="a|b|..." -P compare_table.cmake
#
# Generates the syscall table from the installed kernel headers and compares it with the
# committed one, so that a kernel that declares its syscalls otherwise is seen, not silently
# ignored. Exits 77 (skipped) when no kernel headers are installed.
if(NOT HEADERS)
  message("no kernel headers are installed (Debian: linux-headers-amd64): nothing to compare")
  cmake_language(EXIT 77)
endif()
string(REPLACE "|" ";" headers "${HEADERS}")
execute_process(COMMAND ${GENERATOR} ${OUTPUT} ${headers} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the generator failed on the installed kernel headers (${status})")
endif()
execute_process(COMMAND diff -u ${COMMITTED} ${OUTPUT} RESULT_VARIABLE differs
                OUTPUT_VARIABLE difference)
if(NOT differs EQUAL 0)
  message(FATAL_ERROR
    "the committed syscall table differs from what the installed kernel headers declare:\n"
    "${difference}\n"
    "If the headers are right, run `cmake --build BUILD --target regenerate-syscall-table`, "
    "review the diff and commit it.")
endif()
message(STATUS "the committed syscall table matches the installed kernel headers")
