// strace's syscall sets, as its qualify_syscall_tokens reads them (basic_filters.c): the SET of
// -e inject=, -e fault= and -e trace=, element by element, resolved per ABI.
#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "inject/names.hpp"
#include "syscalls/bounded_regex.hpp"
#include "syscalls/catalogue.hpp"
#include "syscalls/text.hpp"

namespace inject::catalogue {
namespace {

using text::did_you_mean;
using text::quoted;

[[noreturn]] void fail(std::string message) {
    throw std::invalid_argument(std::move(message));
}

// strace's personalities on x86_64: the two ABIs inject traces, and x32, which it never does.
enum class Personality : std::uint8_t { x86_64, i386, x32 };

constexpr std::array<Personality, 3> kPersonalities{Personality::x86_64, Personality::i386,
                                                    Personality::x32};

std::string_view personality_name(Personality personality) {
    switch (personality) {
        case Personality::x86_64:
            return "x86_64 (@64)";
        case Personality::i386:
            return "i386 (@32)";
        case Personality::x32:
            return "x32 (@x32)";
    }
    return "";
}

std::optional<Abi> abi_of(Personality personality) {
    switch (personality) {
        case Personality::x86_64:
            return Abi::x86_64;
        case Personality::i386:
            return Abi::i386;
        case Personality::x32:
            return std::nullopt;
    }
    return std::nullopt;
}

const std::vector<SyscallEntry>& entries_of(Personality personality) {
    static const std::vector<SyscallEntry> x86_64 = all_syscalls(Abi::x86_64);
    static const std::vector<SyscallEntry> i386 = all_syscalls(Abi::i386);
    static const std::vector<SyscallEntry> x32 = x32_syscalls();
    switch (personality) {
        case Personality::x86_64:
            return x86_64;
        case Personality::i386:
            return i386;
        case Personality::x32:
            return x32;
    }
    return x32;
}

// Whether the personality has a call of that name: a set, since every element of every spec and
// scenario is looked up in it.
bool has_syscall_named(Personality personality, std::string_view name) {
    static const auto names_of = [](Personality of) {
        std::unordered_set<std::string_view> names;
        for (const SyscallEntry& entry : entries_of(of)) {
            names.insert(entry.name);  // the entries are static: the views stay valid
        }
        return names;
    };
    static const std::array<std::unordered_set<std::string_view>, 3> names{
        names_of(Personality::x86_64), names_of(Personality::i386), names_of(Personality::x32)};
    return names.at(static_cast<std::size_t>(personality)).contains(name);
}

// An element taken apart: "?" in front ("no error when absent"), "@64" behind.
struct Element {
    bool optional = false;
    std::optional<Personality> only;
    std::string_view body;
};

Element parse_element(std::string_view text) {
    const std::string_view whole = text;
    Element element;
    while (text.starts_with('?')) {
        element.optional = true;
        text.remove_prefix(1);
    }
    // As strace: the last '@' starts the designator, and a wrong one is a mistake even after '?'.
    if (const std::size_t at = text.rfind('@'); at != std::string_view::npos) {
        const std::string_view designator = text.substr(at + 1);
        if (designator == "64") {
            element.only = Personality::x86_64;
        } else if (designator == "32") {
            element.only = Personality::i386;
        } else if (designator == "x32") {
            element.only = Personality::x32;
        } else {
            fail("unknown personality " + quoted(designator) + " in " + quoted(whole) +
                 did_you_mean(designator, {"64", "32", "x32"}) + ": give @64, @32 or @x32");
        }
        text = text.substr(0, at);
    }
    element.body = text;
    return element;
}

// strace's class names without '%' from before it had the '%': a name no syscall has.
std::optional<std::string_view> class_named(std::string_view body) {
    if (body.starts_with('%')) {
        const std::string_view name = body.substr(1);
        if (name == "network") {
            return "net";
        }
        const auto& names = class_names();
        const auto found = std::find(names.begin(), names.end(), name);
        return found == names.end() ? std::nullopt : std::optional(*found);
    }
    for (const std::string_view legacy : {"desc", "file", "memory", "process", "signal", "ipc"}) {
        if (body == legacy) {
            return legacy;
        }
    }
    return body == "network" ? std::optional<std::string_view>("net") : std::nullopt;
}

bool is_number(std::string_view body) {
    return !body.empty() && body.front() >= '0' && body.front() <= '9';
}

// The number of a numeric element; nullopt when it is not all digits (strace: invalid).
std::optional<long> number_of(std::string_view body) {
    long number = 0;
    const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), number);
    if (ec != std::errc{} || end != body.data() + body.size()) {
        return std::nullopt;
    }
    return number;
}

