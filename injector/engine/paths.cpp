#include "engine/paths.hpp"

#include <vector>

namespace inject::engine {

namespace {

// Pushes the components of `path` onto `components`, resolving "." and ".." as it goes.
void push_components(std::vector<std::string_view>& components, std::string_view path) {
    while (!path.empty()) {
        const std::size_t slash = path.find('/');
        const std::string_view component = path.substr(0, slash);
        if (component == "..") {
            if (!components.empty()) {
                components.pop_back();  // above the root, ".." is the root itself
            }
        } else if (!component.empty() && component != ".") {
            components.push_back(component);
        }
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
}

}  // namespace

std::string absolute_path(std::string_view base, std::string_view path) {
    std::vector<std::string_view> components;
    if (!path.starts_with('/')) {
        push_components(components, base);
    }
    push_components(components, path);
    if (components.empty()) {
        return "/";
    }
    std::string result;
    result.reserve(base.size() + path.size() + 1);
    for (const std::string_view component : components) {
        result.push_back('/');
        result.append(component);
    }
    return result;
}

}  // namespace inject::engine
