// The path filter: the glob checker (a refusal is one line), the matcher on a checked glob
// and the path normaliser. Input: GLOB '\n' BASE '\n' PATH. The matcher and the normaliser
// are what the engine runs at every filtered call, so they must also be fast on anything
// (libFuzzer's -timeout catches a blow-up).
#include <fnmatch.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/glob.hpp"
#include "engine/paths.hpp"
#include "promise.hpp"

namespace {

std::string_view take_line(std::string_view& rest) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    return line;
}

// absolute_path's promise: absolute, no "." or ".." or empty component, no trailing '/', and
// normalising it again changes nothing.
void expect_normalised(const std::string& path) {
    const bool absolute = path.starts_with('/');
    const bool clean = path.find("//") == std::string::npos &&
                       path.find("/./") == std::string::npos &&
                       path.find("/../") == std::string::npos && !path.ends_with("/.") &&
                       !path.ends_with("/..") && (path == "/" || !path.ends_with('/'));
    if (!absolute || !clean || inject::engine::absolute_path("/", path) != path) {
        inject::fuzz::broken("a path is absolute and normalised", path);
    }
}

std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> parts;
    while (!path.empty()) {
        const std::size_t slash = path.find('/');
        if (slash != 0) {
            parts.emplace_back(path.substr(0, slash));
        }
        path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    }
    return parts;
}

// The matcher's meaning, as a table over (glob component, path component): what the
// engine's walk must agree with. Written apart from it, which it checks.
bool reference_match(const std::string& glob, const std::string& path) {
    const std::vector<std::string> g = split(glob);
    const std::vector<std::string> p = split(path);
    // matched[i][j]: the glob's components from i match the path's from j.
    std::vector<std::vector<char>> matched(g.size() + 1, std::vector<char>(p.size() + 1, 0));
    matched[g.size()][p.size()] = 1;
    for (std::size_t i = g.size(); i-- > 0;) {
        for (std::size_t j = p.size() + 1; j-- > 0;) {
            if (g[i] == "**") {
                matched[i][j] = matched[i + 1][j] || (j < p.size() && matched[i][j + 1]);
            } else {
                matched[i][j] = j < p.size() && matched[i + 1][j + 1] &&
                                ::fnmatch(g[i].c_str(), p[j].c_str(), FNM_PATHNAME) == 0;
            }
        }
    }
    return matched[0][0] != 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest = inject::fuzz::as_text(data, size);
    const std::string glob(take_line(rest));
    const std::string_view base_text = take_line(rest);
    const std::string base =
        inject::engine::absolute_path("/", base_text.starts_with('/') ? base_text : "/");
    const std::string path = inject::engine::absolute_path(base, rest);
    expect_normalised(base);
    expect_normalised(path);
    try {
        inject::glob::check_path_glob(glob);
        if (inject::glob::PathGlob(glob).matches(path) != reference_match(glob, path)) {
            inject::fuzz::broken("the matcher agrees with the meaning of the glob",
                                 glob + " against " + path);
        }
    } catch (const std::invalid_argument& error) {
        inject::fuzz::expect_one_line(error.what());
    }
    try {
        inject::glob::check_name_glob(glob);
        (void)inject::glob::matches_name(glob, std::string(rest));
    } catch (const std::invalid_argument& error) {
        inject::fuzz::expect_one_line(error.what());
    }
    return 0;
}
