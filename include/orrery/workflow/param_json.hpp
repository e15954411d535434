#pragma once
/// Conversion between a graph file's JSON `parameters` and the core's ParamNode
/// tree, so a step handler is configured by the same code (and rules, and error
/// messages) as a step configured from the command line or a parameter file.

#include "orrery/core/param_tree.hpp"
#include "orrery/core/param_value.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace orrery::workflow {

/// JSON -> ParamNode; every node carries `source` ("release.yaml: stage bump").
inline ParamNode to_param_node(const nlohmann::json& value, const std::string& source = {}) {
    switch (value.type()) {
        case nlohmann::json::value_t::null: return ParamNode::null(source);
        case nlohmann::json::value_t::boolean: return ParamNode::scalar(value.get<bool>() ? "True" : "False", source);
        case nlohmann::json::value_t::string: return ParamNode::scalar(value.get<std::string>(), source, true);
        case nlohmann::json::value_t::array: {
            std::vector<ParamNode> items;
            for (const auto& item : value) items.push_back(to_param_node(item, source));
            return ParamNode::list(std::move(items), source);
        }
        case nlohmann::json::value_t::object: {
            ParamNode out = ParamNode::map(source);
            for (const auto& [k, v] : value.items()) out.set(k, to_param_node(v, source));
            return out;
        }
        default: return ParamNode::scalar(value.dump(), source);  // numbers (and binary, which YAML never gives)
    }
}

/// A scalar's text as JSON of the parameter's configobj type ("integer", "float",
/// "boolean", "string", "option", "*_list"): what the schema export shows as default.
inline nlohmann::json param_node_to_json(const ParamNode& node, const std::string& type) {
    if (node.is_null()) return nullptr;
    if (node.is_list()) {
        const std::string item_type = type.size() > 5 && type.ends_with("_list") ? type.substr(0, type.size() - 5) : "string";
        nlohmann::json out = nlohmann::json::array();
        for (const auto& item : node.items()) out.push_back(param_node_to_json(item, item_type == "int" ? "integer" : item_type == "bool" ? "boolean" : item_type));
        return out;
    }
    if (node.is_map()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : node.children()) out[k] = param_node_to_json(v, "string");
        return out;
    }
    try {
        if (type == "integer") return parse_scalar<long long>(node.text(), "", "");
        if (type == "float") return parse_scalar<double>(node.text(), "", "");
        if (type == "boolean") return parse_scalar<bool>(node.text(), "", "");
    } catch (const ConfigError&) {
        // a default that does not parse as its own type is shown as written
    }
    return node.text();
}

}  // namespace orrery::workflow
