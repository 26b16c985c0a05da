include_guard(GLOBAL)

# Warnings for the project's own targets only; third-party headers come in as SYSTEM.
function(inject_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor)
  if(INJECT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
