#pragma once
/// What one run of a stage-graph file shares between its stages: the options, the
/// configuration layers, the environment, the adapters, and the resolution of
/// `${...}` references — a stage "resolved" is its command line or step parameters,
/// directories and artifact paths with every reference replaced. Also the shapes of
/// what a run reports (StageOutcome, GraphRunReport) and its observer.

#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/graph/graph_result.hpp"
#include "orrery/workflow/adapter_registry.hpp"
#include "orrery/workflow/adapter_set.hpp"
#include "orrery/workflow/param_json.hpp"
#include "orrery/workflow/artifacts.hpp"
#include "orrery/workflow/child_process.hpp"
#include "orrery/workflow/condition.hpp"
#include "orrery/workflow/config_layers.hpp"
#include "orrery/workflow/graph_file.hpp"
#include "orrery/workflow/runtime.hpp"
#include "orrery/workflow/stage_selection.hpp"
#include "orrery/workflow/sha256.hpp"
#include "orrery/workflow/substitution.hpp"
#include "orrery/workflow/workflow_type.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

extern char** environ;  // POSIX: the process environment

namespace orrery::workflow {

struct GraphRunOptions {
    SelectionRequest selection{};
    std::map<std::string, std::string> params{};     // --param name=value
    std::map<std::string, std::string> env_file{};   // --env-file variables (over the process environment)
    bool dry_run = false;
    bool continue_on_error = false;
    bool force = false;                              // ignore the cache
    std::string resume{};                            // a run id or "last": rerun what failed or never ran
    int jobs = 0;                                    // stages at once; 0 = the machine's cores
    std::filesystem::path ledger_dir{};              // default: <graph file dir>/.orrery-runs
    bool global_config = true;                       // read orrery.yaml / $XDG_CONFIG_HOME/orrery/orrery.yaml
    std::string program = "orrery";                  // for the rerun command shown on failure
};

/// One stage as a run (or a dry run) sees it.
struct StageOutcome {
    std::string id{};
    std::string status{};       // succeeded | failed | skipped | cached | resumed | cancelled | planned
    double seconds = 0.0;
    int attempts = 0;
    int exit_code = 0;          // a command's exit status (0 when it did not run)
    std::filesystem::path log{};
    std::string message{};
    std::vector<ArtifactRecord> artifacts{};
    nlohmann::json resolved{};  // the stage after substitution (command line, parameters, paths)
    std::string rerun{};        // the command line that reruns just this stage
    bool optional = false;      // its failure leaves the run degraded, not failed
};

struct GraphRunReport {
    std::string run_id{};
    std::filesystem::path ledger{};
    std::string pipeline{};
    GraphStatus status = GraphStatus::succeeded;
    double seconds = 0.0;
    std::vector<StageOutcome> stages{};  // in run order (a dry run: plan order)
    std::vector<std::string> left_out{};
    /// No required stage failed: an optional stage's failure leaves the run DEGRADED but ok.
    [[nodiscard]] bool ok() const {
        if (status == GraphStatus::failed) return false;
        for (const auto& s : stages)
            if (s.status == "failed" && !s.optional) return false;
        return true;
    }
};

/// Progress as the stages go (called from the executor's threads, one call at a time).
class GraphRunObserver {
public:
    virtual ~GraphRunObserver() = default;
    virtual void on_start(const GraphRunReport&, const std::vector<std::string>& /*stages*/) {}
    virtual void on_stage(const StageOutcome&, std::size_t /*finished*/, std::size_t /*total*/) {}
};

namespace detail {

inline std::map<std::string, std::string> process_environment() {
    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string kv(*e);
        const auto eq = kv.find('=');
        if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return env;
}

/// --param a.b=c -> {"a": {"b": "c"}}
inline nlohmann::json params_as_config(const std::map<std::string, std::string>& params) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : params) {
        nlohmann::json* node = &out;
        std::size_t start = 0;
        while (true) {
            const auto dot = k.find('.', start);
            const std::string part = k.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            if (dot == std::string::npos) {
                (*node)[part] = v;
                break;
            }
            node = &(*node)[part];
            start = dot + 1;
        }
    }
    return out;
}

inline std::string iso_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", s);
    return buf;
}

