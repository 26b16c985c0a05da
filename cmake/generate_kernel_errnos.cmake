# cmake -DINPUT=include/linux/errno.h -DOUTPUT=kernel_errnos.inc [-DCOMMITTED=file] -P this
#
# The kernel's own error codes (ERESTARTSYS 512 ... ), which include/linux/errno.h defines for
# the kernel alone: the C library names none of them, and strace's error= takes them by name.
# Writes them as {"NAME", NUMBER} lines to OUTPUT; with COMMITTED, then compares the two and
# fails on a difference (exit 77, skipped, when INPUT is not given: no kernel headers).
if(NOT INPUT)
  message("no kernel headers are installed (Debian: linux-headers-amd64): nothing to compare")
  cmake_language(EXIT 77)
endif()
file(STRINGS ${INPUT} lines REGEX "^#define[ \t]+E[A-Z_]+[ \t]+[0-9]+")
string(CONCAT content
  "// Generated from the kernel's include/linux/errno.h by cmake/generate_kernel_errnos.cmake\n"
  "// (cmake --build BUILD --target regenerate-kernel-errnos): {name, number}.\n")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^#define[ \t]+(E[A-Z_]+)[ \t]+([0-9]+).*" "{\"\\1\", \\2},\n" entry "${line}")
  string(APPEND content "${entry}")
endforeach()
file(WRITE ${OUTPUT} "${content}")
if(COMMITTED)
  execute_process(COMMAND diff -u ${COMMITTED} ${OUTPUT} RESULT_VARIABLE differs
                  OUTPUT_VARIABLE difference)
  if(NOT differs EQUAL 0)
    message(FATAL_ERROR "the committed kernel errno table differs from ${INPUT}:\n${difference}\n"
                        "If the headers are right, run `cmake --build BUILD --target "
                        "regenerate-kernel-errnos`, review the diff and commit it.")
  endif()
endif()
