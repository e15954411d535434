#pragma once
/// Checks a JSON configuration against the small JSON Schema subset that adapters
/// and workflow types declare (type, properties, required, additionalProperties,
/// minimum, maximum, enum, items), with one message per problem naming the key
/// and, for an unknown key, the closest known ones. Kept apart from valijson so
/// that the messages read like the rest of orrery's ("config key 'x': ...").

#include "orrery/core/suggest.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace orrery::workflow {

namespace detail {
inline std::string json_type_name(const nlohmann::json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "boolean";
    if (v.is_number_integer()) return "integer";
    if (v.is_number()) return "number";
    if (v.is_string()) return "string";
    if (v.is_array()) return "array";
    return "object";
}
inline bool has_json_type(const nlohmann::json& v, std::string_view type) {
    if (type == "number") return v.is_number();
    if (type == "integer") return v.is_number_integer() || (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
    return json_type_name(v) == type;
}
inline bool type_matches(const nlohmann::json& v, const nlohmann::json& type) {
    if (type.is_string()) return has_json_type(v, type.get<std::string>());
    if (type.is_array()) {
        for (const auto& t : type)
            if (t.is_string() && has_json_type(v, t.get<std::string>())) return true;
        return false;
    }
    return true;
}
inline void check_node(const nlohmann::json& schema, const nlohmann::json& value, const std::string& where,
                       std::vector<std::string>& problems) {
    if (!schema.is_object()) return;
    if (auto t = schema.find("type"); t != schema.end() && !type_matches(value, *t)) {
        problems.push_back(where + ": expected " + (t->is_string() ? t->get<std::string>() : t->dump()) + ", got " +
                           json_type_name(value) + " " + value.dump());
        return;
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
        bool found = false;
        for (const auto& option : *e) found = found || option == value;
        if (!found) problems.push_back(where + ": " + value.dump() + " is not one of " + e->dump());
    }
    if (value.is_number()) {
        const double v = value.get<double>();
        if (auto lo = schema.find("minimum"); lo != schema.end() && lo->is_number() && v < lo->get<double>())
            problems.push_back(where + ": " + value.dump() + " is below the minimum " + lo->dump());
        if (auto hi = schema.find("maximum"); hi != schema.end() && hi->is_number() && v > hi->get<double>())
            problems.push_back(where + ": " + value.dump() + " is above the maximum " + hi->dump());
    }
    if (value.is_array()) {
        if (auto items = schema.find("items"); items != schema.end())
            for (std::size_t i = 0; i < value.size(); ++i) check_node(*items, value[i], where + "[" + std::to_string(i) + "]", problems);
    }
    if (value.is_object()) {
        const auto props = schema.value("properties", nlohmann::json::object());
        if (auto req = schema.find("required"); req != schema.end() && req->is_array())
            for (const auto& key : *req)
                if (key.is_string() && !value.contains(key.get<std::string>()))
                    problems.push_back(where + ": the key '" + key.get<std::string>() + "' is required");
        const auto extra = schema.find("additionalProperties");
        std::vector<std::string> known;
        for (const auto& [k, unused] : props.items()) known.push_back(k);
        for (const auto& [k, v] : value.items()) {
            const std::string child = where + "." + k;
            if (props.contains(k)) check_node(props[k], v, child, problems);
            else if (extra != schema.end() && extra->is_boolean() && !extra->get<bool>())
                problems.push_back(where + ": unknown key '" + k + "'" + did_you_mean(k, known));
            else if (extra != schema.end() && extra->is_object()) check_node(*extra, v, child, problems);
        }
    }
}
}  // namespace detail

/// Problems of `value` against `schema`, each "<where>.<key>: <problem>"; empty when it conforms.
inline std::vector<std::string> check_against_schema(const nlohmann::json& schema, const nlohmann::json& value, const std::string& where) {
    std::vector<std::string> problems;
    detail::check_node(schema, value, where, problems);
    return problems;
}

/// `defaults` overlaid with `config` key by key (objects merge, anything else replaces).
inline nlohmann::json merge_config(nlohmann::json defaults, const nlohmann::json& config) {
    if (config.is_null()) return defaults;
    if (!defaults.is_object() || !config.is_object()) return config;
    for (const auto& [k, v] : config.items()) {
        if (defaults.contains(k) && defaults[k].is_object() && v.is_object()) defaults[k] = merge_config(defaults[k], v);
        else defaults[k] = v;
    }
    return defaults;
}

}  // namespace orrery::workflow
