#pragma once
// Reading ASDF `step_config` parameter files (stpipe's preferred format) with
// yaml-cpp. Both layouts stpipe accepts:
//
//   step_config-1.0.0                      legacy 0.1.0 (CRDS pars-* files)
//   class: jwst.pipeline.Detector1Pipeline parameters:
//   name: calwebb_detector1                  class: jwst.jump.JumpStep
//   parameters: {save_calibrated_ramp: ..}   name: jump
//   steps:                                   rejection_threshold: 5.0
//   - class: jwst.jump.JumpStep              steps: {alias: {param: value}}
//     name: jump
//     parameters: {rejection_threshold: 5.0}
//
// `steps` may be a list of {class, name, parameters, steps} entries or a map
// alias -> entry (or alias -> plain parameter map). YAML values map onto
// ParamNode as: null -> null node; booleans (YAML 1.1: true/false/yes/no/on/off)
// -> "True"/"False"; numbers -> their text; quoted or tagged strings -> quoted
// scalars; sequences -> lists. Every node's source is "file:line" (1-based) so
// a bad value is reported where it was written. `config_file` includes are
// resolved by param_file.hpp, not here.

#include "orrery/stpipe/step_config.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/param_value.hpp"
#include "orrery/core/registry.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace orrery::stpipe {

