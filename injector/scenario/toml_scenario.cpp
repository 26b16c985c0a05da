// TOML scenario files -> rules. Every message points at the node it is about, as
// FILE:LINE:COL, so that an editor can jump there.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "inject/scenario.hpp"
#include "scenario/expect_keys.hpp"
#include "scenario/fault_keys.hpp"
#include "scenario/toml_guard.hpp"
#include "syscalls/text.hpp"
#include "trace/unique_fd.hpp"

namespace inject {
namespace {

using detail::ExpectKey;
using detail::quoted;

std::string position(std::string_view source, const toml::source_position& at) {
    // A file may be named anything, a newline or an ESC included: the location stays one line.
    return text::one_line(source) + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

// Reads a TOML document for one source, turning every check's bare message into a located
// ScenarioError.
class Reader {
  public:
    explicit Reader(std::string_view source) : source_(source) {}

    [[noreturn]] void fail(const toml::source_region& at, const std::string& message) const {
        throw ScenarioError(position(source_, at.begin) + ": " + message);
    }

    // Runs one check; its std::invalid_argument becomes an error at `at`.
    template <typename Check>
    auto at(const toml::source_region& where, Check&& check) const {
        try {
            return std::forward<Check>(check)();
        } catch (const std::invalid_argument& e) {
            fail(where, e.what());
        }
    }

    [[noreturn]] void wrong_type(std::string_view key, std::string_view expected,
                                 const toml::node& node) const {
        fail(node.source(), quoted(key) + " must be " + std::string(expected) + ", not " +
                                with_article(node.type()));
    }

    // The value of a key that takes one type only, or the one-line message that it is not
    // `expected`.
    const std::string& string_of(std::string_view key, const toml::node& node,
                                 std::string_view expected = "a string") const {
        const auto* text = node.as_string();
        if (text == nullptr) {
            wrong_type(key, expected, node);
        }
        return text->get();
    }
    std::int64_t integer_of(std::string_view key, const toml::node& node) const {
        const auto* number = node.as_integer();
        if (number == nullptr) {
            wrong_type(key, "an integer", node);
        }
        return number->get();
    }

    Scenario read(const toml::table& top) const;

  private:
    static std::string with_article(toml::node_type type) {
        std::ostringstream name;
        name << type;
        const std::string text = name.str();
        const bool vowel =
            !text.empty() && std::string_view("aeiou").find(text[0]) != std::string_view::npos;
        return (vowel ? "an " : "a ") + text;
    }

    Rule read_fault(const toml::table& fault) const;
    detail::KeyValue value_of(const detail::FaultKey& key, const toml::node& node) const;
    void apply(detail::FaultBuilder& builder, const detail::FaultKey& key, const toml::key& name,
               const toml::node& node, const detail::KeyValue& value) const;
    std::optional<Expectations> read_expect(const toml::table& expect) const;

    std::string_view source_;
};

// toml++ keeps tables sorted by key; users expect the first mistake in the file to be the
// one reported, so walk the entries in the order they were written.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(
    const toml::table& table) {
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (auto&& [key, node] : table) {
        entries.emplace_back(&key, &node);
    }
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const toml::source_position& pa = a.first->source().begin;
        const toml::source_position& pb = b.first->source().begin;
        return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
    });
    return entries;
}

Scenario Reader::read(const toml::table& top) const {
    static const std::vector<std::string> kTopKeys{"description", "seed", "fault", "expect"};
    Scenario scenario;
    scenario.source = std::string(source_);
    for (const auto& [key, node] : in_file_order(top)) {
        const std::string_view name = key->str();
        if (name == "description") {
            scenario.description = string_of(name, *node);
        } else if (name == "seed") {
            const std::int64_t number = integer_of(name, *node);
            if (number < 0) {
                fail(node->source(),
                     "\"seed\" must not be negative, got " + std::to_string(number));
            }
            scenario.seed = static_cast<std::uint64_t>(number);
        } else if (name == "fault") {
            if (node->is_table()) {
                fail(node->source(),
                     "\"fault\" must be an array of tables (did you mean [[fault]]?)");
            }
            const auto* faults = node->as_array();
            if (faults == nullptr) {
                wrong_type(name, "an array of tables", *node);
            }
            for (const toml::node& element : *faults) {
                const auto* fault = element.as_table();
                if (fault == nullptr) {
                    wrong_type(name, "an array of tables", element);
                }
                scenario.rules.push_back(read_fault(*fault));
            }
        } else if (name == "expect") {
            if (node->is_array()) {
                fail(node->source(), "\"expect\" must be a table (did you mean [expect]?)");
            }
            const auto* expect = node->as_table();
            if (expect == nullptr) {
                wrong_type(name, "a table", *node);
            }
            scenario.expect = read_expect(*expect);
        } else {
            fail(key->source(), detail::unknown_key_message(name, kTopKeys));
        }
    }
    return scenario;
}

