#pragma once
// Loading a parameter file of either format into the merged-tree form, with
// `config_file` includes resolved.
//
// Format: ASDF/YAML when the file starts with "#ASDF" or "%YAML" or is named
// *.asdf / *.yaml / *.yml; configobj when named *.cfg / *.ini; otherwise YAML is
// tried first and configobj used when the text is not a step_config document
// (stpipe tries ASDF first, then configobj).
//
// Includes: a `config_file` key in any step section (the top level or
// steps.<alias>, at any depth) names another parameter file, relative to the
// directory of the file that mentions it. The included tree is the base and the
// values written beside `config_file` win over it (stpipe precedence 4).
// Include cycles are errors.

#include "orrery/stpipe/asdf_reader.hpp"
#include "orrery/stpipe/cfg_reader.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

namespace orrery::stpipe {

enum class ParamFileFormat { asdf, cfg };

namespace detail {
inline std::string lower_ext(const std::filesystem::path& p) {
    std::string e = p.extension().string();
    for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return e;
}
inline bool starts_with_directive(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    return text.compare(i, 5, "#ASDF") == 0 || text.compare(i, 5, "%YAML") == 0 || text.compare(i, 3, "---") == 0;
}
}  // namespace detail

/// The format a file is read as (see the header comment).
inline ParamFileFormat detect_format(const std::filesystem::path& path, const std::string& text) {
    const auto ext = detail::lower_ext(path);
    if (detail::starts_with_directive(text) || ext == ".asdf" || ext == ".yaml" || ext == ".yml") return ParamFileFormat::asdf;
    if (ext == ".cfg" || ext == ".ini") return ParamFileFormat::cfg;
    try {
        if (is_step_config(YAML::Load(detail::yaml_part(text)))) return ParamFileFormat::asdf;
    } catch (const YAML::Exception&) {
    }
    return ParamFileFormat::cfg;
}

/// Read one file without resolving its includes.
inline ParamNode read_parameter_file_raw(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw ConfigError("parameter file " + path.string() + ": no such file");
    const std::string text = read_text_file(path);
    if (detect_format(path, text) == ParamFileFormat::asdf) return read_asdf_text(text, path.string());
    return read_cfg_text(text, path.string());
}

namespace detail {
inline ParamNode load_with_includes(const std::filesystem::path& path, std::vector<std::filesystem::path>& stack);

inline void resolve_includes(ParamNode& node, const std::filesystem::path& dir, std::vector<std::filesystem::path>& stack) {
    if (!node.is_map()) return;
    if (auto* steps = node.find("steps"); steps && steps->is_map()) {
        // children first, relative to this same file
        ParamNode resolved = ParamNode::map(steps->source());
        for (const auto& [alias, sub] : steps->children()) {
            ParamNode copy = sub;
            resolve_includes(copy, dir, stack);
            resolved.set(alias, std::move(copy));
        }
        *steps = std::move(resolved);
    }
    const ParamNode* cf = node.find("config_file");
    if (!cf) return;
    if (cf->is_null() || (cf->is_scalar() && (cf->text().empty() || cf->text() == "None"))) {
        node.erase("config_file");
        return;
    }
    if (!cf->is_scalar()) throw ParameterError("config_file", cf->source(), "expected a file name");
    std::filesystem::path inc(cf->text());
    if (inc.is_relative()) inc = dir / inc;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(inc, ec))
        throw ParameterError("config_file", cf->source(), "the included file " + inc.string() + " does not exist");
    ParamNode base = load_with_includes(inc, stack);
    ParamNode inline_values = node;
    inline_values.erase("config_file");
    base.merge(inline_values);
    node = std::move(base);
}

inline ParamNode load_with_includes(const std::filesystem::path& path, std::vector<std::filesystem::path>& stack) {
    std::error_code ec;
    auto key = std::filesystem::weakly_canonical(path, ec);
    if (ec) key = std::filesystem::absolute(path);
    if (std::find(stack.begin(), stack.end(), key) != stack.end()) {
        std::string chain;
        for (const auto& p : stack) chain += p.filename().string() + " -> ";
        throw ConfigError("parameter file " + path.string() + ": config_file include cycle (" + chain + key.filename().string() + ")");
    }
    stack.push_back(key);
    ParamNode tree = read_parameter_file_raw(path);
    resolve_includes(tree, path.parent_path(), stack);
    stack.pop_back();
    return tree;
}
}  // namespace detail

/// Load a parameter file (ASDF or cfg) with its config_file includes resolved.
inline ParamNode load_parameter_file(const std::filesystem::path& path) {
    std::vector<std::filesystem::path> stack;
    return detail::load_with_includes(path, stack);
}

}  // namespace orrery::stpipe
