include_guard(GLOBAL)
include(InjectWarnings)

# inject_layer(TARGET DIR SOURCES...): a static library for the layer in injector/DIR.
#
# Its headers are included as "DIR/header.hpp". Every layer gets an include root of its own in
# the build tree, holding one link, DIR -> injector/DIR, and exports it: a layer linking the
# ones below it (target_link_libraries(... PUBLIC lower)) sees their roots and its own, never a
# root of a layer above it, so `#include "engine/engine.hpp"` in trace/ fails to compile.
function(inject_layer target dir)
  add_library(${target} STATIC ${ARGN})
  set(root ${PROJECT_BINARY_DIR}/layers/${dir})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${dir})
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/${dir} ${root}/${dir} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${root} ${PROJECT_SOURCE_DIR}/include)
  set_property(TARGET ${target} PROPERTY INJECT_LAYER_DIR ${dir})
  set_property(GLOBAL APPEND PROPERTY INJECT_LAYERS ${target})
  inject_set_warnings(${target})
endfunction()
