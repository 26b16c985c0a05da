// careless_copy SRC DST: copy_file with a bug planted on purpose, for scripts/demo and the
// README. It writes each 4 KiB chunk with one write(2) and takes any result but -1 for the
// whole chunk. write() may legally write less than it was asked (a nearly full disk, a
// signal, a pipe): the rest of that chunk is then lost, the copy is shorter than the original,
// and the program still exits 0. Under
//   inject -e 'write:short=1000:when=2:path=**/DST' -- careless_copy SRC DST
// the second chunk loses 3096 bytes; copy_file, which writes the rest (write_all), does not.

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: careless_copy SRC DST\n");
        return 2;
    }
    const int src = ::open(argv[1], O_RDONLY | O_CLOEXEC);
    if (src < 0) {
        std::perror(argv[1]);
        return 1;
    }
    const int dst = ::open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (dst < 0) {
        std::perror(argv[2]);
        return 1;
    }
    std::array<char, 4096> buf{};
    for (;;) {
        const ssize_t got = ::read(src, buf.data(), buf.size());
        if (got == 0) {
            break;
        }
        if (got < 0) {
            std::perror(argv[1]);
            return 1;
        }
        // The planted bug: the count write() returns is never compared with `got`.
        if (::write(dst, buf.data(), static_cast<std::size_t>(got)) < 0) {
            std::perror(argv[2]);
            return 1;
        }
    }
    if (::close(dst) != 0) {
        std::perror(argv[2]);
        return 1;
    }
    ::close(src);
    return 0;
}