/// Everything one run shares between its stages.
class RunState {
public:
    RunState(const GraphFile& g, const GraphRunOptions& o) : g_(g), o_(o), base_(std::filesystem::absolute(g.base_dir()).lexically_normal()) {
        env_ = process_environment();
        for (const auto& [k, v] : o.env_file) env_[k] = v;
        for (const auto& [k, v] : g.env) env_[k] = v;  // substituted below, once config is known
        config_.add({"--param", "", params_as_config(o.params)});
        config_.add({"graph file", g.document.path.string(), g.config});
        if (!g.workflow.empty())
            if (const WorkflowType* t = workflow_types().find(g.workflow); t && t->defaults.is_object())
                config_.add({"workflow " + g.workflow, "", nlohmann::json{{g.workflow, t->defaults}}});
        if (o.global_config)
            if (auto p = find_global_config(base_)) config_.add(load_global_config(*p));
        for (const auto& [name, c] : g.adapters.items())
            if (const auto* a = adapter_registry().find(name)) {
                const nlohmann::json d = a->factory()->defaults();
                if (d.is_object() && !d.empty()) config_.add({"adapter " + name, "", nlohmann::json{{name, d}}});
            }
        for (const auto& p : g.params) {
            if (o.params.count(p.name)) continue;
            if (p.required) throw UsageError("parameter '" + p.name + "' is required: pass --param " + p.name + "=VALUE (" + g.where("/params/" + p.name) + ")");
        }
        for (const auto& [k, v] : o.params) {
            if (!g.find_param(k) && k.find('.') == std::string::npos && !g.config.contains(k)) {
                std::vector<std::string> names;
                for (const auto& p : g.params) names.push_back(p.name);
                for (const auto& key : config_.keys()) names.push_back(key);
                throw UsageError("--param " + k + ": the graph file declares no parameter or config key '" + k + "'" + did_you_mean(k, names));
            }
        }
        for (const auto& [k, v] : g.env) env_[k] = substitute(v, resolver(), g.where("/env/" + k));
    }

    [[nodiscard]] const std::filesystem::path& base() const { return base_; }
    [[nodiscard]] const GraphFile& graph() const { return g_; }
    [[nodiscard]] const GraphRunOptions& options() const { return o_; }
    [[nodiscard]] const ConfigLayers& config() const { return config_; }
    [[nodiscard]] const std::map<std::string, std::string>& env() const { return env_; }
    void set_adapters(AdapterSet* a) { adapters_ = a; }

    [[nodiscard]] std::filesystem::path absolute(const std::string& p) const {
        std::filesystem::path path(p);
        return (path.is_absolute() ? path : base_ / path).lexically_normal();
    }

    /// The resolved path of a stage's declared output (used by ${stages.<id>.outputs.<name>}).
    [[nodiscard]] std::filesystem::path output_path(const StageDecl& /*stage*/, const ArtifactDecl& a) const {
        return absolute(substitute(a.path, resolver(), g_.where(a.pointer)));
    }

    [[nodiscard]] Resolver resolver() const {
        return [this](const Reference& r) -> std::optional<std::string> {
            if (r.scope == "params") {
                if (auto it = o_.params.find(r.path); it != o_.params.end()) return it->second;
                if (const ParamDecl* p = g_.find_param(r.parts.front()); p && !p->default_value.is_null()) return scalar_text(p->default_value);
                throw ConfigError(r.text + ": parameter '" + r.path + "' has no value (pass --param " + r.path + "=VALUE)");
            }
            if (r.scope == "config") {
                if (auto v = config_.find(r.path)) {
                    if (auto text = scalar_text(v->value)) return text;
                    throw ConfigError(r.text + " is a mapping or a list (from " + v->layer + "), not a value");
                }
                throw ConfigError("unknown reference " + r.text + ": no layer sets config '" + r.path + "' (--param, the graph file's config, orrery.yaml, " +
                                  config_env_name(r.path) + ")" + did_you_mean(r.parts.front(), config_.keys()));
            }
            if (r.scope == "env") {
                if (auto it = env_.find(r.path); it != env_.end()) return it->second;
                throw ConfigError(r.text + ": environment variable " + r.path + " is not set");
            }
            if (r.scope == "stages") {
                const StageDecl* s = g_.find_stage(r.parts[0]);
                const ArtifactDecl* a = s ? s->output(r.parts[2]) : nullptr;
                if (!a) return std::nullopt;
                return output_path(*s, *a).string();
            }
            if (r.scope == "adapter") {
                if (!adapters_) throw ConfigError(r.text + ": no adapters are running");
                return adapters_->value(r.parts[0], r.path.substr(r.parts[0].size() + 1));
            }
            return std::nullopt;
        };
    }

    /// `text` substituted; errors name where the text is in the file.
    [[nodiscard]] std::string resolve(const std::string& text, const std::string& pointer) const {
        try {
            return substitute(text, resolver(), g_.where(pointer));
        } catch (const ConfigError& e) {
            const std::string where = g_.where(pointer);
            const std::string msg = e.what();
            throw ConfigError(msg.rfind(where, 0) == 0 ? msg : where + ": " + msg);
        }
    }

private:
    const GraphFile& g_;
    const GraphRunOptions& o_;
    std::filesystem::path base_;
    std::map<std::string, std::string> env_;
    ConfigLayers config_;
    AdapterSet* adapters_ = nullptr;
};

/// A stage with every reference resolved: what runs, in which directory, with what.
struct ResolvedStage {
    const StageDecl* decl = nullptr;
    std::optional<ProcessSpec> process{};     // command stages
    nlohmann::json parameters{};              // step stages
    std::map<std::string, std::filesystem::path> inputs{}, outputs{};
    std::map<std::string, std::filesystem::path> upstream{};  // "<stage>.<output>" it references -> path
    std::map<std::string, std::filesystem::path> schemas{};  // output name -> schema file
    nlohmann::json description{};             // for the dry run, the ledger and the fingerprint
};

