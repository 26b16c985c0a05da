// A light lexer over a scenario's text before TOML++ reads it (toml_guard.hpp says why). It
// knows TOML's strings, comments, table headers and where a value ends, and nothing else:
// everything it does not refuse is left to TOML++, which words the usual mistakes itself.
#include "scenario/toml_guard.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "syscalls/text.hpp"

namespace inject::detail {
namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_bare_key_character(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
}

// Where TOML++'s read-ahead of a number or a date stops: its whitespace is the blanks and
// '\n' to '\r', the vertical tab and the form feed included.
bool is_value_end(char c) {
    return is_blank(c) || (c >= '\n' && c <= '\r') || c == ']' || c == '}' || c == ',' || c == '#';
}

bool is_ascii(char c) {
    return static_cast<unsigned char>(c) < 0x80;
}

// The character (one UTF-8 sequence, or one byte that is not) at `offset`.
std::string_view character_at(std::string_view text, std::size_t offset) {
    std::uint32_t code_point = 0;
    const std::size_t length = text::utf8_sequence(text.substr(offset), code_point);
    return text.substr(offset, std::max<std::size_t>(length, 1));
}

TomlTextFault fault_at(std::string_view text, std::size_t offset, std::string message) {
    const std::size_t newline = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
    std::size_t at = newline == std::string_view::npos ? 0 : newline + 1;
    std::size_t column = 1;
    while (at < offset) {
        at += character_at(text, at).size();
        ++column;
    }
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
    return {line, column, std::move(message)};
}

TomlTextFault nul_at(std::string_view text, std::size_t offset) {
    return fault_at(text, offset, "a NUL byte, which a TOML file cannot hold");
}

TomlTextFault non_ascii_at(std::string_view text, std::size_t offset) {
    return fault_at(text, offset,
                    text::quoted(character_at(text, offset)) +
                        " outside quotes, where TOML allows only ASCII (a key that holds it "
                        "is written in quotes: \"café\" = ...)");
}

class Scan {
  public:
    explicit Scan(std::string_view text) : text_(text) {}

    std::optional<TomlTextFault> run() {
        while (!fault_ && at_ < text_.size()) {
            step();
        }
        return std::move(fault_);
    }

  private:
    void step() {
        const char c = text_[at_];
        if (c == '\0') {
            fault_ = nul_at(text_, at_);
        } else if (!is_ascii(c)) {
            fault_ = non_ascii_at(text_, at_);
        } else if (c == '#') {
            in_number_ = false;
            skip_comment();
        } else if ((c == '"' || c == '\'') && !in_number_) {
            skip_string(c);
            line_start_ = false;
            last_ = c;
        } else if (c == '\n') {
            in_value_ = in_value_ && !open_.empty();
            line_start_ = !in_value_;
            in_number_ = false;
            ++at_;
        } else if (is_blank(c) || c == '\r') {
            // A date's space followed by a digit is read ahead as its time: the value goes on.
            in_number_ = in_number_ && c == ' ' && goes_on_with_a_time();
            if (in_number_) {
                number_ += c;
            }
            ++at_;
        } else {
            track_number(c);
            punctuation(c);
            line_start_ = false;
            last_ = c;
            ++at_;
        }
    }

    // A value that starts with a digit or a sign: TOML++ reads ahead through it to the next
    // blank, ']', '}', ',' or '#' to tell a number from a date, testing each character for
    // whitespace, quotes included (which make it invalid anyway): "1'é'" is outside quotes.
    void track_number(char c) {
        if (is_value_end(c)) {
            in_number_ = false;
        } else if (!in_number_ && (is_digit(c) || c == '+' || c == '-') &&
                   (last_ == '=' || last_ == '[' || last_ == ',')) {
            in_number_ = true;
            number_.clear();
        }
        if (in_number_ && (c == 'T' || c == 't')) {
            check_time_after_t();
        }
        if (in_number_ && c != '_') {
            number_ += c;  // as TOML++ keeps it: without the underscores
        }
    }

    // A date and 'T' (or 't') must go on with a time's first digit: TOML++ asserts it is one
    // ("2222-12-11t:5").
    void check_time_after_t() {
        const std::size_t next = at_ + 1;
        if (!is_date(number_) || next >= text_.size() || is_digit(text_[next])) {
            return;
        }
        fault_ = fault_at(text_, next,
                          "expected a time (HH:MM:SS) after the date and its " +
                              text::quoted(text_.substr(at_, 1)) + ", saw " +
                              text::quoted(character_at(text_, next)));
    }

    // YYYY-MM-DD, digits checked: TOML++ has parsed the date before it asserts on the time.
    static bool is_date(std::string_view text) {
        if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
            return false;
        }
        return std::all_of(text.begin(), text.end(),
                           [](char c) { return is_digit(c) || c == '-'; });
    }

    // A date (ten characters, '-' at the fifth and the eighth) and a space may go on with a
    // time, which TOML++ reads ahead for when a digit follows: through that digit and on to
    // the value's end, quotes included ("1'h-*^-*5 1\"é"). One digit and then the value's
    // end fails its assertion ("1979-05-27 1").
    bool goes_on_with_a_time() {
        // TOML++'s own test here: the shape only, not is_date's digits (it reads ahead before it
        // parses, and "1\"'(-*^-*b 1" takes the same path).
        const bool date =
            number_.size() == 10 && is_digit(number_[0]) && number_[4] == '-' && number_[7] == '-';
        const std::size_t digit = at_ + 1;
        if (!date || digit >= text_.size() || !is_digit(text_[digit])) {
            return false;
        }
        if (digit + 1 < text_.size() && is_value_end(text_[digit + 1])) {
            fault_ = fault_at(text_, digit,
                              "expected a time (HH:MM:SS) after the date and its space, saw " +
                                  text::quoted(text_.substr(digit, 1)));
        }
        return true;
    }

