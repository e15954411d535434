#pragma once
/// Reading a stage-graph file: parse (YAML or JSON, with line numbers), add the
/// stages of its workflow type, validate against the shipped schema, build the
/// model, then check what a schema cannot: duplicate ids, unknown stages in
/// `needs`, pipelines and hooks, cycles (with their path), references to unknown
/// parameters, stages, outputs and adapters, unknown steps and their parameters.
/// Every problem is reported at once, one line each, as `file:line: message`.

#include "orrery/core/errors.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/workflow/adapter_registry.hpp"
#include "orrery/workflow/condition.hpp"
#include "orrery/workflow/document.hpp"
#include "orrery/workflow/graph_file.hpp"
#include "orrery/workflow/graph_schema.hpp"
#include "orrery/workflow/json_schema.hpp"
#include "orrery/workflow/stage_request.hpp"
#include "orrery/workflow/step_handler.hpp"
#include "orrery/workflow/substitution.hpp"
#include "orrery/workflow/workflow_type.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <typeindex>
#include <vector>

namespace orrery::workflow {

/// The shipped schema, parsed once.
inline const JsonSchema& stage_graph_schema() {
    static const JsonSchema schema = JsonSchema::parse(nlohmann::json::parse(stage_graph_schema_text), "the stage-graph schema");
    return schema;
}

/// "250ms", "2s", "1.5m", "1h" or a number of seconds.
inline std::chrono::milliseconds parse_duration(const nlohmann::json& v) {
    double seconds = 0;
    if (v.is_number()) {
        seconds = v.get<double>();
    } else {
        const std::string s = v.get<std::string>();
        const auto unit_at = s.find_first_not_of("0123456789.");
        const double n = std::stod(s.substr(0, unit_at));
        const std::string unit = s.substr(unit_at);
        seconds = unit == "ms" ? n / 1000 : unit == "s" ? n : unit == "m" ? n * 60 : n * 3600;
    }
    return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
}

namespace detail {

class GraphFileReader {
public:
    explicit GraphFileReader(Document doc) { g_.document = std::move(doc); }

    GraphFile read() {
        auto& root = g_.document.value;
        if (!root.is_object()) throw ConfigError(g_.where("") + ": a stage-graph file is a mapping with 'stages'");
        if (!root.contains("stages") && !root.contains("workflow"))
            throw ConfigError(g_.where("") + ": a stage-graph file needs 'stages' (or a 'workflow' type)");
        add_workflow_stages(root);
        for (const auto& e : stage_graph_schema().validate(root)) problem(e.pointer, e.message);
        if (!problems_.empty()) fail();
        build(root);
        check();
        if (!problems_.empty()) fail();
        return std::move(g_);
    }

private:
    void problem(const std::string& pointer, const std::string& message) { problems_.push_back(g_.where(pointer) + ": " + message); }

    [[noreturn]] void fail() {
        if (problems_.size() == 1) throw ConfigError(problems_.front());
        std::string msg = g_.document.path.string() + ": " + std::to_string(problems_.size()) + " problems:";
        for (const auto& p : problems_) msg += "\n  " + p;
        throw ConfigError(msg);
    }

