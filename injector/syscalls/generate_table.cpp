// The generator of the committed syscall table (syscall_table.inc, read by catalogue.cpp):
// reads the kernel's own declarations of its syscalls and writes, for each syscall number of
// x86_64 and i386, what each argument is. Run by the regenerate-syscall-table target and by
// the test that compares the committed table with the installed headers, as
//   generate_table OUTPUT SYSCALLS_64.h SYSCALLS_32.h DECLARATIONS.h...
// SYSCALLS_NN.h are the kernel's generated tables (`__SYSCALL(0, sys_read)`), mapping numbers
// to entry points; DECLARATIONS.h are headers with prototypes (include/linux/syscalls.h, whose
// `/* fs/read_write.c */` comments also say where each syscall lives, and
// include/linux/socket.h, whose __sys_* prototypes name the socket calls' parameters that
// syscalls.h leaves unnamed).
//
// Parameter kinds come from the prototypes' types and names (a `const char __user *filename`
// is a path, an `unsigned int fd` a descriptor, a `char __user *buf` followed by a `size_t` an
// output buffer and its length); the few rules that need a name are commented where they are.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Parameter {
    std::string type;  // without __user and the name
    std::string name;  // empty when the prototype gives none
    bool pointer = false;
    int pointer_depth = 0;  // 2 for execve's `const char *const *argv`
    bool is_const = false;
};

struct Prototype {
    std::vector<Parameter> parameters;
    std::string source;  // the section comment above it in syscalls.h
};

struct ArgumentOut {
    std::string kind = "integer";
    int length_arg = -1;
    std::string name;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "generate_table: cannot read " << path << "\n";
        std::exit(1);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\n");
    return text.substr(first, last - first + 1);
}

bool is_identifier(const std::string& word) {
    return !word.empty() && (std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_');
}

Parameter parse_parameter(const std::string& text) {
    static const std::set<std::string> kBuiltinWords = {"int",      "long",   "short", "char",
                                                        "unsigned", "signed", "void"};
    Parameter parameter;
    std::string spaced;
    for (char c : text) {
        if (c == '*') {
            spaced += " * ";
        } else {
            spaced += c;
        }
    }
    std::istringstream words(spaced);
    std::vector<std::string> tokens;
    for (std::string word; words >> word;) {
        if (word == "__user") {
            continue;
        }
        if (word == "const") {
            parameter.is_const = true;
            continue;
        }
        tokens.push_back(word);
    }
    std::size_t last_star = std::string::npos;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] == "*") {
            last_star = i;
            ++parameter.pointer_depth;
        }
    }
    std::size_t type_end = tokens.size();
    if (last_star != std::string::npos) {
        parameter.pointer = true;
        if (last_star + 1 < tokens.size()) {
            parameter.name = tokens.back();
            type_end = tokens.size() - 1;
        }
    } else if (tokens.size() >= 2 && is_identifier(tokens.back()) &&
               !kBuiltinWords.contains(tokens.back())) {
        parameter.name = tokens.back();
        type_end = tokens.size() - 1;
    }
    for (std::size_t i = 0; i < type_end; ++i) {
        if (tokens[i] != "*") {
            parameter.type += (parameter.type.empty() ? "" : " ") + tokens[i];
        }
    }
    return parameter;
}

