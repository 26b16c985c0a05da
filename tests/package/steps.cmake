# What the package tests' cmake -P scripts share. Every step echoes its command, so a failure
# in the test log says which one.

# step(<what> <command> [<arg>...]): runs the command; stops the test when it fails.
function(step what)
  message(STATUS "${what}")
  execute_process(COMMAND ${ARGN} COMMAND_ECHO STDOUT RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what}: failed (${status})")
  endif()
endfunction()

# require_defined(<script> <var>...): stops unless each -D<var>=... was given.
function(require_defined script)
  foreach(var IN LISTS ARGN)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "${script}: -D${var}=... is required")
    endif()
  endforeach()
endfunction()

# step_fails(<what> <expected> <command> [<arg>...]): runs the command, which must fail and say
# <expected> (a substring of its output, however the lines are wrapped); stops the test
# otherwise.
function(step_fails what expected)
  message(STATUS "${what}")
  execute_process(COMMAND ${ARGN} COMMAND_ECHO STDOUT RESULT_VARIABLE status
                  OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(status EQUAL 0)
    message(FATAL_ERROR "${what}: succeeded, but it must fail:\n${output}")
  endif()
  # CMake wraps the lines of its error messages: compare with all white space as one space.
  string(REGEX REPLACE "[ \t\n]+" " " flat_output "${output}")
  string(REGEX REPLACE "[ \t\n]+" " " flat_expected "${expected}")
  string(FIND "${flat_output}" "${flat_expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: failed without saying \"${expected}\":\n${output}")
  endif()
endfunction()