    void punctuation(char c) {
        if (c == '[' && line_start_) {
            check_table_name(at_ + 1);
        } else if (c == '=' && !in_value_) {
            in_value_ = true;
        } else if (in_value_ && (c == '[' || c == '{')) {
            open_.push_back(c);
        } else if (in_value_ && (c == ']' || c == '}') && !open_.empty()) {
            check_array_element(c);
            open_.pop_back();
        }
    }

    // TOML++ reads a value where an array's element starts without checking that one can:
    // "[}" and "[1, }" fail its assertion.
    void check_array_element(char c) {
        if (c == '}' && open_.back() == '[' && (last_ == '[' || last_ == ',')) {
            fault_ = fault_at(text_, at_, "expected a value or ']' in the array, saw \"}\"");
        }
    }

    std::size_t skip_blanks(std::size_t from) const {
        while (from < text_.size() && is_blank(text_[from])) {
            ++from;
        }
        return from;
    }

    // "[name]" or "[[name]]": TOML++ reads a key after the brackets without checking that one
    // starts there. What follows them is checked by the main loop in turn.
    void check_table_name(std::size_t after_bracket) {
        std::size_t name = skip_blanks(after_bracket);
        if (name < text_.size() && text_[name] == '[') {
            if (name != after_bracket) {
                return;  // "[ [": TOML++ says the brackets must touch
            }
            name = skip_blanks(name + 1);
        }
        if (name == text_.size()) {
            return;
        }
        const char c = text_[name];
        if (c == '\0' || !is_ascii(c) || is_bare_key_character(c) || c == '"' || c == '\'' ||
            c == ']') {
            return;
        }
        fault_ =
            fault_at(text_, name,
                     "expected a table name after '[', saw " + text::quoted(text_.substr(name, 1)));
    }

    void skip_comment() {
        while (at_ < text_.size() && text_[at_] != '\n') {
            if (text_[at_] == '\0') {
                fault_ = nul_at(text_, at_);
                return;
            }
            ++at_;
        }
    }

    // From the opening quote to past the closing one; an unterminated one-line string stops at
    // its newline, which TOML++ reports. Inside, only a NUL is refused.
    void skip_string(char quote) {
        const bool multi_line = text_.substr(at_, 3) == std::string(3, quote);
        const bool escapes = quote == '"';
        at_ += multi_line ? 3 : 1;
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '\0') {
                fault_ = nul_at(text_, at_);
                return;
            }
            if (c == '\n' && !multi_line) {
                return;
            }
            if (c == '\\' && escapes) {
                if (multi_line && after_line_ending_backslash()) {
                    return;
                }
                at_ += 2;
                continue;
            }
            if (c == quote) {
                if (step_over_quotes(quote, multi_line)) {
                    return;
                }
                continue;
            }
            ++at_;
        }
    }

    // TOML++ 3.3 tests the first character after a backslash in a multi-line string, and
    // after the blanks and line breaks that follow one, for non-ASCII whitespace, which is
    // undefined for U+00A1..U+0499: a non-ASCII character there is refused, with the escape
    // that says the same (after line breaks, valid TOML that this reader cannot read).
    bool after_line_ending_backslash() {
        std::size_t next = at_ + 1;
        while (next < text_.size() &&
               (is_blank(text_[next]) || text_[next] == '\r' || text_[next] == '\n')) {
            ++next;
        }
        if (next == text_.size() || is_ascii(text_[next])) {
            return false;
        }
        std::uint32_t code_point = 0;
        const std::string_view character = character_at(text_, next);
        std::string message = text::quoted(character) +
                              " after a backslash in a multi-line string, where this TOML "
                              "reader (TOML++ 3.3) cannot read it";
        if (text::utf8_sequence(character, code_point) != 0) {
            char escape[16];
            std::snprintf(escape, sizeof escape, code_point > 0xFFFF ? "\\U%08X" : "\\u%04X",
                          code_point);
            message += std::string(" (write it as ") + escape + ")";
        }
        fault_ = fault_at(text_, next, std::move(message));
        return true;
    }

    // Steps over the quotes at at_ in a string; true when they closed it. A multi-line
    // string ends at three of them, of which up to two more may be content.
    bool step_over_quotes(char quote, bool multi_line) {
        if (!multi_line) {
            ++at_;
            return true;
        }
        std::size_t run = 0;
        while (at_ + run < text_.size() && text_[at_ + run] == quote) {
            ++run;
        }
        const bool closes = run >= 3;
        at_ += closes ? std::min<std::size_t>(run, 5) : run;
        return closes;
    }

    std::string_view text_;
    std::size_t at_ = 0;
    bool line_start_ = true;  // nothing but blanks before, on a line outside any value
    bool in_value_ = false;   // after a key's '=', until the line ends outside brackets
    std::string open_;        // the brackets and braces open in the value, innermost last
    bool in_number_ = false;  // in a value that starts with a digit or a sign
    std::string number_;      // that value so far
    // The last character outside strings, blanks, line breaks and comments.
    char last_ = '\n';
    std::optional<TomlTextFault> fault_;
};

}  // namespace

std::optional<TomlTextFault> find_toml_text_fault(std::string_view text) {
    return Scan(text).run();
}

}  // namespace inject::detail