    /// A workflow type contributes its default stages first; a stage of the file with
    /// the same id replaces the type's.
    void add_workflow_stages(nlohmann::json& root) {
        if (!root.contains("workflow") || !root["workflow"].is_string()) return;
        const std::string type_name = root["workflow"].get<std::string>();
        const WorkflowType* type = workflow_types().find(type_name);
        if (!type) {
            throw ConfigError(g_.where("/workflow") + ": unknown workflow type '" + type_name + "'" +
                              did_you_mean(type_name, workflow_types().names()));
        }
        nlohmann::json config = type->defaults.is_object() ? type->defaults : nlohmann::json::object();
        if (root.contains("config") && root["config"].is_object() && root["config"].contains(type_name))
            config.merge_patch(root["config"][type_name]);
        if (type->config_schema.is_object() && !type->config_schema.empty()) {
            const auto schema = JsonSchema::parse(type->config_schema, "workflow type '" + type_name + "'");
            for (const auto& e : schema.validate(config)) problem("/config/" + type_name + e.pointer, "workflow " + type_name + ": " + e.message);
            if (!problems_.empty()) fail();
        }
        if (type->validate) {
            // The type's rules read files beside the graph file (relative adapter paths start there).
            nlohmann::json document = root;
            const auto dir = g_.document.path.parent_path();
            document["base_dir"] = std::filesystem::absolute(dir.empty() ? std::filesystem::path(".") : dir).lexically_normal().string();
            for (const auto& p : type->validate(document)) problem("/workflow", p);
        }
        if (!problems_.empty()) fail();
        nlohmann::json generated = type->expand ? type->expand(config) : nlohmann::json::array();
        nlohmann::json own = root.contains("stages") ? root["stages"] : nlohmann::json::array();
        nlohmann::json merged = nlohmann::json::array();
        std::set<std::string> own_ids;
        if (own.is_array())
            for (const auto& s : own)
                if (s.is_object() && s.contains("id") && s["id"].is_string()) own_ids.insert(s["id"].get<std::string>());
        for (auto& s : generated) {
            if (s.is_object() && s.contains("id") && own_ids.count(s["id"].get<std::string>())) continue;
            merged.push_back(s);
        }
        workflow_stage_count_ = merged.size();
        // The file's own stages keep their pointers' lines: shift the line table.
        std::map<std::string, int, std::less<>> shifted;
        for (const auto& [ptr, line] : g_.document.lines) {
            if (ptr.rfind("/stages/", 0) == 0) {
                const auto end = ptr.find('/', 8);
                const std::size_t index = std::stoul(ptr.substr(8, end - 8));
                shifted[std::string("/stages/") + std::to_string(index + merged.size()) + (end == std::string::npos ? "" : ptr.substr(end))] = line;
            } else {
                shifted[ptr] = line;
            }
        }
        const int workflow_line = g_.document.lines.count("/workflow") ? g_.document.lines.at("/workflow") : 0;
        for (std::size_t i = 0; i < merged.size(); ++i) shifted["/stages/" + std::to_string(i)] = workflow_line;
        g_.document.lines = std::move(shifted);
        if (own.is_array())
            for (auto& s : own) merged.push_back(s);
        root["stages"] = merged;
    }

    static std::vector<std::string> string_list(const nlohmann::json& v) {
        std::vector<std::string> out;
        for (const auto& item : v) out.push_back(item.is_string() ? item.get<std::string>() : *scalar_text(item));
        return out;
    }
    static std::map<std::string, std::string> string_map(const nlohmann::json& v) {
        std::map<std::string, std::string> out;
        for (const auto& [k, item] : v.items()) out[k] = *scalar_text(item);
        return out;
    }

    static CommandDecl command_of(const nlohmann::json& s) {
        CommandDecl c;
        c.program = s.value("command", std::string());
        if (s.contains("args")) c.args = string_list(s["args"]);
        if (s.contains("env")) c.env = string_map(s["env"]);
        c.cwd = s.value("cwd", std::string());
        c.runtime = s.value("runtime", std::string());
        return c;
    }

    static std::vector<ArtifactDecl> artifacts_of(const nlohmann::json& v, const std::string& pointer) {
        std::vector<ArtifactDecl> out;
        for (const auto& [name, a] : v.items()) {
            ArtifactDecl d;
            d.name = name;
            d.pointer = pointer + "/" + pointer_segment(name);
            if (a.is_string()) {
                d.path = a.get<std::string>();
            } else {
                d.path = a.value("path", std::string());
                d.schema = a.value("schema", std::string());
            }
            out.push_back(std::move(d));
        }
        return out;
    }

    static HookSet hooks_of(const nlohmann::json& v, const std::string& pointer) {
        HookSet h;
        for (const char* when : {"pre", "post"}) {
            if (!v.contains(when)) continue;
            auto& list = std::string_view(when) == "pre" ? h.pre : h.post;
            for (std::size_t i = 0; i < v[when].size(); ++i) {
                const auto& j = v[when][i];
                HookDecl d;
                d.pointer = pointer + "/" + when + "/" + std::to_string(i);
                d.type = j.value("type", std::string());
                d.description = j.value("description", std::string());
                if (j.contains("stages")) d.stages = string_list(j["stages"]);
                d.command = command_of(j);
                d.artifact = j.value("artifact", std::string());
                d.path = j.value("path", std::string());
                d.schema = j.value("schema", std::string());
                if (j.contains("paths")) d.paths = string_list(j["paths"]);
                list.push_back(std::move(d));
            }
        }
        return h;
    }

