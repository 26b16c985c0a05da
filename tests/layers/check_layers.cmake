# cmake -DCOMPILER=... -DLAYERS="syscalls|arch|..." -DSOURCE_DIR=... -DWORK_DIR=...
#       -DINCLUDES_<dir>="a|b|..." -P check_layers.cmake
#
# For every layer, bottom up: a file that includes one of its own headers compiles with the
# layer's include directories, and a file that includes a header of any layer above it does
# not ("No such file"). A layer whose build could reach the layers above it would thus fail
# here, whatever its own code includes today.
string(REPLACE "|" ";" layers "${LAYERS}")
file(MAKE_DIRECTORY ${WORK_DIR})
set(failures "")

function(first_header dir result)
  file(GLOB headers RELATIVE ${SOURCE_DIR}/injector ${SOURCE_DIR}/injector/${dir}/*.hpp)
  list(SORT headers)
  list(GET headers 0 header)
  set(${result} ${header} PARENT_SCOPE)
endfunction()

function(try_include layer header result output)
  string(REPLACE "|" ";" includes "${INCLUDES_${layer}}")
  set(flags "")
  foreach(dir IN LISTS includes)
    list(APPEND flags "-I${dir}")
  endforeach()
  string(MAKE_C_IDENTIFIER "${layer}_${header}" name)
  set(source ${WORK_DIR}/${name}.cpp)
  file(WRITE ${source} "#include \"${header}\"\n")
  execute_process(COMMAND ${COMPILER} -std=c++20 -fsyntax-only ${flags} ${source}
                  RESULT_VARIABLE status ERROR_VARIABLE errors OUTPUT_QUIET)
  set(${result} ${status} PARENT_SCOPE)
  set(${output} "${errors}" PARENT_SCOPE)
endfunction()

set(above ${layers})
foreach(layer IN LISTS layers)
  list(REMOVE_AT above 0)
  first_header(${layer} own)
  try_include(${layer} ${own} status errors)
  if(NOT status EQUAL 0)
    string(APPEND failures "${layer}: its own ${own} does not compile with its include "
                           "directories:\n${errors}\n")
  endif()
  foreach(upper IN LISTS above)
    first_header(${upper} header)
    try_include(${layer} ${header} status errors)
    if(status EQUAL 0)
      string(APPEND failures "${layer}: an include of ${header}, a layer above, compiles\n")
    elseif(NOT errors MATCHES "No such file")
      string(APPEND failures "${layer}: including ${header} failed otherwise than by not "
                             "finding it:\n${errors}\n")
    endif()
  endforeach()
endforeach()

if(failures)
  message(FATAL_ERROR "${failures}")
endif()
message(STATUS "every layer compiles its own headers and none can include a layer above it")
