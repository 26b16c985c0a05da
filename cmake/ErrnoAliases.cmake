include_guard(GLOBAL)

# errno aliases (EWOULDBLOCK for EAGAIN, ENOTSUP for EOPNOTSUPP, ...) exist only as macros in
# the C library's headers: strerrorname_np names each number once. strace 6.1 refuses them, but
# C programs write them, so inject takes them, reading them from <errno.h> at configure time
# instead of a hand list.
function(inject_generate_errno_aliases output)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/errno_probe.c "#include <errno.h>\n")
  execute_process(
    COMMAND ${CMAKE_C_COMPILER} -dM -E ${CMAKE_CURRENT_BINARY_DIR}/errno_probe.c
    OUTPUT_VARIABLE macros
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "could not preprocess <errno.h> with ${CMAKE_C_COMPILER}")
  endif()
  string(REGEX MATCHALL "#define E[A-Z0-9_]+ E[A-Z0-9_]+\n" aliases "${macros}")
  set(content "// Generated from <errno.h> by cmake/ErrnoAliases.cmake: {alias, name}.\n")
  foreach(line IN LISTS aliases)
    string(REGEX REPLACE "#define (E[A-Z0-9_]+) (E[A-Z0-9_]+)\n" "{\"\\1\", \"\\2\"},\n" entry "${line}")
    string(APPEND content "${entry}")
  endforeach()
  file(CONFIGURE OUTPUT ${output} CONTENT "${content}" @ONLY)
endfunction()
