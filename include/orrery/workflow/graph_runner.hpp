#pragma once
/// Running a stage-graph file: choose the stages (pipeline, --only/--skip/--from/
/// --to), start the adapters, resolve every stage, then lower the selection to a
/// GraphPlan that the graph layer's executor runs (independent stages in parallel,
/// retries with backoff, fail-fast or continue-on-error). Around each stage: its
/// condition, --resume and the cache (a stage with outputs whose command,
/// parameters and input hashes are unchanged since its last success is `cached`),
/// and one ledger record per event. A dry run resolves everything, runs nothing.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/graph/executor.hpp"
#include "orrery/graph/graph_options.hpp"
#include "orrery/graph/plan.hpp"
#include "orrery/workflow/adapter_set.hpp"
#include "orrery/workflow/condition.hpp"
#include "orrery/workflow/graph_file.hpp"
#include "orrery/workflow/run_ledger.hpp"
#include "orrery/workflow/run_state.hpp"
#include "orrery/workflow/stage_cache.hpp"
#include "orrery/workflow/stage_execution.hpp"
#include "orrery/workflow/stage_selection.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace orrery::workflow {

/// The ledger directory of a run of `g`.
inline std::filesystem::path ledger_dir_of(const GraphFile& g, const GraphRunOptions& o) {
    return o.ledger_dir.empty() ? std::filesystem::absolute(g.base_dir()).lexically_normal() / ".orrery-runs" : o.ledger_dir;
}

/// The command line that reruns one stage (shown on failure).
inline std::string rerun_command(const GraphFile& g, const GraphRunOptions& o, const std::string& stage) {
    std::string cmd = o.program + " graph run-stage " + g.document.path.string() + " " + stage;
    for (const auto& [k, v] : o.params) cmd += " --param " + k + "=" + v;
    return cmd;
}

namespace detail {

inline std::string status_of(StageStatus s) {
    switch (s) {
        case StageStatus::succeeded: return "succeeded";
        case StageStatus::failed: return "failed";
        case StageStatus::skipped: return "skipped";
        case StageStatus::cancelled: return "cancelled";
        case StageStatus::pending: return "pending";
    }
    return "pending";
}

inline nlohmann::json artifacts_json(const std::vector<ArtifactRecord>& artifacts) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : artifacts) out.push_back({{"name", a.name}, {"path", a.path.string()}, {"sha256", a.sha256}, {"bytes", a.bytes}});
    return out;
}

/// What the executor's threads share while the plan runs.
class RunRecorder {
public:
    RunRecorder(RunLedger& ledger, GraphRunObserver* observer, std::size_t total) : ledger_(ledger), observer_(observer), total_(total) {}

    void record(StageOutcome o, const nlohmann::json& extra = {}) {
        std::lock_guard lock(mutex_);
        nlohmann::json rec = {{"record", "stage"}, {"run_id", ledger_.run_id()}, {"stage", o.id}, {"status", o.status},
                              {"duration_ms", static_cast<long long>(o.seconds * 1000)}, {"attempt", o.attempts},
                              {"artifacts", artifacts_json(o.artifacts)}, {"exit_code", o.exit_code},
                              {"log", o.log.empty() ? nlohmann::json() : nlohmann::json(o.log.string())}, {"message", o.message}};
        if (!o.resolved.is_null()) rec["resolved"] = o.resolved;
        if (extra.is_object()) rec.update(extra);
        ledger_.write(rec);
        if (o.status == "started" || o.status == "retrying") return;
        ++finished_;
        if (observer_) observer_->on_stage(o, finished_, total_);
        outcomes_[o.id] = std::move(o);
    }
    [[nodiscard]] bool has(const std::string& id) const {
        std::lock_guard lock(mutex_);
        return outcomes_.count(id) > 0;
    }
    std::map<std::string, StageOutcome> take() {
        std::lock_guard lock(mutex_);
        return std::move(outcomes_);
    }

private:
    RunLedger& ledger_;
    GraphRunObserver* observer_;
    std::size_t total_;
    std::size_t finished_ = 0;
    mutable std::mutex mutex_;
    std::map<std::string, StageOutcome> outcomes_;
};