// Prototypes by function name, in the order the headers give them; the first declaration of a
// name wins (syscalls.h declares sys_clone once per CONFIG_CLONE_BACKWARDS* variant, and they
// differ only in the order of integer arguments).
std::map<std::string, Prototype> parse_declarations(const std::vector<std::string>& paths) {
    std::map<std::string, Prototype> prototypes;
    static const std::regex kSection(R"(^/\*\s*(.*?)\s*\*/\s*$)");
    static const std::regex kPrototype(
        R"((?:asmlinkage\s+long|extern\s+(?:int|long)|^long)\s+(\w+)\s*\(([^;{]*?)\)\s*;)");
    for (const std::string& path : paths) {
        // Section comments sit on lines of their own; other comments are dropped so that the
        // prototypes' text is plain.
        std::istringstream lines(read_file(path));
        std::string section;
        std::string pending;  // a prototype spread over several lines
        bool in_comment = false;
        for (std::string line; std::getline(lines, line);) {
            std::smatch match;
            if (!in_comment && std::regex_match(line, match, kSection)) {
                section = match[1];
                continue;
            }
            // A blank line ends a section: after "mm/, CONFIG_MMU only" the header goes on
            // with calls from everywhere (accept4, wait4) under no comment.
            if (!in_comment && pending.empty() && trim(line).empty()) {
                section.clear();
                continue;
            }
            std::string code;
            for (std::size_t i = 0; i < line.size(); ++i) {
                if (in_comment) {
                    if (line.compare(i, 2, "*/") == 0) {
                        in_comment = false;
                        ++i;
                    }
                } else if (line.compare(i, 2, "/*") == 0) {
                    in_comment = true;
                    ++i;
                } else if (line.compare(i, 2, "//") == 0) {
                    break;
                } else {
                    code += line[i];
                }
            }
            if (code.starts_with("#")) {
                continue;
            }
            pending += " " + code;
            if (pending.find(';') == std::string::npos && pending.find('{') == std::string::npos) {
                continue;
            }
            const std::string statement = trim(pending);
            pending.clear();
            if (!std::regex_search(statement, match, kPrototype)) {
                continue;
            }
            const std::string name = match[1];
            if (prototypes.contains(name)) {
                continue;
            }
            Prototype prototype;
            prototype.source = section;
            std::istringstream list(match[2].str());
            for (std::string item; std::getline(list, item, ',');) {
                item = trim(item);
                if (item.empty() || item == "void") {
                    continue;
                }
                prototype.parameters.push_back(parse_parameter(item));
            }
            prototypes.emplace(name, std::move(prototype));
        }
    }
    return prototypes;
}