// POSIX extended syntax, as strace's regcomp(REG_EXTENDED | REG_NOSUB), found anywhere in the
// name; compiled by RE2 in a bounded memory. glibc's regcomp takes memory exponential in a run
// of quantifiers ("write" and 20 '+': 700 MB; 56 of them took 23 GB before the kernel killed
// inject), and no spec may do that. RE2 reads such a run as ERE does ("a++" is "a+"), and
// refuses a pattern it cannot compile within its bound. A pattern that does not compile is a
// mistake even after '?', as in strace.
class Regex {
  public:
    explicit Regex(std::string_view pattern) : regex_(pattern, options()) {
        if (!regex_.ok()) {
            fail("invalid regex " + quoted(pattern) + ": " + text::one_line(regex_.error()));
        }
    }

    bool matches(const std::string& name) const { return RE2::PartialMatch(name, regex_); }

  private:
    static RE2::Options options() {
        RE2::Options options = text::bounded_regex_options();
        options.set_posix_syntax(true);
        return options;
    }

    RE2 regex_;
};

// The names of the calls the element's body stands for on one personality. Classes are
// known only for the ABIs inject traces.
std::vector<std::string> members(std::string_view body, Personality personality) {
    const std::vector<SyscallEntry>& entries = entries_of(personality);
    std::vector<std::string> names;
    if (is_number(body)) {
        const auto number = number_of(body);
        for (const SyscallEntry& entry : entries) {
            if (number && entry.number == *number) {
                names.push_back(entry.name);
            }
        }
    } else if (body.starts_with('/')) {
        const Regex regex(body.substr(1));
        for (const SyscallEntry& entry : entries) {
            if (regex.matches(entry.name)) {
                names.push_back(entry.name);
            }
        }
    } else if (body == "all") {
        for (const SyscallEntry& entry : entries) {
            names.push_back(entry.name);
        }
    } else if (const auto class_name = class_named(body)) {
        if (const auto abi = abi_of(personality)) {
            names = class_members(*class_name, *abi).value_or(std::vector<std::string>{});
        }
    } else if (has_syscall_named(personality, body)) {
        names.emplace_back(body);
    }
    return names;
}

// Every name either ABI knows, x86_64's first, so that ties in "did you mean" favour them.
const std::vector<std::string>& all_syscall_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        std::unordered_set<std::string> seen;
        for (Abi abi : kAllAbis) {
            for (SyscallEntry& entry : all_syscalls(abi)) {
                if (seen.insert(entry.name).second) {
                    v.push_back(std::move(entry.name));
                }
            }
        }
        return v;
    }();
    return names;
}