/// The executor retries a failed attempt when this says so (the plan node's retry_on agrees):
/// a missing input or a configuration error fails the same way every time.
inline bool retry_allows(const StageDecl& s, const StageFailure& f, int attempt) {
    return attempt < s.retry.max_attempts && f.category != "cancelled" && f.category != "input" && f.category != "config";
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace detail

/// The plan without running it: every selected stage resolved (status "planned"),
/// with what the cache would do. Errors in references surface here, as in a run.
inline GraphRunReport plan_graph_file(const GraphFile& g, const GraphRunOptions& o, Context& ctx) {
    GraphRunReport report;
    const Selection sel = select_stages(g, o.selection);
    report.pipeline = sel.pipeline;
    report.left_out = sel.left_out;
    detail::RunState run(g, o);
    AdapterSet adapters = AdapterSet::from_json(g.adapters, ctx, run.base());
    run.set_adapters(&adapters);
    const StageCache cache = StageCache::load(ledger_dir_of(g, o));
    for (const auto& id : sel.stages) {
        const StageDecl& s = *g.find_stage(id);
        StageOutcome out;
        out.id = id;
        out.status = "planned";
        const detail::ResolvedStage r = detail::resolve_stage(run, s);
        out.resolved = r.description;
        if (!s.when.empty()) out.resolved["when"] = s.when;
        if (!o.force && !s.outputs.empty()) {
            std::vector<ArtifactRecord> in;
            bool inputs_ready = true;
            for (const auto* group : {&r.inputs, &r.upstream})
                for (const auto& [name, p] : *group) {
                    if (!std::filesystem::exists(p)) inputs_ready = false;
                    else in.push_back(hash_artifact(name, p));
                }
            std::vector<std::pair<std::string, std::filesystem::path>> outs(r.outputs.begin(), r.outputs.end());
            if (inputs_ready && cache.is_fresh(id, stage_fingerprint(r.description, in), outs)) out.message = "would be cached";
        }
        out.rerun = rerun_command(g, o, id);
        report.stages.push_back(std::move(out));
    }
    return report;
}

/// Run the selected stages of `g`; `ctx` provides logging and the services steps need.
/// Problems with the file, the selection or references are thrown before anything runs.
inline GraphRunReport run_graph_file(const GraphFile& g, const GraphRunOptions& o, Context& ctx, GraphRunObserver* observer = nullptr) {
    if (o.dry_run) return plan_graph_file(g, o, ctx);
    const auto t0 = std::chrono::steady_clock::now();
    const Selection sel = select_stages(g, o.selection);
    detail::RunState run(g, o);
    for (const auto& name : g.required_env)
        if (!run.env().count(name)) throw ConfigError(g.where("/requires/env") + ": environment variable " + name + " is required");
    for (const auto& prog : g.required_programs)
        if (!find_program(prog)) throw ConfigError(g.where("/requires/programs") + ": program '" + prog + "' is not on PATH");

    const auto ledger_dir = ledger_dir_of(g, o);
    std::set<std::string> done_before;
    std::optional<RunLedger> ledger_holder;
    if (!o.resume.empty()) {
        const auto path = find_run(ledger_dir, o.resume);
        if (!path) throw UsageError("--resume " + o.resume + ": no such run in " + ledger_dir.string());
        done_before = stages_done(read_ledger(*path));
        ledger_holder.emplace(RunLedger::reopen(ledger_dir, path->stem().string()));
    } else {
        ledger_holder.emplace(RunLedger::create(ledger_dir, sel.pipeline));
    }
    RunLedger& ledger = *ledger_holder;
    const auto run_dir = ledger_dir / ledger.run_id();
    std::filesystem::create_directories(run_dir);

    AdapterSet adapters = AdapterSet::from_json(g.adapters, ctx, run.base());
    run.set_adapters(&adapters);

    GraphRunReport report;
    report.run_id = ledger.run_id();
    report.ledger = ledger.path();
    report.pipeline = sel.pipeline;
    report.left_out = sel.left_out;
    ledger.write({{"record", "run"}, {"event", o.resume.empty() ? "start" : "resume"}, {"run_id", ledger.run_id()}, {"pipeline", sel.pipeline},
                  {"graph_file", std::filesystem::absolute(g.document.path).string()}, {"stages", sel.stages}, {"left_out", sel.left_out},
                  {"params", o.params}, {"force", o.force}});
    if (observer) observer->on_start(report, sel.stages);

    const StageCache cache = o.force ? StageCache{} : StageCache::load(ledger_dir);
    detail::RunRecorder recorder(ledger, observer, sel.stages.size());

    GraphPlan plan{g.name, {}};
    std::map<std::string, std::size_t> index;
    for (const auto& id : sel.stages) index[id] = index.size();
    for (const auto& id : sel.stages) {
        const StageDecl& s = *g.find_stage(id);
        PlanNode node;
        node.id = id;
        node.stage_type = s.is_command() ? "command" : s.step;
        node.optional = s.optional;
        for (const auto& dep : s.dependencies())
            if (index.count(dep)) node.inputs.push_back(PlanInput{index.at(dep), {}, false});
        node.retry.max_attempts = s.retry.max_attempts;
        node.retry.initial_backoff = s.retry.initial_backoff;
        node.retry.multiplier = s.retry.multiplier;
        node.retry.max_backoff = s.retry.max_backoff;
        node.retry.jitter = s.retry.jitter;
        node.retry.retry_on = [&g, id](const StageFailure& f) { return detail::retry_allows(*g.find_stage(id), f, 0); };
        node.count_outputs = [](const AnyValue& v) -> std::size_t {
            const auto* a = v.get<std::vector<ArtifactRecord>>();
            return a ? a->size() : 0;
        };
        const auto condition = s.when.empty() ? std::shared_ptr<Condition>() : std::make_shared<Condition>(s.when, g.where(s.pointer));
        const bool resumed = done_before.count(id) > 0;
        const auto first_start = std::make_shared<std::chrono::steady_clock::time_point>();
        node.run = [&, id, condition, resumed, first_start](AttemptCall& call) -> AttemptOutcome {
            const StageDecl& st = *g.find_stage(id);
            const auto log = run_dir / (id + ".log");
            StageOutcome out;
            out.id = id;
            out.attempts = call.attempt;
            out.rerun = rerun_command(g, o, id);
            out.optional = st.optional;
            if (call.attempt == 1) *first_start = std::chrono::steady_clock::now();
            const auto fail = [&](const StageFailure& f, int exit_code, bool final) {
                out.status = final ? "failed" : "retrying";
                out.message = f.message;
                out.exit_code = exit_code;
                out.seconds = detail::seconds_since(*first_start);
                out.log = std::filesystem::exists(log) ? log : std::filesystem::path();
                recorder.record(out);
                return AttemptOutcome::failed(f);
            };
            try {
                if (resumed) {
                    out.status = "resumed";
                    out.message = "done in the run being resumed";
                    recorder.record(out);
                    return AttemptOutcome::of(std::make_shared<AnyValue>(std::vector<ArtifactRecord>{}));
                }
                if (condition && !condition->evaluate(run.resolver(), run.base())) {
                    out.status = "skipped";
                    out.message = "condition false: " + st.when;
                    recorder.record(out);
                    return AttemptOutcome::skip(out.message);
                }
                const detail::ResolvedStage r = detail::resolve_stage(run, st);
                out.resolved = r.description;
                std::vector<ArtifactRecord> inputs;
                bool inputs_ready = true;
                for (const auto* group : {&r.inputs, &r.upstream})
                    for (const auto& [name, p] : *group) {
                        if (std::filesystem::exists(p)) inputs.push_back(hash_artifact(name, p));
                        else inputs_ready = false;
                    }
                const std::string fingerprint = inputs_ready ? stage_fingerprint(r.description, inputs) : std::string();
                std::vector<std::pair<std::string, std::filesystem::path>> outs(r.outputs.begin(), r.outputs.end());
                if (!o.force && !st.outputs.empty() && inputs_ready && cache.is_fresh(id, fingerprint, outs)) {
                    out.status = "cached";
                    out.message = "unchanged since its last success";
                    for (const auto& [name, p] : r.outputs) out.artifacts.push_back(hash_artifact(name, p));
                    recorder.record(out, {{"fingerprint", fingerprint}});
                    return AttemptOutcome::of(std::make_shared<AnyValue>(out.artifacts));
                }
                if (call.attempt == 1) {
                    StageOutcome started = out;
                    started.status = "started";
                    recorder.record(started);
                }
                std::vector<ArtifactRecord> made;
                const auto failure = run_stage_attempt(run, r, run_dir, log, call.attempt, call.ctx, made);
                if (failure) {
                    const bool final = !detail::retry_allows(st, failure->failure, call.attempt);
                    return fail(failure->failure, failure->exit_code, final);
                }
                out.status = "succeeded";
                out.seconds = detail::seconds_since(*first_start);
                out.log = std::filesystem::exists(log) ? log : std::filesystem::path();
                out.artifacts = made;
                recorder.record(out, {{"fingerprint", fingerprint}});
                return AttemptOutcome::of(std::make_shared<AnyValue>(std::move(made)));
            } catch (const std::exception& e) {
                return fail({detail::first_line(e.what()), "config"}, 0, true);
            }
        };
        plan.nodes.push_back(std::move(node));
    }

    GraphOptions go;
    go.on_failure = o.continue_on_error ? FailurePolicy::continue_on_error : FailurePolicy::fail_fast;
    go.concurrency = o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const GraphResult result = run_plan(plan, ctx, go);

    auto outcomes = recorder.take();
    for (const auto& rep : result.stages) {
        auto it = outcomes.find(rep.id);
        if (it == outcomes.end() || (it->second.status == "failed" && rep.status == StageStatus::cancelled)) {
            StageOutcome out;
            out.id = rep.id;
            out.status = detail::status_of(rep.status);
            out.message = rep.message;
            out.optional = rep.optional;
            detail::RunRecorder(ledger, nullptr, 0).record(out);
            if (observer) observer->on_stage(out, 0, sel.stages.size());
            report.stages.push_back(std::move(out));
        } else {
            report.stages.push_back(std::move(it->second));
        }
    }
    report.status = result.status;
    report.seconds = detail::seconds_since(t0);
    std::vector<std::string> failed;
    for (const auto& s : report.stages)
        if (s.status == "failed") failed.push_back(s.id);
    ledger.write({{"record", "run"}, {"event", "finish"}, {"run_id", ledger.run_id()}, {"pipeline", sel.pipeline},
                  {"status", graph_status_text(result.status)}, {"duration_ms", static_cast<long long>(report.seconds * 1000)}, {"failed", failed}});
    return report;
}

}  // namespace orrery::workflow