// A value of one of the key's kinds, as the table's functions take it; refused with its type
// otherwise.
detail::KeyValue Reader::value_of(const detail::FaultKey& key, const toml::node& node) const {
    if (const auto* text = node.as_string(); text && (key.kinds & detail::kText) != 0) {
        return std::string_view(text->get());
    }
    if (const auto* number = node.as_integer(); number && (key.kinds & detail::kInteger) != 0) {
        return number->get();
    }
    if (const auto* real = node.as_floating_point(); real && (key.kinds & detail::kFloat) != 0) {
        return real->get();
    }
    if (const auto* flag = node.as_boolean(); flag && (key.kinds & detail::kBool) != 0) {
        return flag->get();
    }
    wrong_type(key.name, detail::expected_kinds(key), node);
}

// Applies one value, with its mistakes located: a conflict between keys where the key is
// written, anything else where the value is.
void Reader::apply(detail::FaultBuilder& builder, const detail::FaultKey& key,
                   const toml::key& name, const toml::node& node,
                   const detail::KeyValue& value) const {
    try {
        key.apply(builder, name.str(), value);
    } catch (const detail::KeyConflict& e) {
        fail(name.source(), e.what());
    } catch (const std::invalid_argument& e) {
        fail(node.source(), e.what());
    }
}

Rule Reader::read_fault(const toml::table& fault) const {
    detail::FaultBuilder builder(detail::Syntax::toml);
    // The set's elements with where they were written, for checks that need the whole fault.
    std::vector<std::pair<std::string, toml::source_region>> named;
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    for (const auto& key_and_node : in_file_order(fault)) {
        const toml::key* key = key_and_node.first;
        const toml::node* node = key_and_node.second;
        const detail::FaultKey& which = *at(
            key->source(), [&] { return &detail::fault_key(key->str(), detail::Syntax::toml); });
        // Only the set takes a list (kTextList).
        const bool is_set = (which.kinds & detail::kTextList) != 0;
        const auto* list = node->as_array();
        if (list == nullptr || !is_set) {
            apply(builder, which, *key, *node, value_of(which, *node));
            const auto* text = node->as_string();
            if (is_set && text != nullptr && text->get().find_first_of("!,") == std::string::npos) {
                named.emplace_back(text->get(), node->source());
            }
            continue;
        }
        if (list->empty()) {
            fail(node->source(), std::string(detail::kNoSyscallGiven));
        }
        for (const toml::node& element : *list) {
            const auto* text = element.as_string();
            if (text == nullptr) {
                // Pointing at the element tells which one; the message says what the whole wants.
                fail(element.source(),
                     quoted(which.name) + " must be " + detail::expected_kinds(which) +
                         ", not an array holding " + with_article(element.type()));
            }
            apply(builder, which, *key, element, detail::ListElement{text->get()});
            named.emplace_back(text->get(), element.source());
        }
    }
    if (builder.shortens()) {
        // Before build(), which checks the same, so that the message points at the name.
        // Not a structured binding: clang 14 cannot capture one in a lambda.
        for (const auto& name_and_place : named) {
            at(name_and_place.second, [&] { detail::check_byte_count(name_and_place.first); });
        }
    }
    const toml::source_region& table_at = fault.source();
    return at(table_at,
              [&] { return std::move(builder).build(position(source_, table_at.begin)); });
}

