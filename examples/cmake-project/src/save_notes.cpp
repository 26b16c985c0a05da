// save_notes FILE WORD...: saves the words, one line, as FILE (see notes::save). On an error
// it says why, e.g. "save_notes: cannot save notes.txt: No space left on device", and exits 1
// with FILE as it was.

#include <cstdio>
#include <string>

#include "notes.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: save_notes FILE WORD...\n");
        return 2;
    }
    std::string text;
    for (int i = 2; i < argc; ++i) {
        text.append(argv[i]).push_back(i + 1 < argc ? ' ' : '\n');
    }
    if (const std::error_code error = notes::save(argv[1], text)) {
        std::fprintf(stderr, "save_notes: cannot save %s: %s\n", argv[1], error.message().c_str());
        return 1;
    }
    return 0;
}
