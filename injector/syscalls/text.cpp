#include "syscalls/text.hpp"

#include <array>
#include <cstdio>

#include "inject/names.hpp"

namespace inject::text {
namespace {

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
    std::uint32_t code_point = 0;
    const std::size_t length = utf8_sequence(rest, code_point);
    // The other C0 controls, DEL, the C1 controls, and what is not UTF-8.
    if (length == 0 || code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f)) {
        append_hex(out, byte);
        return 1;
    }
    out += rest.substr(0, length);
    return length;
}

bool is_printable_ascii(char c) {
    return c >= ' ' && c < 0x7f;
}

}  // namespace

std::size_t utf8_sequence(std::string_view text, std::uint32_t& code_point) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    std::uint32_t minimum = 0;
    if (lead < 0x80) {
        code_point = lead;
        return 1;
    }
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        minimum = 0x80;
        code_point = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        minimum = 0x800;
        code_point = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        minimum = 0x10000;
        code_point = lead & 0x07u;
    } else {
        return 0;
    }
    if (text.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80) {
            return 0;
        }
        code_point = (code_point << 6) | (byte(i) & 0x3Fu);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        return 0;
    }
    return length;
}

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

std::string hex(std::uint64_t value) {
    std::array<char, 24> text{};
    std::snprintf(text.data(), text.size(), "0x%llx", static_cast<unsigned long long>(value));
    return text.data();
}

}  // namespace inject::text