inline ProcessSpec resolve_command(const RunState& run, const CommandDecl& c, const std::string& pointer,
                                   const std::map<std::string, std::string>& stage_env) {
    std::vector<std::string> args;
    for (std::size_t i = 0; i < c.args.size(); ++i) args.push_back(run.resolve(c.args[i], pointer + "/args/" + std::to_string(i)));
    std::string program = run.resolve(c.program, pointer + "/command");
    // A relative path with a directory part, or a file beside the graph file, is a script of the project.
    if (program.find('/') != std::string::npos || std::filesystem::exists(run.base() / program)) {
        if (!std::filesystem::path(program).is_absolute()) program = run.absolute(program).string();
    }
    Runtime runtime = Runtime::exec;
    if (!c.runtime.empty()) runtime = *parse_runtime(c.runtime);
    else runtime = detect_runtime(program);
    ProcessSpec spec = command_for(runtime, program, std::move(args));
    spec.env = run.env();
    for (const auto& [k, v] : stage_env) spec.env[k] = v;
    spec.inherit_environment = false;  // run.env() already holds the process environment
    spec.cwd = c.cwd.empty() ? run.base() : run.absolute(run.resolve(c.cwd, pointer + "/cwd"));
    return spec;
}

inline ResolvedStage resolve_stage(const RunState& run, const StageDecl& s) {
    const GraphFile& g = run.graph();
    ResolvedStage r;
    r.decl = &s;
    nlohmann::json d = {{"id", s.id}};
    for (const auto& a : s.inputs) r.inputs[a.name] = run.absolute(run.resolve(a.path, a.pointer));
    // Other stages' outputs it names are inputs too: their content is part of the cache key.
    for_each_string(g.document.value.at(nlohmann::json::json_pointer(s.pointer)), s.pointer, [&](const std::string& text, const std::string& ptr) {
        for (const auto& ref : find_references(text, g.where(ptr)))
            if (ref.scope == "stages" && ref.parts.size() == 3 && ref.parts[0] != s.id)
                if (const StageDecl* producer = g.find_stage(ref.parts[0]))
                    if (const ArtifactDecl* out = producer->output(ref.parts[2])) r.upstream[ref.parts[0] + "." + ref.parts[2]] = run.output_path(*producer, *out);
    });
    for (const auto& a : s.outputs) {
        r.outputs[a.name] = run.output_path(s, a);
        if (!a.schema.empty()) r.schemas[a.name] = run.absolute(run.resolve(a.schema, a.pointer + "/schema"));
    }
    if (s.command) {
        std::map<std::string, std::string> env;
        for (const auto& [k, v] : s.command->env) env[k] = run.resolve(v, s.pointer + "/env/" + k);
        r.process = resolve_command(run, *s.command, s.pointer, env);
        nlohmann::json argv = nlohmann::json::array({r.process->program});
        for (const auto& a : r.process->args) argv.push_back(a);
        d["command"] = argv;
        d["cwd"] = r.process->cwd.string();
        // What the ledger and the dry run show: a value read from ${env.X} is recorded as
        // written, so tokens passed through the environment never reach a file.
        const auto shown = [&](const std::string& raw, const std::string& resolved) { return raw.find("${env.") == std::string::npos ? resolved : raw; };
        d["env"] = nlohmann::json::object();
        for (const auto& [k, v] : g.env) d["env"][k] = shown(v, run.env().at(k));
        for (const auto& [k, v] : env) d["env"][k] = shown(s.command->env.at(k), v);
        // The script's own content is part of what the stage is: an edit reruns it.
        for (const auto& a : r.process->args)
            if (a.rfind(run.base().string(), 0) == 0 && std::filesystem::is_regular_file(a)) {
                d["script_sha256"] = sha256_file(a);
                break;
            }
        if (std::filesystem::is_regular_file(r.process->program) && r.process->program.rfind(run.base().string(), 0) == 0)
            d["script_sha256"] = sha256_file(r.process->program);
    } else {
        r.parameters = substitute_json(s.parameters, run.resolver(), [&](const std::string& ptr) { return g.where(s.pointer + "/parameters" + ptr); });
        d["step"] = s.step;
        d["parameters"] = r.parameters;
    }
    for (const auto& [k, p] : r.inputs) d["inputs"][k] = p.string();
    for (const auto& [k, p] : r.upstream) d["upstream"][k] = p.string();
    for (const auto& [k, p] : r.outputs) d["outputs"][k] = p.string();
    r.description = std::move(d);
    return r;
}

/// The hooks that apply to stage `id`, global ones first.
inline std::vector<const HookDecl*> hooks_for(const GraphFile& g, const StageDecl& s, bool pre) {
    std::vector<const HookDecl*> out;
    for (const auto& h : pre ? g.hooks.pre : g.hooks.post)
        if (h.stages.empty() || std::find(h.stages.begin(), h.stages.end(), s.id) != h.stages.end()) out.push_back(&h);
    for (const auto& h : pre ? s.hooks.pre : s.hooks.post) out.push_back(&h);
    return out;
}

}  // namespace detail

}  // namespace orrery::workflow