    void build(const nlohmann::json& root) {
        g_.name = root.value("name", g_.document.path.stem().string());
        if (g_.name == "stage-graph" || g_.name.empty()) g_.name = g_.document.path.parent_path().filename().string();
        if (g_.name.empty()) g_.name = "graph";
        g_.description = root.value("description", std::string());
        g_.workflow = root.value("workflow", std::string());
        if (root.contains("config")) g_.config = root["config"];
        if (root.contains("params"))
            for (const auto& [name, p] : root["params"].items()) {
                ParamDecl d;
                d.name = name;
                if (p.is_object()) {
                    d.default_value = p.value("default", nlohmann::json());
                    d.description = p.value("description", std::string());
                    d.required = p.value("required", false);
                } else {
                    d.default_value = p;
                }
                g_.params.push_back(std::move(d));
            }
        if (root.contains("env")) g_.env = string_map(root["env"]);
        if (root.contains("adapters")) g_.adapters = root["adapters"];
        if (root.contains("requires")) {
            const auto& r = root["requires"];
            if (r.contains("env")) g_.required_env = string_list(r["env"]);
            if (r.contains("programs")) g_.required_programs = string_list(r["programs"]);
        }
        if (root.contains("pipelines"))
            for (const auto& [name, ids] : root["pipelines"].items()) g_.pipelines.emplace_back(name, string_list(ids));
        g_.default_pipeline = root.value("default_pipeline", std::string("full-refresh"));
        if (root.contains("hooks")) g_.hooks = hooks_of(root["hooks"], "/hooks");
        const auto& stages = root.contains("stages") ? root["stages"] : nlohmann::json::array();
        for (std::size_t i = 0; i < stages.size(); ++i) {
            const auto& s = stages[i];
            StageDecl d;
            d.pointer = "/stages/" + std::to_string(i);
            d.from_workflow = i < workflow_stage_count_;
            d.id = s.value("id", std::string());
            d.description = s.value("description", std::string());
            d.step = s.value("step", std::string());
            if (s.contains("parameters")) d.parameters = s["parameters"];
            if (s.contains("command")) d.command = command_of(s);
            if (s.contains("needs")) d.needs = string_list(s["needs"]);
            if (s.contains("inputs")) d.inputs = artifacts_of(s["inputs"], d.pointer + "/inputs");
            if (s.contains("outputs")) d.outputs = artifacts_of(s["outputs"], d.pointer + "/outputs");
            if (s.contains("retry")) {
                const auto& r = s["retry"];
                d.retry.max_attempts = r.value("max_attempts", 1);
                if (r.contains("initial_backoff")) d.retry.initial_backoff = parse_duration(r["initial_backoff"]);
                d.retry.multiplier = r.value("multiplier", 2.0);
                if (r.contains("max_backoff")) d.retry.max_backoff = parse_duration(r["max_backoff"]);
                d.retry.jitter = r.value("jitter", 0.0);
                if (d.retry.max_backoff < d.retry.initial_backoff) problem(d.pointer + "/retry", "retry.max_backoff must not be below retry.initial_backoff");
            }
            if (s.contains("timeout")) d.timeout = parse_duration(s["timeout"]);
            if (s.contains("when") && s.contains("condition")) problem(d.pointer + "/condition", "give 'when' or 'condition', not both");
            for (const char* key : {"when", "condition"})
                if (s.contains(key)) d.when = s[key].is_boolean() ? (s[key].get<bool>() ? "true" : "false") : s[key].get<std::string>();
            d.optional = s.value("optional", false);
            if (s.contains("hooks")) d.hooks = hooks_of(s["hooks"], d.pointer + "/hooks");
            g_.stages.push_back(std::move(d));
        }
    }

    std::vector<std::string> stage_ids() const {
        std::vector<std::string> ids;
        for (const auto& s : g_.stages) ids.push_back(s.id);
        return ids;
    }