// {number, entry point} from a generated syscalls_NN.h.
std::vector<std::pair<long, std::string>> parse_table(const std::string& path) {
    static const std::regex kEntry(R"(__SYSCALL(?:_WITH_COMPAT)?\((\d+),\s*(\w+))");
    std::vector<std::pair<long, std::string>> entries;
    const std::string text = read_file(path);
    for (std::sregex_iterator it(text.begin(), text.end(), kEntry), end; it != end; ++it) {
        entries.emplace_back(std::stol((*it)[1]), (*it)[2]);
    }
    return entries;
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

bool names_a_length(const Parameter& parameter) {
    static const std::set<std::string> kLengthNames = {
        "count", "len", "size", "bufsiz", "nbytes", "length", "buf_len", "vlen", "nr_segs"};
    return !parameter.pointer &&
           (kLengthNames.contains(parameter.name) || parameter.type == "size_t");
}

bool names_a_path(const std::string& name) {
    static const std::set<std::string> kPathNames = {
        "filename", "pathname", "path",        "oldname", "newname", "old",
        "new",      "dir_name", "specialfile", "special", "library"};
    return kPathNames.contains(name);
}

// Whether a non-pointer argument is 64 bits wide, which takes two argument slots on i386.
bool is_64_bit(const Parameter& parameter) {
    static const std::set<std::string> kWide = {
        "loff_t", "u64", "__u64", "s64", "__s64", "long long", "unsigned long long"};
    return !parameter.pointer && kWide.contains(parameter.type);
}

// copy_file_range, sendfile, splice and tee move bytes from one descriptor to another with no
// buffer in between: their size_t count is what a short transfer cuts.
void mark_bytes_between_descriptors(std::vector<ArgumentOut>& out,
                                    const std::vector<Parameter>& params) {
    const auto kind_is = [&](const char* kind) {
        return std::count_if(out.begin(), out.end(),
                             [&](const ArgumentOut& arg) { return arg.kind == kind; });
    };
    if (kind_is("fd") < 2 || kind_is("length") > 0) {
        return;
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (out[i].kind == "integer" && params[i].type == "size_t" && names_a_length(params[i])) {
            out[i].kind = "transfer_length";
            return;
        }
    }
}

std::vector<ArgumentOut> classify(const std::string& entry, const std::vector<Parameter>& params,
                                  bool i386) {
    std::vector<ArgumentOut> out(params.size());
    bool link_target_seen = false;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Parameter& p = params[i];
        ArgumentOut& arg = out[i];
        arg.name = p.name;
        if (arg.kind == "length") {
            continue;  // set by the buffer before it
        }
        const bool char_pointer = p.pointer_depth == 1 && contains(p.type, "char");
        const bool byte_pointer = char_pointer || (p.pointer && p.type == "void");
        const bool length_follows = i + 1 < params.size() && names_a_length(params[i + 1]);
        // symlink's first string is the link's contents, not a file the call touches.
        const bool link_target = char_pointer && contains(entry, "symlink") && !link_target_seen;
        link_target_seen = link_target_seen || link_target;
        // A lone `name` is the file of umount, acct, mq_open; after a path it is an attribute
        // name (setxattr), and with a length it is sethostname's bytes.
        const bool lone_name = p.name == "name" && i == 0 && !length_follows;
        if (char_pointer && !link_target && (names_a_path(p.name) || lone_name)) {
            arg.kind = "path";
        } else if (byte_pointer && length_follows) {
            // The kernel declares the bytes of sendto and sethostname without const.
            const bool sends = p.is_const || contains(entry, "send") || contains(entry, "write") ||
                               entry.starts_with("sys_set");
            arg.kind = sends ? "buffer_in" : "buffer_out";
            arg.length_arg = static_cast<int>(i + 1);
            out[i + 1].kind = "length";
        } else if (p.pointer && contains(p.type, "iovec") && length_follows) {
            // The kernel declares readv's and writev's arrays alike (const struct iovec *): the
            // direction is in what the call does.
            const bool fills = contains(entry, "read") || contains(entry, "recv");
            arg.kind = fills ? "iovec_out" : "iovec_in";
            arg.length_arg = static_cast<int>(i + 1);
            out[i + 1].kind = "length";
        } else if (char_pointer && p.is_const) {
            arg.kind = "string";  // a non-const char * without a length is memory, not text
        } else if (p.pointer) {
            arg.kind = "pointer";
        } else if (p.name == "dirfd" || ends_with(p.name, "dfd")) {
            arg.kind = "dirfd";
        } else if (ends_with(p.name, "fd") || p.name.starts_with("fd_") || p.name == "fdin" ||
                   p.name == "fdout" || p.name == "fildes") {
            arg.kind = "fd";  // tee names its two fdin and fdout
        } else if ((p.name == "flags" || p.name == "oflag") && contains(entry, "open") && i > 0 &&
                   out[i - 1].kind == "path") {
            arg.kind = "open_flags";
        }
    }
    mark_bytes_between_descriptors(out, params);
    if (!i386) {
        return out;
    }
    // On i386 a 64-bit argument takes two registers: later arguments move up by one, and
    // buffers' length indexes with them.
    std::vector<ArgumentOut> slots;
    std::vector<int> slot_of(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        slot_of[i] = static_cast<int>(slots.size());
        slots.push_back(out[i]);
        if (is_64_bit(params[i])) {
            ArgumentOut high = out[i];
            high.name += "_high";
            slots.push_back(high);
        }
    }
    for (ArgumentOut& arg : slots) {
        if (arg.length_arg >= 0) {
            arg.length_arg = slot_of[static_cast<std::size_t>(arg.length_arg)];
        }
    }
    return slots;
}

