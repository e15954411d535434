#pragma once
/// One attempt of one stage of a stage-graph file, after its references are
/// resolved: pre-hooks, declared inputs present, the command (its own process group,
/// output to the stage's log file, killed with its children on timeout or
/// cancellation) or the registered step (a step handler on a StageRequest, or a
/// product step reading its input file and saving its product), then declared
/// outputs present and valid against their schemas, post-hooks, artifact hashes.
/// Failures are StageFailure values with a one-line message; nothing here throws
/// past the attempt.

#include "orrery/core/any_step.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/logger.hpp"
#include "orrery/core/pipeline_product.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/run_step.hpp"
#include "orrery/core/stage_result.hpp"
#include "orrery/workflow/artifacts.hpp"
#include "orrery/workflow/child_process.hpp"
#include "orrery/workflow/json_schema.hpp"
#include "orrery/workflow/run_state.hpp"
#include "orrery/workflow/stage_request.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <typeindex>
#include <vector>

namespace orrery::workflow {

/// Why an attempt failed, and the command's exit status when one ran.
struct AttemptFailure {
    StageFailure failure{};
    int exit_code = 0;
};

namespace detail {

inline std::string first_line(std::string s) {
    if (auto nl = s.find('\n'); nl != std::string::npos) s.erase(nl);
    return s;
}

/// A hook: a command, a schema validation, or a cleanup. Returns a failure message or "".
inline std::string run_hook(const RunState& run, const HookDecl& h, const ResolvedStage& stage, const std::filesystem::path& log, Context& ctx) {
    if (h.type == "command") {
        ProcessSpec spec = resolve_command(run, h.command, h.pointer, {});
        spec.log_file = log;
        spec.cancelled = [&ctx] { return ctx.cancelled(); };
        spec.env["ORRERY_STAGE"] = stage.decl->id;
        const ProcessResult p = run_process(spec);
        if (!p.ok()) return "hook '" + h.command.program + "' (" + run.graph().where(h.pointer) + ") failed: " + describe_exit(p);
        return {};
    }
    if (h.type == "validate") {
        std::vector<std::pair<std::filesystem::path, std::filesystem::path>> checks;  // file, schema
        if (!h.path.empty()) checks.emplace_back(run.absolute(run.resolve(h.path, h.pointer + "/path")), run.absolute(run.resolve(h.schema, h.pointer + "/schema")));
        else if (!h.artifact.empty()) {
            if (!stage.outputs.count(h.artifact)) return "hook (" + run.graph().where(h.pointer) + "): stage '" + stage.decl->id + "' has no output '" + h.artifact + "'";
            if (h.schema.empty() && !stage.schemas.count(h.artifact)) return "hook (" + run.graph().where(h.pointer) + "): output '" + h.artifact + "' has no schema";
            checks.emplace_back(stage.outputs.at(h.artifact),
                                h.schema.empty() ? stage.schemas.at(h.artifact) : run.absolute(run.resolve(h.schema, h.pointer + "/schema")));
        } else {
            for (const auto& [name, schema] : stage.schemas) checks.emplace_back(stage.outputs.at(name), schema);
        }
        for (const auto& [file, schema] : checks) {
            const auto problems = validate_json_artifact(file, load_schema_file(schema));
            if (!problems.empty()) return problems.front() + (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "");
        }
        return {};
    }
    // cleanup: remove what it names; a path outside the graph's directory is refused.
    for (std::size_t i = 0; i < h.paths.size(); ++i) {
        const auto p = run.absolute(run.resolve(h.paths[i], h.pointer + "/paths/" + std::to_string(i)));
        const auto rel = p.lexically_relative(run.base());
        if (rel.empty() || *rel.begin() == "..")
            return "cleanup hook (" + run.graph().where(h.pointer) + ") refuses to remove " + p.string() + ": outside " + run.base().string();
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
        if (ec) return "cleanup hook could not remove " + p.string() + ": " + ec.message();
    }
    return {};
}

/// A registered step: a handler gets a StageRequest; a product step reads its
/// first input and saves its product (stpipe naming; parameters such as output_dir apply).
inline void run_step_stage(const RunState& run, const ResolvedStage& stage, const std::filesystem::path& run_dir, const std::filesystem::path& log, Context& parent) {
    const StageDecl& s = *stage.decl;
    auto step = Registry::instance().create(s.step);
    const StepInfo& info = step->info();
    step->configure(to_param_node(stage.parameters, run.graph().where(s.pointer + "/parameters")));
    Context ctx = parent.fork();
    std::FILE* f = std::fopen(log.c_str(), "a");
    if (!f) throw StepError("cannot write the stage log " + log.string());
    ctx.set_logger(std::make_shared<StreamLogger>(f, LogLevel::info, true));
    if (info.input_type == std::type_index(typeid(StageRequest))) {
        StageRequest req{s.id, run.base(), run_dir, stage.inputs, stage.outputs};
        AnyValue out = step->run(AnyValue(std::move(req)), ctx);
        if (const auto* a = out.get<StageArtifacts>(); a && !a->summary.empty()) ctx.info(s.id + ": " + a->summary);
        return;
    }
    const std::filesystem::path input = stage.inputs.begin()->second;
    ctx.set_input_filename(input.string());
    step->settings().save_results = true;
    AnyValue result = step->run(info.load_input(input), ctx);
    if (info.kind == StepKind::pipeline)
        for (const auto& p : save_pipeline_product(*step, result, ctx)) ctx.info("Saved " + p.string());
}

}  // namespace detail

/// One attempt; on success the artifacts made (outputs hashed), else the failure.
inline std::optional<AttemptFailure> run_stage_attempt(const detail::RunState& run, const detail::ResolvedStage& stage, const std::filesystem::path& run_dir,
                                                       const std::filesystem::path& log, int attempt, Context& ctx, std::vector<ArtifactRecord>& artifacts) {
    const StageDecl& s = *stage.decl;
    const GraphFile& g = run.graph();
    try {
        std::filesystem::create_directories(log.parent_path());
        if (attempt > 1)
            if (std::FILE* f = std::fopen(log.c_str(), "a")) {
                std::fprintf(f, "---- attempt %d ----\n", attempt);
                std::fclose(f);
            }
        for (const auto* h : detail::hooks_for(g, s, true))
            if (auto m = detail::run_hook(run, *h, stage, log, ctx); !m.empty()) return AttemptFailure{{"pre-hook: " + m, "hook"}, 0};
        for (const auto& a : s.inputs) {
            const auto& p = stage.inputs.at(a.name);
            if (!std::filesystem::exists(p)) {
                std::string producer;
                for (const auto& other : g.stages)
                    for (const auto& o : other.outputs)
                        if (run.output_path(other, o) == p) producer = other.id;
                return AttemptFailure{{"input '" + a.name + "' (" + p.string() + ") does not exist" +
                                           (producer.empty() ? std::string() : " — it is made by stage '" + producer + "'"),
                                       "input"},
                                      0};
            }
        }
        for (const auto& [name, p] : stage.upstream)
            if (!std::filesystem::exists(p))
                return AttemptFailure{{"output " + name + " (" + p.string() + ") does not exist: run stage '" + name.substr(0, name.find('.')) + "' first", "input"}, 0};
        for (const auto& [name, p] : stage.outputs)
            if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
        if (stage.process) {
            ProcessSpec spec = *stage.process;
            spec.log_file = log;
            spec.timeout = s.timeout;
            spec.cancelled = [&ctx] { return ctx.cancelled(); };
            spec.env["ORRERY_STAGE"] = s.id;
            spec.env["ORRERY_RUN_DIR"] = run_dir.string();
            const ProcessResult p = run_process(spec);
            if (!p.ok())
                return AttemptFailure{{describe_exit(p) + " (log: " + log.string() + ")", p.timed_out ? "timeout" : p.cancelled ? "cancelled" : "exit"},
                                      p.exit_code};
        } else {
            detail::run_step_stage(run, stage, run_dir, log, ctx);
        }
        for (const auto& a : s.outputs) {
            const auto& p = stage.outputs.at(a.name);
            if (!std::filesystem::exists(p)) return AttemptFailure{{"output '" + a.name + "' (" + p.string() + ") was not made", "artifact"}, 0};
        }
        for (const auto& [name, schema] : stage.schemas) {
            const auto problems = validate_json_artifact(stage.outputs.at(name), load_schema_file(schema));
            if (!problems.empty())
                return AttemptFailure{{"output '" + name + "' fails its schema " + schema.filename().string() + ": " + problems.front() +
                                           (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : ""),
                                       "artifact"},
                                      0};
        }
        for (const auto* h : detail::hooks_for(g, s, false))
            if (auto m = detail::run_hook(run, *h, stage, log, ctx); !m.empty()) return AttemptFailure{{"post-hook: " + m, "hook"}, 0};
        artifacts.clear();
        for (const auto& [name, p] : stage.outputs) artifacts.push_back(hash_artifact(name, p));
        return std::nullopt;
    } catch (const std::exception& e) {
        return AttemptFailure{{detail::first_line(e.what()), "error"}, 0};
    } catch (...) {
        return AttemptFailure{{"unknown exception", "error"}, 0};
    }
}

}  // namespace orrery::workflow