    /// A reference is known when it names a declared parameter, a declared stage output
    /// or a configured adapter; config and env are resolved (and checked) at run time.
    void check_reference(const Reference& r, const std::string& pointer, StageDecl* stage) {
        if (r.scope == "params") {
            if (!g_.find_param(r.parts.front())) {
                std::vector<std::string> names;
                for (const auto& p : g_.params) names.push_back(p.name);
                problem(pointer, "unknown parameter in " + r.text + did_you_mean(r.parts.front(), names) + " (declare it under 'params')");
            }
        } else if (r.scope == "stages") {
            if (r.parts.size() != 3 || r.parts[1] != "outputs") {
                problem(pointer, "malformed reference " + r.text + " (expected ${stages.<id>.outputs.<name>})");
                return;
            }
            const StageDecl* producer = g_.find_stage(r.parts[0]);
            if (!producer) {
                problem(pointer, "reference " + r.text + " names an unknown stage" + did_you_mean(r.parts[0], stage_ids()));
                return;
            }
            if (!producer->output(r.parts[2])) {
                std::vector<std::string> outs;
                for (const auto& o : producer->outputs) outs.push_back(o.name);
                problem(pointer, "reference " + r.text + ": stage '" + producer->id + "' has no output '" + r.parts[2] + "'" + did_you_mean(r.parts[2], outs));
                return;
            }
            if (stage && producer->id != stage->id &&
                std::find(stage->implicit_needs.begin(), stage->implicit_needs.end(), producer->id) == stage->implicit_needs.end())
                stage->implicit_needs.push_back(producer->id);
        } else if (r.scope == "adapter") {
            if (!g_.adapters.contains(r.parts.front())) {
                std::vector<std::string> names;
                for (const auto& [k, v] : g_.adapters.items()) names.push_back(k);
                problem(pointer, "reference " + r.text + " names an adapter not configured under 'adapters'" + did_you_mean(r.parts.front(), names));
            }
        }
    }

    void check_strings(const nlohmann::json& v, const std::string& pointer, StageDecl* stage) {
        for_each_string(v, pointer, [&](const std::string& text, const std::string& ptr) {
            try {
                for (const auto& r : find_references(text, g_.where(ptr))) check_reference(r, ptr, stage);
            } catch (const ConfigError& e) {
                problems_.push_back(e.what());
            }
        });
    }

    void check_stage_refs(StageDecl& s, const nlohmann::json& raw) {
        nlohmann::json copy = raw;
        copy.erase("when");
        copy.erase("condition");
        copy.erase("hooks");
        check_strings(copy, s.pointer, &s);
        if (raw.contains("hooks")) check_strings(raw["hooks"], s.pointer + "/hooks", &s);
        if (!s.when.empty()) {
            const std::string key = raw.contains("when") ? "/when" : "/condition";
            try {
                Condition c(s.when, g_.where(s.pointer + key));
                for (const auto& r : c.references()) check_reference(r, s.pointer + key, &s);
            } catch (const ConfigError& e) {
                problems_.push_back(e.what());
            }
        }
    }

    void check_step(const StageDecl& s) {
        const StepInfo* info = Registry::instance().find(s.step);
        if (!info) {
            problem(s.pointer + "/step", "unknown step '" + s.step + "' " + Registry::instance().hint_for_unknown(s.step));
            return;
        }
        const bool handler = info->input_type == std::type_index(typeid(StageRequest));
        if (!handler && !info->load_input)
            problem(s.pointer + "/step", "step '" + s.step + "' takes " + info->input_type_name +
                                             ", which a graph file cannot give (a step handler takes orrery::workflow::StageRequest; other steps need a product read from a file)");
        if (!handler && info->load_input && s.inputs.empty())
            problem(s.pointer, "step '" + s.step + "' reads its input from a file: declare it under 'inputs'");
        nlohmann::json plain = s.parameters;
        // Values that are references are checked after substitution, when the stage runs.
        for (auto it = plain.begin(); it != plain.end();) {
            if (it->is_string() && it->get<std::string>().find("${") != std::string::npos) it = plain.erase(it);
            else ++it;
        }
        // A pipeline's `steps: {child: {...}}` is checked against each child's own parameters.
        if (info->kind == StepKind::pipeline && plain.contains("steps") && plain["steps"].is_object()) {
            for (const auto& [child, params] : plain["steps"].items()) {
                const std::string where = s.pointer + "/parameters/steps/" + pointer_segment(child);
                if (std::find(info->children.begin(), info->children.end(), child) == info->children.end()) {
                    problem(where, "pipeline '" + s.step + "' has no step '" + child + "'" + did_you_mean(child, info->children));
                    continue;
                }
                const StepInfo* child_info = Registry::instance().find(info->package.empty() ? child : info->package + "::" + child);
                if (child_info && params.is_object())
                    for (const auto& p : validate_config(*child_info, params)) problem(where, p);
            }
            plain.erase("steps");
        }
        for (const auto& p : validate_config(*info, plain)) problem(s.pointer + "/parameters", p);
    }

