#pragma once
/// Step handlers: registered core steps whose input is a StageRequest and whose
/// output is StageArtifacts, named by a graph file's `step:` with `parameters:`.
/// Their parameters are the step's reflected Params, exported here as a JSON
/// Schema (for editors, docs and the graph-file validator) and checked with one
/// line per problem before anything runs.

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/workflow/param_json.hpp"
#include "orrery/workflow/stage_request.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

namespace orrery::workflow {

/// Is `info` a step handler (StageRequest -> StageArtifacts)?
inline bool is_step_handler(const StepInfo& info) {
    return info.kind == StepKind::step && info.input_type == typeid(StageRequest) && info.output_type == typeid(StageArtifacts);
}

namespace detail {
inline std::string json_schema_type(const std::string& configobj_type) {
    if (configobj_type == "integer" || configobj_type == "int") return "integer";
    if (configobj_type == "float") return "number";
    if (configobj_type == "boolean" || configobj_type == "bool") return "boolean";
    return "string";
}
inline bool is_list_type(const std::string& t) { return t.size() > 5 && t.ends_with("_list"); }
}  // namespace detail

/// JSON Schema (draft-07) of the step's own parameters: one property per
/// parameter with type, default, description, minimum/maximum (minItems/maxItems
/// for lists) and enum; optional parameters also accept null; no other keys.
inline nlohmann::json parameters_schema(const StepInfo& info) {
    nlohmann::json properties = nlohmann::json::object();
    for (const auto& p : info.params) {
        nlohmann::json prop = nlohmann::json::object();
        if (detail::is_list_type(p.type)) {
            prop["type"] = "array";
            prop["items"] = {{"type", detail::json_schema_type(p.type.substr(0, p.type.size() - 5))}};
            if (p.lower) prop["minItems"] = static_cast<long long>(*p.lower);
            if (p.upper) prop["maxItems"] = static_cast<long long>(*p.upper);
        } else {
            prop["type"] = detail::json_schema_type(p.type);
            if (p.lower) prop["minimum"] = *p.lower;
            if (p.upper) prop["maximum"] = *p.upper;
            if (!p.options.empty()) prop["enum"] = p.options;
        }
        if (p.optional) prop["type"] = nlohmann::json::array({prop["type"], "null"});
        prop["default"] = param_node_to_json(p.default_value, p.type);
        prop["description"] = p.help;
        properties[p.name] = std::move(prop);
    }
    nlohmann::json schema = {{"$schema", "http://json-schema.org/draft-07/schema#"},
                             {"title", info.alias},
                             {"type", "object"},
                             {"properties", std::move(properties)},
                             {"additionalProperties", false}};
    if (!info.description.empty()) schema["description"] = info.description;
    return schema;
}

namespace detail {
inline bool json_has_type(const nlohmann::json& v, const std::string& schema_type) {
    if (schema_type == "integer") return v.is_number_integer();
    if (schema_type == "number") return v.is_number();
    if (schema_type == "boolean") return v.is_boolean();
    return v.is_string();
}
inline std::string describe_json(const nlohmann::json& v) {
    const char* kind = v.is_boolean() ? "a boolean" : v.is_number() ? "a number" : v.is_string() ? "a string"
                       : v.is_array() ? "a list" : v.is_object() ? "a mapping" : "null";
    return std::string(kind) + " (" + v.dump() + ")";
}
}  // namespace detail

/// Problems of `parameters` (a JSON object) for the step, one line each naming the
/// parameter: unknown names (with the close ones), values of the wrong JSON type,
/// and values the step's own rules reject (bounds, options). Empty when it would
/// configure.
inline std::vector<std::string> validate_config(const StepInfo& info, const nlohmann::json& parameters) {
    std::vector<std::string> problems;
    const std::string who = "step '" + info.alias + "': ";
    if (parameters.is_null()) return problems;
    if (!parameters.is_object()) return {who + "parameters must be a mapping, got " + detail::describe_json(parameters)};
    // The step's own parameters and the ones every step has (skip, output_dir, override_<reftype>...).
    std::vector<ParamSchema> all = info.params;
    for (auto& p : info.builtin_params()) all.push_back(std::move(p));
    std::vector<std::string> known;
    for (const auto& p : all) known.push_back(p.name);
    for (const auto& [key, value] : parameters.items()) {
        const ParamSchema* schema = nullptr;
        for (const auto& p : all)
            if (p.name == key) schema = &p;
        if (!schema) {
            problems.push_back(who + "parameter '" + key + "': unknown" + did_you_mean(key, known));
            continue;
        }
        const bool list = detail::is_list_type(schema->type);
        const std::string item_type = detail::json_schema_type(list ? schema->type.substr(0, schema->type.size() - 5) : schema->type);
        std::string type_problem;
        if (value.is_null()) {
            if (!schema->optional && !list) type_problem = "expected " + item_type + ", got null";
        } else if (list) {
            if (!value.is_array()) type_problem = "expected a list of " + item_type + ", got " + detail::describe_json(value);
            else
                for (std::size_t i = 0; i < value.size() && type_problem.empty(); ++i)
                    if (!detail::json_has_type(value[i], item_type))
                        type_problem = "item " + std::to_string(i) + ": expected " + item_type + ", got " + detail::describe_json(value[i]);
        } else if (!detail::json_has_type(value, item_type)) {
            type_problem = "expected " + item_type + ", got " + detail::describe_json(value);
        }
        if (!type_problem.empty()) {
            problems.push_back(who + "parameter '" + key + "': " + type_problem);
            continue;
        }
        // The step's own rules, applied by the code that will configure it.
        try {
            ParamNode tree = ParamNode::map();
            tree.set(key, to_param_node(value));
            info.factory()->configure(tree);
        } catch (const ParameterError& e) {
            const std::string message = e.what();
            const std::string prefix = "parameter '" + key + "': ";
            problems.push_back(who + (message.rfind(prefix, 0) == 0 ? message : prefix + message));
        } catch (const Error& e) {
            problems.push_back(who + "parameter '" + key + "': " + e.what());
        }
    }
    return problems;
}

/// Validate, configure and run the handler `name` on `request`. A ConfigError with
/// every problem when the parameters are wrong; the handler's own errors propagate.
inline StageArtifacts run_step_handler(std::string_view name, const nlohmann::json& parameters, StageRequest request, Context& ctx,
                                       const std::string& source = {}) {
    const StepInfo& info = Registry::instance().get(name);
    if (!is_step_handler(info))
        throw ConfigError("step '" + info.alias + "' is not a step handler: it takes " + info.input_type_name + ", not orrery::workflow::StageRequest");
    if (const auto problems = validate_config(info, parameters); !problems.empty()) {
        std::string message = problems.front();
        for (std::size_t i = 1; i < problems.size(); ++i) message += "; " + problems[i];
        throw ConfigError(message);
    }
    auto step = info.factory();
    if (!parameters.is_null()) step->configure(to_param_node(parameters, source));
    return step->run(AnyValue(std::move(request)), ctx).take<StageArtifacts>();
}

}  // namespace orrery::workflow