namespace detail {

inline std::string yaml_source(const std::string& file, const YAML::Mark& mark) {
    return mark.line >= 0 ? file + ":" + std::to_string(mark.line + 1) : file;
}

/// YAML 1.1 core booleans, as PyYAML (and so ASDF) resolves them.
inline int yaml11_bool(std::string_view s) {
    static constexpr std::string_view yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static constexpr std::string_view no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    for (auto y : yes)
        if (s == y) return 1;
    for (auto n : no)
        if (s == n) return 0;
    return -1;
}

/// A YAML 1.1 float as PyYAML resolves it: digits with a '.', optional signed exponent.
inline bool yaml11_float(std::string_view s) {
    std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    std::size_t digits = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i, ++digits;
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i, ++digits;
    if (digits == 0) return false;
    if (i == s.size()) return true;
    if (s[i] != 'e' && s[i] != 'E') return false;
    if (++i >= s.size() || (s[i] != '-' && s[i] != '+')) return false;
    if (++i >= s.size()) return false;
    for (; i < s.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
}

/// Canonical text of a plain (untagged, unquoted) YAML scalar: booleans as
/// True/False, floats in orrery's shortest round-trip form ("1.0e-05" -> "1e-05").
inline std::string canonical_plain(const std::string& text) {
    if (int b = yaml11_bool(text); b >= 0) return b ? "True" : "False";
    if (text == ".nan" || text == ".NaN" || text == ".NAN") return "nan";
    if (text == ".inf" || text == ".Inf" || text == ".INF" || text == "+.inf" || text == "+.Inf" || text == "+.INF") return "inf";
    if (text == "-.inf" || text == "-.Inf" || text == "-.INF") return "-inf";
    if (yaml11_float(text) && text.find('_') == std::string::npos) return orrery::detail::format_double(std::strtod(text.c_str(), nullptr));
    return text;
}

/// Convert a YAML value; `source` is where it was written (the key's line for map values).
inline ParamNode yaml_to_param(const YAML::Node& node, const std::string& file, const std::string& source) {
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null: return ParamNode::null(source);
        case YAML::NodeType::Scalar: {
            const std::string& tag = node.Tag();
            if (tag == "?") return ParamNode::scalar(canonical_plain(node.Scalar()), source, false);
            if (tag == "tag:yaml.org,2002:bool") {
                const int b = yaml11_bool(node.Scalar());
                return ParamNode::scalar(b == 1 ? "True" : b == 0 ? "False" : node.Scalar(), source, false);
            }
            if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float")
                return ParamNode::scalar(canonical_plain(node.Scalar()), source, false);
            if (tag == "tag:yaml.org,2002:null") return ParamNode::null(source);
            return ParamNode::scalar(node.Scalar(), source, true);  // "!" (quoted), !!str, !!timestamp, ...
        }
        case YAML::NodeType::Sequence: {
            std::vector<ParamNode> items;
            for (const auto& item : node) items.push_back(yaml_to_param(item, file, yaml_source(file, item.Mark())));
            return ParamNode::list(std::move(items), source);
        }
        case YAML::NodeType::Map: {
            ParamNode out = ParamNode::map(source);
            for (const auto& kv : node) {
                if (!kv.first.IsScalar())
                    throw ConfigError("parameter file " + yaml_source(file, kv.first.Mark()) + ": mapping keys must be plain names");
                const std::string key = kv.first.Scalar();
                if (out.contains(key))
                    throw ConfigError("parameter file " + yaml_source(file, kv.first.Mark()) + ": key '" + key + "' appears twice");
                out.set(key, yaml_to_param(kv.second, file, yaml_source(file, kv.first.Mark())));
            }
            return out;
        }
    }
    return ParamNode::null(source);
}

inline std::string scalar_text(const ParamNode& n) { return n.is_scalar() ? n.text() : std::string{}; }

inline StepConfigDoc doc_from_entry(const ParamNode& entry, const std::string& what, const std::string& alias_hint);

/// `steps:` as a list of entries or a map alias -> entry / parameter map.
inline std::vector<StepConfigDoc> docs_from_steps(const ParamNode& steps) {
    std::vector<StepConfigDoc> out;
    if (steps.is_null()) return out;
    if (steps.is_list()) {
        for (const auto& item : steps.items()) {
            if (!item.is_map()) throw ConfigError("parameter file " + item.source() + ": each entry of 'steps' must be a mapping");
            out.push_back(doc_from_entry(item, "steps entry", {}));
            // jwst's documentation writes entries with only a class: the class says which child.
            if (out.back().name.empty() && !out.back().class_name.empty())
                if (const StepInfo* info = Registry::instance().find(out.back().class_name)) out.back().name = info->alias;
            if (out.back().name.empty())
                throw ConfigError("parameter file " + item.source() + ": a 'steps' entry needs a 'name' (the step alias)" +
                                  (out.back().class_name.empty() ? std::string() : " or the class of a registered step ('" + out.back().class_name + "' is not)"));
        }
        return out;
    }
    if (steps.is_map()) {
        for (const auto& [alias, sub] : steps.children()) {
            if (sub.is_null()) {
                StepConfigDoc d;
                d.name = alias;
                d.source = sub.source();
                out.push_back(std::move(d));
                continue;
            }
            if (!sub.is_map()) throw ConfigError("parameter file " + sub.source() + ": 'steps." + alias + "' must be a mapping");
            out.push_back(doc_from_entry(sub, "steps." + alias, alias));
        }
        return out;
    }
    throw ConfigError("parameter file " + steps.source() + ": 'steps' must be a list or a mapping");
}

/// One entry: the 1.0.0 form {class, name, parameters, steps} or a plain
/// parameter map (legacy: class/name/steps mixed with the parameters).
inline StepConfigDoc doc_from_entry(const ParamNode& entry, const std::string& what, const std::string& alias_hint) {
    StepConfigDoc d;
    d.source = entry.source();
    const ParamNode* params = entry.find("parameters");
    const bool new_form = params && (params->is_map() || params->is_null());
    if (new_form) {
        for (const auto& [key, value] : entry.children()) {
            if (key == "class") d.class_name = scalar_text(value);
            else if (key == "name") d.name = scalar_text(value);
            else if (key == "parameters" || key == "steps") continue;
            else throw ConfigError("parameter file " + value.source() + ": unexpected key '" + key + "' in " + what +
                                   " (expected class, name, parameters, steps)");
        }
        if (params->is_map()) {
            for (const auto& [key, value] : params->children()) {
                if (key == "steps") {
                    auto more = docs_from_steps(value);
                    d.steps.insert(d.steps.end(), more.begin(), more.end());
                } else if (key == "class") {
                    if (d.class_name.empty()) d.class_name = scalar_text(value);
                } else if (key == "name") {
                    if (d.name.empty()) d.name = scalar_text(value);
                } else {
                    d.parameters.set(key, value);
                }
            }
        }
        if (const auto* steps = entry.find("steps")) {
            auto more = docs_from_steps(*steps);
            d.steps.insert(d.steps.end(), more.begin(), more.end());
        }
    } else {
        for (const auto& [key, value] : entry.children()) {
            if (key == "class") d.class_name = scalar_text(value);
            else if (key == "name") d.name = scalar_text(value);
            else if (key == "steps") d.steps = docs_from_steps(value);
            else d.parameters.set(key, value);
        }
    }
    if (!alias_hint.empty()) d.name = alias_hint;  // a map key is the alias, whatever `name` says
    return d;
}

/// The ASDF YAML document ends at "..." (binary blocks may follow).
inline std::string yaml_part(std::string text) {
    for (std::size_t pos = 0; (pos = text.find("...", pos)) != std::string::npos; pos += 3) {
        const bool line_start = pos == 0 || text[pos - 1] == '\n';
        const std::size_t end = pos + 3;
        const bool line_end = end == text.size() || text[end] == '\n' || text[end] == '\r';
        if (line_start && line_end) return text.substr(0, end);
    }
    return text;
}

}  // namespace detail