    void check_hook_stages(const HookSet& hooks) {
        for (const auto* list : {&hooks.pre, &hooks.post})
            for (const auto& h : *list)
                for (const auto& id : h.stages)
                    if (!g_.find_stage(id)) problem(h.pointer + "/stages", "unknown stage '" + id + "'" + did_you_mean(id, stage_ids()));
    }

    void check_cycles() {
        std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
        std::vector<std::string> path;
        std::set<std::string> reported;
        std::function<void(const StageDecl&)> visit = [&](const StageDecl& s) {
            state[s.id] = 1;
            path.push_back(s.id);
            for (const auto& dep : s.dependencies()) {
                const StageDecl* d = g_.find_stage(dep);
                if (!d) continue;
                if (state[dep] == 1) {
                    std::string cycle;
                    const auto from = std::find(path.begin(), path.end(), dep);
                    for (auto it = from; it != path.end(); ++it) cycle += *it + " -> ";
                    cycle += dep;
                    if (reported.insert(dep).second) problem(d->pointer, "cycle: " + cycle);
                } else if (state[dep] == 0) {
                    visit(*d);
                }
            }
            path.pop_back();
            state[s.id] = 2;
        };
        for (const auto& s : g_.stages)
            if (state[s.id] == 0) visit(s);
    }

    void check() {
        const auto& raw_stages = g_.document.value["stages"];
        std::set<std::string> seen;
        for (auto& s : g_.stages) {
            if (!seen.insert(s.id).second) problem(s.pointer + "/id", "duplicate stage id '" + s.id + "'");
            if (s.id == "input" || s.id == "full-refresh") problem(s.pointer + "/id", "'" + s.id + "' is reserved");
        }
        for (std::size_t i = 0; i < g_.stages.size(); ++i) {
            auto& s = g_.stages[i];
            for (std::size_t k = 0; k < s.needs.size(); ++k) {
                const auto& n = s.needs[k];
                if (n == s.id) problem(s.pointer + "/needs/" + std::to_string(k), "stage '" + s.id + "' needs itself");
                else if (!g_.find_stage(n)) problem(s.pointer + "/needs/" + std::to_string(k), "unknown stage '" + n + "'" + did_you_mean(n, stage_ids()));
            }
            check_stage_refs(s, raw_stages[i]);
            if (!s.step.empty()) check_step(s);
            check_hook_stages(s.hooks);
        }
        check_hook_stages(g_.hooks);
        check_strings(g_.document.value.value("hooks", nlohmann::json::object()), "/hooks", nullptr);
        check_strings(g_.document.value.value("env", nlohmann::json::object()), "/env", nullptr);
        for (std::size_t p = 0; p < g_.pipelines.size(); ++p) {
            const auto& [name, ids] = g_.pipelines[p];
            for (std::size_t k = 0; k < ids.size(); ++k)
                if (!g_.find_stage(ids[k]))
                    problem("/pipelines/" + pointer_segment(name) + "/" + std::to_string(k), "pipeline '" + name + "': unknown stage '" + ids[k] + "'" + did_you_mean(ids[k], stage_ids()));
        }
        if (g_.default_pipeline != "full-refresh" && !g_.find_pipeline(g_.default_pipeline))
            problem("/default_pipeline", "unknown pipeline '" + g_.default_pipeline + "'" + did_you_mean(g_.default_pipeline, g_.pipeline_names()));
        for (const auto& [name, config] : g_.adapters.items()) {
            if (!adapter_registry().find(name))
                problem("/adapters/" + pointer_segment(name), "unknown adapter '" + name + "'" + did_you_mean(name, adapter_registry().names()));
        }
        if (problems_.empty()) check_cycles();
    }

    GraphFile g_;
    std::vector<std::string> problems_;
    std::size_t workflow_stage_count_ = 0;
};

}  // namespace detail

/// Read, validate and check a stage-graph file; a ConfigError lists every problem.
inline GraphFile load_graph_file(const std::filesystem::path& path) { return detail::GraphFileReader(load_document(path)).read(); }

/// The same from text (tests, `--graph -`); `path` names it in messages.
inline GraphFile parse_graph_file(const std::string& text, const std::filesystem::path& path) {
    return detail::GraphFileReader(parse_document(text, path)).read();
}

}  // namespace orrery::workflow
