// TOML++'s implementation, compiled once, here: the layer is built with TOML_HEADER_ONLY=0,
// so the reader (toml_scenario.cpp), the file that changes, sees only the declarations.
#define TOML_IMPLEMENTATION
// TOML++ 3.3 asserts, in a build without NDEBUG, on a key holding a NUL byte where a release
// build reports a parse error: the same error, so that every build refuses such a file alike.
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>