/// Parse YAML text; throws ConfigError naming file:line on a syntax error.
inline YAML::Node parse_yaml(const std::string& text, const std::string& file) {
    try {
        return YAML::Load(detail::yaml_part(text));
    } catch (const YAML::Exception& e) {
        throw ConfigError("parameter file " + detail::yaml_source(file, e.mark) + ": not valid YAML: " + e.msg);
    }
}

/// Is this YAML root a step_config document (either layout)?
inline bool is_step_config(const YAML::Node& root) {
    if (!root.IsMap()) return false;
    if (root["class"]) return true;
    const auto params = root["parameters"];
    return params && (params.IsMap() || params.IsNull());
}

/// Read a step_config document from a parsed YAML root.
inline StepConfigDoc read_step_config(const YAML::Node& root, const std::string& file) {
    if (!is_step_config(root))
        throw ConfigError("parameter file " + file +
                          ": not an ASDF step_config document (expected a top-level 'class' or 'parameters' mapping)");
    const ParamNode tree = detail::yaml_to_param(root, file, detail::yaml_source(file, root.Mark()));
    StepConfigDoc doc;
    if (tree.contains("class")) {
        // step_config-1.0.0; top-level `meta`, `asdf_library` and `history` are file metadata.
        ParamNode entry = ParamNode::map(tree.source());
        for (const auto& [key, value] : tree.children())
            if (key == "class" || key == "name" || key == "parameters" || key == "steps") entry.set(key, value);
        if (!entry.contains("parameters")) entry.set("parameters", ParamNode::map(tree.source()));
        doc = detail::doc_from_entry(entry, "the document", {});
    } else {
        // step_config-0.1.0: everything under `parameters`.
        doc = detail::doc_from_entry(*tree.find("parameters"), "parameters", {});
        if (const auto* steps = tree.find("steps")) {
            auto more = detail::docs_from_steps(*steps);
            doc.steps.insert(doc.steps.end(), more.begin(), more.end());
        }
    }
    return doc;
}

inline std::string read_text_file(const std::filesystem::path& path, const std::string& what = "parameter file") {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(what + " " + path.string() + ": cannot be opened");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Read an ASDF step_config text into the merged-tree form.
inline ParamNode read_asdf_text(const std::string& text, const std::string& file) {
    return to_tree(read_step_config(parse_yaml(text, file), file));
}

/// Read an ASDF step_config file into the merged-tree form.
inline ParamNode read_asdf_file(const std::filesystem::path& path) {
    return read_asdf_text(read_text_file(path), path.string());
}

}  // namespace orrery::stpipe