// The prototype of an entry point the headers do not declare under its own name.
std::optional<Prototype> find_prototype(const std::map<std::string, Prototype>& prototypes,
                                        const std::string& entry) {
    std::vector<std::string> candidates{entry};
    // syscalls.h leaves the socket calls' parameters unnamed; socket.h's __sys_* name them.
    candidates.push_back("__sys_" + entry.substr(4));
    // i386 wrappers that only reassemble 64-bit arguments (sys_ia32_pread64).
    if (entry.starts_with("sys_ia32_")) {
        candidates.push_back("sys_" + entry.substr(9));
    }
    // x86_64's mmap takes a byte offset where mmap_pgoff takes pages; the arguments are the same.
    if (entry == "sys_mmap") {
        candidates.push_back("sys_mmap_pgoff");
    }
    const Prototype* found = nullptr;
    for (const std::string& name : candidates) {
        const auto it = prototypes.find(name);
        if (it == prototypes.end()) {
            continue;
        }
        if (found == nullptr) {
            found = &it->second;
            continue;
        }
        // Take names from a later candidate only when the first one has none.
        const bool unnamed = std::all_of(found->parameters.begin(), found->parameters.end(),
                                         [](const Parameter& p) { return p.name.empty(); });
        if (unnamed && it->second.parameters.size() == found->parameters.size()) {
            Prototype named = it->second;
            named.source = found->source;
            return named;
        }
    }
    if (found == nullptr) {
        return std::nullopt;
    }
    return *found;
}

// The macro a kind is written with in the table ("buffer_out" -> "BUFFER_OUT").
std::string macro_of(const std::string& kind) {
    std::string macro = kind;
    std::transform(macro.begin(), macro.end(), macro.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return macro;
}

// One line per syscall: `SYSCALL(abi, number, entry, "source", ARG(name), ...)`, each argument
// its kind's macro with its parameter name and, for a buffer, the index of its length; an entry
// point without a prototype is `UNDECLARED(abi, number, entry)`.
void write_table(std::ostream& out, const char* abi,
                 const std::vector<std::pair<long, std::string>>& table,
                 const std::map<std::string, Prototype>& prototypes, bool i386) {
    for (const auto& [number, entry] : table) {
        const std::optional<Prototype> prototype = find_prototype(prototypes, entry);
        if (!prototype) {
            out << "UNDECLARED(" << abi << ", " << number << ", " << entry << ")\n";
            continue;
        }
        std::string source = prototype->source;
        if (source.empty() && prototypes.contains("__sys_" + entry.substr(4))) {
            source = "net/socket.c";  // socket.h declares the socket calls' implementations
        }
        std::vector<ArgumentOut> args = classify(entry, prototype->parameters, i386);
        if (args.size() > 6) {
            args.resize(6);
        }
        out << "SYSCALL(" << abi << ", " << number << ", " << entry << ", \"" << source << "\"";
        for (const ArgumentOut& arg : args) {
            out << ", " << macro_of(arg.kind) << '(' << arg.name;
            if (arg.length_arg >= 0) {
                out << ", " << arg.length_arg;
            }
            out << ')';
        }
        out << ")\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: generate_table OUTPUT SYSCALLS_64.h SYSCALLS_32.h DECL.h...\n";
        return 2;
    }
    const std::vector<std::string> declarations(argv + 4, argv + argc);
    const auto prototypes = parse_declarations(declarations);
    const auto table64 = parse_table(argv[2]);
    const auto table32 = parse_table(argv[3]);
    if (prototypes.size() < 300 || table64.size() < 300 || table32.size() < 300) {
        std::cerr << "generate_table: the kernel headers look incomplete (" << prototypes.size()
                  << " prototypes, " << table64.size() << " x86_64 and " << table32.size()
                  << " i386 syscalls)\n";
        return 1;
    }
    std::ofstream out(argv[1]);
    out << "// What each syscall's arguments are, for x86_64 and i386: generated from the kernel\n"
        << "// headers by injector/syscalls/generate_table.cpp (`cmake --build BUILD --target\n"
        << "// regenerate-syscall-table`), committed and reviewed like code. Do not edit by hand:\n"
        << "// change the generator's rules and regenerate. The test\n"
        << "// syscalls.TableMatchesTheKernelHeaders says when the installed headers differ.\n"
        << "//\n"
        << "// SYSCALL(abi, number, kernel entry point, \"source file\", arguments...)\n"
        << "// BUFFER_IN(name, N) and the like name the argument N that holds the buffer's "
           "length.\n";
    write_table(out, "x86_64", table64, prototypes, false);
    write_table(out, "i386", table32, prototypes, true);
    return out ? 0 : 1;
}
