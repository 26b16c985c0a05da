#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    const int status = inject::cli::main(arguments, std::cout, std::cerr);
    std::cout.flush();
    std::cerr.flush();
    return status;
}
