#include "promise.hpp"

#include <cstdio>
#include <cstdlib>

namespace inject::fuzz {
namespace {

// The length of the UTF-8 sequence at the front of `text`, or 0 when it is not well formed
// (RFC 3629) or encodes a C1 control. Written apart from the product's escaper, which it
// checks.
std::size_t sequence_length(std::string_view text) {
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = at(0);
    std::size_t length = lead < 0xc2 ? 0 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;
    if (length == 0 || text.size() < length) {
        return 0;
    }
    std::uint32_t code = lead & (0x7f >> length);
    for (std::size_t i = 1; i < length; ++i) {
        if ((at(i) & 0xc0) != 0x80) {
            return 0;
        }
        code = (code << 6) | (at(i) & 0x3f);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    const bool valid = code >= smallest[length] && code <= 0x10ffff &&
                       !(code >= 0xd800 && code <= 0xdfff) && !(code >= 0x80 && code <= 0x9f);
    return valid ? length : 0;
}

bool starts_with_number(std::string_view& rest) {
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
        ++digits;
    }
    const bool positive = digits > 0 && rest[0] != '0';
    rest.remove_prefix(digits);
    return positive;
}

}  // namespace

void broken(std::string_view promise, std::string_view message) {
    std::fprintf(stderr, "fuzz: broken promise: %.*s\nmessage (%zu bytes): %.*s\n",
                 static_cast<int>(promise.size()), promise.data(), message.size(),
                 static_cast<int>(message.size()), message.data());
    std::abort();
}

void expect_one_line(std::string_view message) {
    if (message.empty()) {
        broken("a refusal says what is wrong", message);
    }
    for (std::size_t at = 0; at < message.size();) {
        const auto byte = static_cast<unsigned char>(message[at]);
        if (byte >= 0x20 && byte < 0x7f) {
            ++at;
            continue;
        }
        if (byte < 0x80) {
            broken(byte == '\n' ? "a message is one line" : "no control character in a message",
                   message);
        }
        const std::size_t length = sequence_length(message.substr(at));
        if (length == 0) {
            broken("a message is UTF-8 without C1 controls", message);
        }
        at += length;
    }
}

void expect_located(std::string_view message, std::string_view file) {
    expect_one_line(message);
    std::string_view rest = message;
    if (!rest.starts_with(file) || rest.substr(file.size(), 1) != ":") {
        broken("a message starts with its file", message);
    }
    rest.remove_prefix(file.size() + 1);
    const bool line = starts_with_number(rest) && rest.starts_with(":");
    rest.remove_prefix(line ? 1 : 0);
    const bool column = line && starts_with_number(rest) && rest.starts_with(": ");
    if (!column || rest.size() <= 2) {
        broken("a message has FILE:LINE:COL: and a reason", message);
    }
}

void expect_prefixed(std::string_view message, std::string_view prefix) {
    expect_one_line(message);
    if (!message.starts_with(prefix) || message.size() <= prefix.size()) {
        broken("a message starts with where the mistake is", message);
    }
}

}  // namespace inject::fuzz
