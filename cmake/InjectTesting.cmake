# inject_add_test(): fault-injection tests for CTest. Installed with the inject package and
# included by find_package(inject), which defines the inject::cli target this runs.
include_guard(GLOBAL)

# inject_add_test(NAME <name> [SCENARIO <file.toml>...] [SPECS <spec>...]
#                 [TIMEOUT <duration>] COMMAND <program> [<arg>...]
#                 [INJECT_ARGS <option>...] [WORKING_DIRECTORY <dir>])
#
# Registers a CTest test that runs
#   inject --scenario <file.toml>... --inject <spec>... [--timeout <duration>] [<option>...]
#          -- <program> [<arg>...]
# It passes when inject exits 0. With an [expect] table in a scenario that means every
# expectation held (each scenario's `injected` counts the faults of its own rules); without
# one it is just the program's own exit status, so give each scenario an [expect] table (with
# `injected`: a fault that never fired proves nothing). SPECS are faults in inject's -e syntax
# (write:error=EIO), one argument each; TIMEOUT is a duration as inject reads it (10s, 2m).
# At least one SCENARIO or SPECS is needed.
#
# inject_add_test(NAME <name> EXPLORE [SCENARIO <file.toml>...] [SPECS <spec>...]
#                 [FIXTURE <dir>] [AFTER <cmd>] [JOBS <n>] COMMAND <program> [<arg>...])
#
# With EXPLORE the test runs an exploration instead:
#   inject --explore [--scenario ...] [--inject ...] [--fixture <dir>] [--after <cmd>] [-j <n>]
#          [<option>...] -- <program> [<arg>...]
# which passes when the program survived every failure point (SCENARIO and SPECS are the
# templates; without any, inject's default profile). FIXTURE is relative to the calling source
# directory.
#
# SCENARIO files are relative to the calling CMakeLists.txt's source directory, and must exist
# when the project is configured (a misspelt name is an error then, not a failing test later);
# WORKING_DIRECTORY is relative to its binary directory (the default working directory, as for
# add_test). <program> may be an executable target of the project: it is replaced by the path
# of its file. The test gets the label "inject" (ctest -L inject runs only these).
function(inject_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "EXPLORE"
                        "NAME;TIMEOUT;WORKING_DIRECTORY;FIXTURE;AFTER;JOBS"
                        "SCENARIO;SPECS;COMMAND;INJECT_ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "inject_add_test: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required IN ITEMS NAME COMMAND)
    if(NOT arg_${required})
      message(FATAL_ERROR "inject_add_test: ${required} is required")
    endif()
  endforeach()
  if(NOT arg_EXPLORE AND NOT arg_SCENARIO AND NOT arg_SPECS)
    message(FATAL_ERROR "inject_add_test(${arg_NAME}): no faults: give SCENARIO or SPECS")
  endif()
  if(NOT arg_EXPLORE)
    foreach(explore_only IN ITEMS FIXTURE AFTER JOBS)
      if(DEFINED arg_${explore_only})
        message(FATAL_ERROR "inject_add_test(${arg_NAME}): ${explore_only} needs EXPLORE")
      endif()
    endforeach()
  endif()
  if("TIMEOUT" IN_LIST arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "inject_add_test(${arg_NAME}): TIMEOUT needs a duration (10s, 2m)")
  endif()
  if(NOT TARGET inject::cli)
    message(FATAL_ERROR "inject_add_test: no target inject::cli (call find_package(inject))")
  endif()

  set(inject_options)
  foreach(file IN LISTS arg_SCENARIO)
    cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE
               OUTPUT_VARIABLE scenario)
    if(NOT EXISTS "${scenario}" OR IS_DIRECTORY "${scenario}")
      message(FATAL_ERROR "inject_add_test(${arg_NAME}): scenario file ${scenario} does not "
                          "exist")
    endif()
    list(APPEND inject_options --scenario "${scenario}")
  endforeach()
  foreach(spec IN LISTS arg_SPECS)
    list(APPEND inject_options --inject "${spec}")
  endforeach()
  if(DEFINED arg_TIMEOUT)
    list(APPEND inject_options --timeout "${arg_TIMEOUT}")
  endif()
  if(arg_EXPLORE)
    list(PREPEND inject_options --explore)
    if(DEFINED arg_FIXTURE)
      cmake_path(ABSOLUTE_PATH arg_FIXTURE BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE
                 OUTPUT_VARIABLE fixture)
      list(APPEND inject_options --fixture "${fixture}")
    endif()
    if(DEFINED arg_AFTER)
      list(APPEND inject_options --after "${arg_AFTER}")
    endif()
    if(DEFINED arg_JOBS)
      list(APPEND inject_options -j "${arg_JOBS}")
    endif()
  endif()
  # add_test() resolves a target name only as the command itself, and here the command is
  # inject: the program, one argument later, is resolved by hand.
  list(POP_FRONT arg_COMMAND program)
  if(TARGET "${program}")
    set(program "$<TARGET_FILE:${program}>")
  endif()
  set(working_directory "${CMAKE_CURRENT_BINARY_DIR}")
  if(DEFINED arg_WORKING_DIRECTORY)
    cmake_path(ABSOLUTE_PATH arg_WORKING_DIRECTORY BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
               NORMALIZE OUTPUT_VARIABLE working_directory)
  endif()

  add_test(NAME "${arg_NAME}"
           WORKING_DIRECTORY "${working_directory}"
           COMMAND "$<TARGET_FILE:inject::cli>" ${inject_options} ${arg_INJECT_ARGS}
                   -- "${program}" ${arg_COMMAND})
  set_property(TEST "${arg_NAME}" APPEND PROPERTY LABELS inject)
endfunction()