// Why an element that stands for nothing is a mistake, by what it looks like.
[[noreturn]] void stands_for_nothing(std::string_view whole, const Element& element) {
    const std::string_view body = element.body;
    const std::string where =
        element.only ? " on " + std::string(personality_name(*element.only)) : "";
    if (body.empty()) {
        fail(whole.empty() ? std::string("no syscall given")
                           : "no syscall named in " + quoted(whole));
    }
    if (is_number(body)) {
        if (!number_of(body)) {
            fail("invalid syscall number " + quoted(body) + ": expected digits only");
        }
        fail("no syscall has number " + std::string(body) + where);
    }
    if (body.starts_with('/')) {
        fail("regex " + quoted(body.substr(1)) + " matches no syscall" + where);
    }
    if (body.starts_with('%')) {
        std::vector<std::string> classes;
        for (std::string_view known : class_names()) {
            classes.push_back("%" + std::string(known));
        }
        fail("unknown syscall class " + quoted(body) + did_you_mean(body, classes));
    }
    if (class_named("%" + std::string(body))) {
        // strace's older names without the '%' are a few; the others need it.
        fail("unknown syscall " + quoted(body) + " (did you mean " +
             quoted("%" + std::string(body)) + "?)");
    }
    if (element.only && is_known_syscall(body)) {
        fail(quoted(body) + " is not a syscall of " + std::string(personality_name(*element.only)));
    }
    fail("unknown syscall " + quoted(body) + did_you_mean(body, all_syscall_names()));
}

}  // namespace

std::string_view element_body(std::string_view element) {
    return parse_element(element).body;
}

std::vector<std::string> syscalls_named(std::string_view element, Abi abi) {
    const Element parsed = parse_element(element);
    const Personality personality = abi == Abi::x86_64 ? Personality::x86_64 : Personality::i386;
    if (parsed.only && *parsed.only != personality) {
        return {};
    }
    return members(parsed.body, personality);
}

std::vector<std::string> syscalls_named(const SyscallNames& names, Abi abi) {
    std::vector<std::string> named;
    if (names.elements != std::vector<std::string>{"none"}) {
        for (const std::string& element : names.elements) {
            const std::vector<std::string> more = syscalls_named(element, abi);
            named.insert(named.end(), more.begin(), more.end());
        }
    }
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    if (!names.negated) {
        return named;
    }
    std::vector<std::string> others;
    for (const SyscallEntry& entry :
         entries_of(abi == Abi::x86_64 ? Personality::x86_64 : Personality::i386)) {
        if (!std::binary_search(named.begin(), named.end(), entry.name)) {
            others.push_back(entry.name);
        }
    }
    std::sort(others.begin(), others.end());
    others.erase(std::unique(others.begin(), others.end()), others.end());
    return others;
}

SyscallSet syscall_numbers(const SyscallNames& names) {
    SyscallSet numbers;
    for (const Abi abi : kAllAbis) {
        for (const std::string& name : syscalls_named(names, abi)) {
            if (const auto number = syscall_number(abi, name)) {
                numbers.insert(abi, *number);
            }
        }
    }
    return numbers;
}

void check_element(std::string_view element) {
    // No syscall, class or sensible regex holds them, and a rule must read back from its spec
    // (the replay line, --check), whose names are split at ',' and whose keys at ':'. Only a
    // scenario's array element, or its string's ':', can bring them here.
    if (const std::size_t at = element.find_first_of(",:"); at != std::string_view::npos) {
        fail("syscall name " + quoted(element) + " holds " + quoted(element.substr(at, 1)) +
             ", which no syscall name has and a spec splits at");
    }
    const Element parsed = parse_element(element);
    if (parsed.body.starts_with('/')) {
        const Regex refused_when_bad(parsed.body.substr(1));  // even after '?'
    }
    if (class_named(parsed.body)) {
        return;  // a class is one whatever its members on an ABI
    }
    for (const Personality personality : kPersonalities) {
        if ((!parsed.only || *parsed.only == personality) &&
            !members(parsed.body, personality).empty()) {
            return;
        }
    }
    if (!parsed.optional) {
        stands_for_nothing(element, parsed);
    }
}

void check_set(const SyscallNames& names) {
    if (names.elements.empty()) {
        fail("no syscall given");
    }
    for (const std::string& element : names.elements) {
        if (element == "none" && names.elements.size() > 1) {
            fail("\"none\" stands for no syscall: it cannot be listed with others");
        }
        if (element != "none") {
            check_element(element);
        }
    }
}

}  // namespace inject::catalogue
