#pragma once
/// YAML as JSON: graph files and schemas may be written in either, and everything
/// downstream (valijson, the ledger, fingerprints) works on nlohmann::json. YAML
/// scalars carry no type, so a plain scalar is read the way YAML 1.2's core schema
/// reads it (null, true/false, integers, floats); a quoted one stays a string.

#include <regex>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "orrery/core/errors.hpp"

namespace orrery::workflow {

namespace yaml_detail {

inline nlohmann::json plain_scalar(const std::string& text) {
    static const std::regex null_re("^(~|null|Null|NULL|)$");
    static const std::regex true_re("^(true|True|TRUE)$");
    static const std::regex false_re("^(false|False|FALSE)$");
    static const std::regex int_re("^[-+]?[0-9]+$");
    static const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
    if (std::regex_match(text, null_re)) return nullptr;
    if (std::regex_match(text, true_re)) return true;
    if (std::regex_match(text, false_re)) return false;
    if (std::regex_match(text, int_re)) {
        try {
            if (text[0] == '-') return std::stoll(text);
            return std::stoull(text[0] == '+' ? text.substr(1) : text);
        } catch (const std::out_of_range&) {
            return std::stod(text);  // beyond 64 bits: keep the magnitude
        }
    }
    if (std::regex_match(text, float_re)) return std::stod(text);
    return text;  // .inf, .nan and everything else: a string (JSON has neither)
}

}  // namespace yaml_detail

/// Converts a parsed YAML node. `origin` names the document in errors (yaml-cpp
/// resolves aliases; a mapping key that is not a scalar, or a duplicate key, is an
/// error "<origin>:<line>: ...").
inline nlohmann::json yaml_to_json(const YAML::Node& node, const std::string& origin = "YAML") {
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null: return nullptr;
        case YAML::NodeType::Scalar:
            // yaml-cpp tags a quoted or block scalar "!", a plain one "?".
            if (node.Tag() == "?") return yaml_detail::plain_scalar(node.Scalar());
            return node.Scalar();
        case YAML::NodeType::Sequence: {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& item : node) out.push_back(yaml_to_json(item, origin));
            return out;
        }
        case YAML::NodeType::Map: {
            nlohmann::json out = nlohmann::json::object();
            for (const auto& item : node) {
                if (!item.first.IsScalar())
                    throw ConfigError(origin + ":" + std::to_string(item.first.Mark().line + 1) + ": a mapping key must be a string");
                // yaml-cpp keeps both of two equal keys; one would silently win here.
                if (out.contains(item.first.Scalar()))
                    throw ConfigError(origin + ":" + std::to_string(item.first.Mark().line + 1) + ": duplicate key '" + item.first.Scalar() + "'");
                out[item.first.Scalar()] = yaml_to_json(item.second, origin);
            }
            return out;
        }
    }
    return nullptr;
}

/// Parses YAML text; a syntax error is a ConfigError "<origin>:<line>:<column>: <problem>".
inline nlohmann::json parse_yaml_as_json(const std::string& text, const std::string& origin) {
    try {
        return yaml_to_json(YAML::Load(text), origin);
    } catch (const YAML::Exception& e) {
        if (e.mark.is_null()) throw ConfigError(origin + ": " + e.msg);
        throw ConfigError(origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
}

}  // namespace orrery::workflow
