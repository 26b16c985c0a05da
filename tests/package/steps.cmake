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
