#include "syscalls/text.hpp"

#include <cstdio>

#include "inject/names.hpp"

namespace inject::text {
namespace {

bool is_continuation(unsigned char byte) {
    return (byte & 0xc0) == 0x80;
}

// The length of the well-formed UTF-8 sequence at the front of `text` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when it does not start with one.
std::size_t utf8_length(std::string_view text) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char low = 0x80;  // the range the second byte must be in
    unsigned char high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        low = lead == 0xe0 ? 0xa0 : 0x80;
        high = lead == 0xed ? 0x9f : 0xbf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        low = lead == 0xf0 ? 0x90 : 0x80;
        high = lead == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < low || byte(1) > high) {
        return 0;
    }
    for (std::size_t at = 2; at < length; ++at) {
        if (!is_continuation(byte(at))) {
            return 0;
        }
    }
    return length;
}

// U+0080..U+009F, encoded as 0xc2 0x80..0x9f.
bool is_c1_control(std::string_view sequence) {
    return sequence.size() == 2 && static_cast<unsigned char>(sequence[0]) == 0xc2 &&
           static_cast<unsigned char>(sequence[1]) <= 0x9f;
}

void append_hex(std::string& out, unsigned char byte) {
    char hex[5];
    std::snprintf(hex, sizeof hex, "\\x%02x", byte);
    out += hex;
}

// Appends the control character or the non-ASCII sequence at the front of `rest`, escaped as
// needed, and returns how many bytes it took. Printable ASCII is the caller's.
std::size_t append_unprintable(std::string& out, std::string_view rest) {
    const auto byte = static_cast<unsigned char>(rest[0]);
    switch (byte) {
        case '\n':
            out += "\\n";
            return 1;
        case '\t':
            out += "\\t";
            return 1;
        case '\r':
            out += "\\r";
            return 1;
        default:
            break;
    }
    if (byte < 0x80) {  // the other C0 controls and DEL
        append_hex(out, byte);
        return 1;
    }
    const std::size_t length = utf8_length(rest);
    const std::string_view sequence = rest.substr(0, length);
    if (length == 0 || is_c1_control(sequence)) {
        append_hex(out, byte);
        return 1;
    }
    out += sequence;
    return length;
}

bool is_printable_ascii(char c) {
    return c >= ' ' && c < 0x7f;
}

}  // namespace

std::string escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t at = 0; at < text.size();) {
        const char c = text[at];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
            ++at;
        } else if (is_printable_ascii(c)) {
            out += c;
            ++at;
        } else {
            at += append_unprintable(out, text.substr(at));
        }
    }
    return out;
}

std::string quoted(std::string_view text) {
    return "\"" + escaped(text) + "\"";
}

std::string one_line(std::string_view message) {
    std::string out;
    out.reserve(message.size());
    for (std::size_t at = 0; at < message.size();) {
        if (is_printable_ascii(message[at])) {
            out += message[at];
            ++at;
        } else {
            at += append_unprintable(out, message.substr(at));
        }
    }
    return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    if (auto nearest = nearest_word(word, candidates)) {
        return " (did you mean " + quoted(*nearest) + "?)";
    }
    return "";
}

}  // namespace inject::text
