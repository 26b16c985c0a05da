#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "inject/exit_status.hpp"
#include "syscalls/text.hpp"

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    // The last resort: cli::main says every mistake itself, but nothing (std::bad_alloc under a
    // memory limit, a library's exception) may end inject without its one line and 125.
    try {
        const std::vector<std::string> arguments(argv + 1, argv + argc);
        const int status = inject::cli::main(arguments, std::cout, std::cerr);
        std::cout.flush();
        std::cerr.flush();
        return status;
    } catch (const std::bad_alloc&) {
        std::cerr << "inject: out of memory" << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "inject: " << inject::text::one_line(error.what()) << std::endl;
    } catch (...) {
        std::cerr << "inject: an unknown exception ended inject" << std::endl;
    }
    return inject::kExitInjectFailed;
}
