// TOML++'s implementation, compiled once, here: the layer is built with TOML_HEADER_ONLY=0,
// so the reader (toml_scenario.cpp), the file that changes, sees only the declarations.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