std::optional<Expectations> Reader::read_expect(const toml::table& expect) const {
    // An empty table states nothing, so it must not turn the run into a test that passes.
    if (expect.empty()) {
        return std::nullopt;
    }
    Expectations expectations;
    for (const auto& [key, node] : in_file_order(expect)) {
        const std::string_view name = key->str();
        const ExpectKey which = at(key->source(), [&] { return detail::expect_key(name); });
        const toml::source_region& where = node->source();
        switch (which) {
            case ExpectKey::exit_code: {
                const std::int64_t number = integer_of(name, *node);
                expectations.exit_code =
                    at(where, [&] { return detail::checked_exit_code(number); });
                break;
            }
            case ExpectKey::signal:
                if (const auto* text = node->as_string()) {
                    expectations.signal =
                        at(where, [&] { return detail::checked_signal(text->get()); });
                } else if (const auto* number = node->as_integer()) {
                    expectations.signal =
                        at(where, [&] { return detail::checked_signal(number->get()); });
                } else {
                    wrong_type(name, "a string or an integer", *node);
                }
                break;
            case ExpectKey::stdout_text:
            case ExpectKey::stderr_text: {
                const std::string& text = string_of(name, *node);
                TextExpectation wanted =
                    at(where, [&] { return detail::checked_text(name, text); });
                (which == ExpectKey::stdout_text ? expectations.stdout_text
                                                 : expectations.stderr_text) = std::move(wanted);
                break;
            }
            case ExpectKey::injected: {
                const std::int64_t number = integer_of(name, *node);
                expectations.injected = at(where, [&] { return detail::checked_injected(number); });
                break;
            }
            case ExpectKey::timeout: {
                const std::string& text = string_of(name, *node, "a string such as \"10s\"");
                expectations.timeout = at(where, [&] { return detail::checked_timeout(text); });
                break;
            }
        }
    }
    return expectations;
}

// libseccomp, fnmatch and the kernel read a string up to its first NUL, so a value holding
// one would be checked whole and then used cut short ("/tmp/x\u0000y" filtering /tmp/x): no
// key or string may hold one. Checked over the whole document before it is read, in file
// order within each table.
void refuse_nul_bytes(const Reader& reader, std::string_view key, const toml::node& node) {
    constexpr std::string_view kNul = " holds a NUL byte (\\u0000), where the value would end";
    if (const auto* text = node.as_string(); text && text->get().find('\0') != std::string::npos) {
        reader.fail(node.source(), quoted(key) + std::string(kNul));
    }
    if (const auto* table = node.as_table()) {
        for (const auto& [name, value] : in_file_order(*table)) {
            if (name->str().find('\0') != std::string_view::npos) {
                reader.fail(name->source(), "key " + quoted(name->str()) + std::string(kNul));
            }
            refuse_nul_bytes(reader, name->str(), *value);
        }
    } else if (const auto* array = node.as_array()) {
        for (const toml::node& element : *array) {
            refuse_nul_bytes(reader, key, element);
        }
    }
}

// A scenario is text a person wrote: this is far more than any, and bounds what a mistaken
// `-s /dev/zero` (or a huge file) can make inject read.
constexpr std::size_t kMaxScenarioBytes = std::size_t{16} << 20;

[[noreturn]] void cannot_read(const std::string& name, std::string_view why) {
    throw ScenarioError(text::one_line(name) + ": cannot read scenario: " + std::string(why));
}

// Regular files, and pipes (`-s <(generate)`); a device, a socket or a directory is refused
// before it is read, so that neither /dev/zero nor a terminal can hold inject.
void check_file_type(const std::string& name, mode_t mode) {
    if (S_ISDIR(mode)) {
        cannot_read(name, std::strerror(EISDIR));
    }
    if (!S_ISREG(mode) && !S_ISFIFO(mode)) {
        cannot_read(name, "not a regular file (a device or a socket)");
    }
}

std::string read_bounded(const std::string& name, int fd) {
    std::string text;
    char buffer[8192];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got == 0) {
            return text;
        }
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            cannot_read(name, std::strerror(errno));
        }
        if (text.size() + static_cast<std::size_t>(got) > kMaxScenarioBytes) {
            cannot_read(name, "larger than 16 MiB, too large for a scenario");
        }
        text.append(buffer, static_cast<std::size_t>(got));
    }
}

}  // namespace

Scenario parse_scenario(std::string_view toml_text, std::string_view source_name) {
    if (const auto fault = detail::find_toml_text_fault(toml_text)) {
        throw ScenarioError(text::one_line(source_name) + ":" + std::to_string(fault->line) + ":" +
                            std::to_string(fault->column) + ": " + fault->message);
    }
    toml::table top;
    try {
        top = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        // toml++ quotes the text it stopped at, which may be a newline or an ESC.
        throw ScenarioError(position(source_name, e.source().begin) + ": " +
                            text::one_line(e.description()));
    }
    const Reader reader(source_name);
    refuse_nul_bytes(reader, "", top);
    return reader.read(top);
}

Scenario load_scenario_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    struct stat status {};
    if (::stat(name.c_str(), &status) != 0) {
        cannot_read(name, std::strerror(errno));
    }
    check_file_type(name, status.st_mode);
    const trace::UniqueFd file(::open(name.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) {
        cannot_read(name, std::strerror(errno));
    }
    return parse_scenario(read_bounded(name, file.get()), name);
}

}  // namespace inject
