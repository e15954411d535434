#pragma once
/// Runs a GraphPlan on oneTBB: every node whose inputs are done is handed to a
/// task_group inside a task_arena of the run's concurrency, so independent stages
/// run at once with no annotation; a fan-out node runs its elements with a
/// parallel_for. Around each stage: inputs (absent ones for skipped producers),
/// its condition, attempts with retry/backoff/timeout, the output handler and
/// counter, events and metrics. Failures follow GraphOptions::on_failure.
///
/// Timeouts are cooperative: a C++ stage cannot be stopped from outside without
/// corrupting the process, so an attempt's context reports cancelled() once its
/// time is up (long stages check ctx.throw_if_cancelled()), and an attempt that
/// returns late is a failure of category "timeout" whatever it returned.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/events.hpp"
#include "orrery/graph/graph_options.hpp"
#include "orrery/graph/graph_result.hpp"
#include "orrery/graph/plan.hpp"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace orrery {

namespace graph_detail {

/// Structural checks every plan passes before it runs (dynamic graphs report
/// problems earlier and better; this guards hand-made plans).
inline void check_plan(const GraphPlan& plan) {
    const std::string where = "graph '" + plan.name + "': ";
    std::unordered_set<std::string_view> ids;  // comparing every pair took a third of a 1,000-stage run
    ids.reserve(plan.nodes.size());
    for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
        const auto& n = plan.nodes[i];
        if (n.id.empty()) throw ConfigError(where + "a stage has an empty id");
        if (!ids.insert(n.id).second) throw ConfigError(where + "two stages have the id '" + n.id + "'");
        for (const auto& in : n.inputs)
            if (in.producer >= plan.nodes.size() || in.producer == i)
                throw ConfigError(where + "stage '" + n.id + "' reads from a stage that is not in the graph");
        if (!n.graph_input && !n.run) throw ConfigError(where + "stage '" + n.id + "' has nothing to run");
        if (static_cast<bool>(n.split) != static_cast<bool>(n.gather))
            throw ConfigError(where + "stage '" + n.id + "' is a fan-out without both split and gather");
        if (n.split && n.inputs.size() != 1) throw ConfigError(where + "fan-out stage '" + n.id + "' must have exactly one input");
        if (auto problem = retry_policy_problem(n.retry); !problem.empty()) throw ConfigError(where + "stage '" + n.id + "': " + problem);
    }
    // Kahn's algorithm: whatever is left has a cycle.
    std::vector<int> indegree(plan.nodes.size(), 0);
    std::vector<std::vector<std::size_t>> out(plan.nodes.size());
    for (std::size_t i = 0; i < plan.nodes.size(); ++i)
        for (const auto& in : plan.nodes[i].inputs) {
            ++indegree[i];
            out[in.producer].push_back(i);
        }
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < plan.nodes.size(); ++i)
        if (indegree[i] == 0) ready.push_back(i);
    std::size_t seen = 0;
    while (!ready.empty()) {
        const std::size_t i = ready.back();
        ready.pop_back();
        ++seen;
        for (auto d : out[i])
            if (--indegree[d] == 0) ready.push_back(d);
    }
    if (seen != plan.nodes.size()) {
        std::string on_cycle;
        for (std::size_t i = 0; i < plan.nodes.size(); ++i)
            if (indegree[i] > 0) on_cycle += (on_cycle.empty() ? "'" : ", '") + plan.nodes[i].id + "'";
        throw ConfigError(where + "the stages " + on_cycle + " depend on each other in a cycle");
    }
}

inline StageFailure failure_from_current_exception() {
    try {
        throw;
    } catch (const Error& e) {
        return {e.what(), category_name(e.category())};
    } catch (const std::exception& e) {
        return {e.what(), "exception"};
    } catch (...) {
        return {"unknown exception", "exception"};
    }
}

inline std::string seconds_text(Clock::duration d) {
    const double s = std::chrono::duration<double>(d).count();
    std::string t = std::to_string(s);
    t.erase(t.find_last_not_of('0') + 1);
    if (!t.empty() && t.back() == '.') t.pop_back();
    return t + " s";
}

class PlanRun {
public:
    PlanRun(const GraphPlan& plan, Context& ctx, const GraphOptions& options, StageValue graph_input)
        : plan_(plan), options_(options), clock_(options.clock ? options.clock : std::make_shared<SteadyClock>()),
          run_ctx_(ctx.fork()), nodes_(plan.nodes.size()), remaining_(plan.nodes.size()), graph_input_(std::move(graph_input)) {
        if (!options_.jitter_source) {
            rng_.seed(std::random_device{}());
            jitter_ = [this] {
                std::lock_guard lock(rng_mutex_);
                return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
            };
        } else {
            jitter_ = options_.jitter_source;
        }
        if (options_.deadline) {
            const auto deadline = clock_->now() + *options_.deadline;
            auto clock = clock_;
            run_ctx_.set_deadline_check([clock, deadline] { return clock->now() >= deadline; });
        }
        dependants_.resize(plan.nodes.size());
        for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
            remaining_[i].store(static_cast<int>(plan.nodes[i].inputs.size()));
            for (const auto& in : plan.nodes[i].inputs) dependants_[in.producer].push_back(i);
        }
        for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
            auto& r = nodes_[i].report;
            r.id = plan.nodes[i].id;
            r.stage_type = plan.nodes[i].stage_type;
            r.optional = plan.nodes[i].optional;
        }
    }

    GraphResult run() {
        const auto started = clock_->now();
        const int concurrency = std::max(1, options_.concurrency > 0 ? options_.concurrency : run_ctx_.max_threads());
        // More stages at once than cores (stages waiting on I/O): raise oneTBB's soft limit for this run.
        std::optional<tbb::global_control> allow;
        if (concurrency > tbb::info::default_concurrency())
            allow.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(concurrency));
        tbb::task_arena arena(concurrency);
        arena.execute([&] {
            for (std::size_t i = 0; i < plan_.nodes.size(); ++i)
                if (plan_.nodes[i].inputs.empty()) group_.run([this, i] { run_node(i); });
            group_.wait();
        });
        GraphResult result;
        result.name = plan_.name;
        result.seconds = std::chrono::duration<double>(clock_->now() - started).count();
        bool failed = false, degraded = false;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            if (plan_.nodes[i].graph_input) continue;
            auto& n = nodes_[i];
            if (n.report.status == StageStatus::failed) (plan_.nodes[i].optional ? degraded : failed) = true;
            if (n.report.status == StageStatus::cancelled) failed = true;
            if (n.output) result.set_output(n.report.id, n.output);
            result.stages.push_back(std::move(n.report));
        }
        if (failed && options_.on_failure == FailurePolicy::continue_on_error && !cancelled_by_deadline_ && !ctx_cancelled_) {
            failed = false;
            degraded = true;
        }
        result.status = failed ? GraphStatus::failed : degraded ? GraphStatus::degraded : GraphStatus::succeeded;
        return result;
    }

private:
    struct NodeState {
        StageReport report;
        StageValue output;
    };

    [[nodiscard]] bool stop_requested() const { return run_ctx_.cancelled(); }

    void run_node(std::size_t i) {
        const PlanNode& node = plan_.nodes[i];
        NodeState& state = nodes_[i];
        if (node.graph_input) {
            state.output = graph_input_;
            state.report.status = graph_input_ ? StageStatus::succeeded : StageStatus::skipped;
            state.report.message = graph_input_ ? "" : "the graph was run without an input";
        } else {
            execute(node, state);
        }
        for (auto d : dependants_[i])
            if (remaining_[d].fetch_sub(1) == 1) group_.run([this, d] { run_node(d); });
    }

    void execute(const PlanNode& node, NodeState& state) {
        auto& report = state.report;
        if (stop_requested()) return cancel(node, state, cancel_reason());
        // Inputs: a producer that did not succeed gives an absent value, accepted only where declared.
        std::vector<StageValue> inputs;
        inputs.reserve(node.inputs.size());
        for (const auto& in : node.inputs) {
            const NodeState& producer = nodes_[in.producer];
            const PlanNode& pnode = plan_.nodes[in.producer];
            if (producer.report.status == StageStatus::succeeded) {
                inputs.push_back(producer.output);
                continue;
            }
            const bool upstream_failed = producer.report.status == StageStatus::failed || producer.report.status == StageStatus::cancelled;
            if (in.accepts_absent && !(upstream_failed && !pnode.optional)) {
                inputs.push_back(nullptr);
                continue;
            }
            if (upstream_failed && options_.on_failure == FailurePolicy::fail_fast && !pnode.optional)
                return cancel(node, state, "input '" + pnode.id + "' " + (producer.report.status == StageStatus::failed ? "failed" : "was cancelled"));
            return skip(node, state, "input '" + pnode.id + "' " + (upstream_failed ? "failed" : "was skipped"));
        }
        if (node.condition) {
            bool go = false;
            try {
                go = node.condition(run_ctx_);
            } catch (...) {
                auto f = failure_from_current_exception();
                f.message = "condition " + node.condition_text + ": " + f.message;
                return fail(node, state, std::move(f), {});
            }
            if (!go) return skip(node, state, "condition " + node.condition_text + " is false");
        }

        const auto started = clock_->now();
        notify(node, StepEvent::Kind::start, {});
        AttemptOutcome outcome;
        std::vector<ElementFailure> element_failures;
        std::size_t fan_out_elements = 0;
        if (node.split) outcome = run_fan_out(node, inputs.front(), report, element_failures, fan_out_elements);
        else outcome = run_attempts(node, inputs, report.attempts);
        report.seconds = std::chrono::duration<double>(clock_->now() - started).count();

        if (outcome.kind == AttemptOutcome::Kind::value) {
            try {
                if (node.apply_output && outcome.value) node.apply_output(*outcome.value, run_ctx_);
                if (node.count_outputs && outcome.value) report.output_count = node.count_outputs(*outcome.value);
                else if (node.split) report.output_count = fan_out_elements;  // a fan-out counts its elements
                else report.output_count = outcome.value ? 1 : 0;
            } catch (...) {
                auto f = failure_from_current_exception();
                f.message = "applying the output: " + f.message;
                return fail(node, state, std::move(f), {});
            }
            state.output = std::move(outcome.value);
            report.status = StageStatus::succeeded;
            record_metrics(node, report);
            notify(node, StepEvent::Kind::finish, {});
        } else if (outcome.kind == AttemptOutcome::Kind::skipped) {
            skip(node, state, outcome.skip_reason);
        } else {
            fail(node, state, std::move(outcome.failure), std::move(element_failures));
        }
    }

    /// Attempts of one call (a whole stage, or one fan-out element) until success,
    /// a failure not worth retrying, or no attempts left.
    AttemptOutcome run_attempts(const PlanNode& node, std::span<const StageValue> inputs, int& attempts_out, std::size_t element = npos) {
        for (int attempt = 1;; ++attempt) {
            attempts_out = std::max(attempts_out, attempt);
            if (stop_requested()) return AttemptOutcome::failed({cancel_reason(), "cancelled"});
            notify(node, StepEvent::Kind::attempt, {}, attempt);
            AttemptOutcome outcome = run_one_attempt(node, inputs, attempt);
            if (outcome.kind != AttemptOutcome::Kind::failure) return outcome;
            if (!node.retry.should_retry(outcome.failure, attempt) || stop_requested()) return outcome;
            const auto delay = backoff_delay(node.retry, attempt, jitter_());
            StepEvent e = event(node, StepEvent::Kind::retry);
            e.attempt = attempt;
            e.message = (element == npos ? "" : "element " + std::to_string(element) + ": ") + outcome.failure.message;
            e.retry_delay_seconds = std::chrono::duration<double>(delay).count();
            if (run_ctx_.has_observers()) run_ctx_.notify(e);
            run_ctx_.info("Stage " + node.id + ": attempt " + std::to_string(attempt) + " failed (" + outcome.failure.message + "); retrying in " +
                          seconds_text(delay));
            if (!clock_->sleep_for(delay, [this] { return stop_requested(); })) return outcome;
        }
    }

    AttemptOutcome run_one_attempt(const PlanNode& node, std::span<const StageValue> inputs, int attempt) {
        Context attempt_ctx = run_ctx_.fork();
        std::optional<Clock::time_point> attempt_deadline;
        if (node.retry.attempt_timeout) {
            attempt_deadline = clock_->now() + *node.retry.attempt_timeout;
            auto clock = clock_;
            const auto deadline = *attempt_deadline;
            const Context* run = &run_ctx_;
            attempt_ctx.set_deadline_check([clock, deadline, run] { return clock->now() >= deadline || run->deadline_passed(); });
        }
        AttemptOutcome outcome;
        try {
            AttemptCall call{inputs, false, attempt_ctx, attempt};
            outcome = node.run(call);
        } catch (...) {
            outcome = AttemptOutcome::failed(failure_from_current_exception());
        }
        if (attempt_deadline && clock_->now() > *attempt_deadline && !run_ctx_.deadline_passed())
            return AttemptOutcome::failed({"attempt " + std::to_string(attempt) + " exceeded its timeout of " +
                                               seconds_text(*node.retry.attempt_timeout),
                                           "timeout"});
        if (outcome.kind == AttemptOutcome::Kind::failure && outcome.failure.category == "cancelled" && run_ctx_.deadline_passed())
            outcome.failure = {"the graph's deadline passed", "timeout"};
        return outcome;
    }

    /// Each element of the input range through the stage, in parallel, retried per
    /// element; outputs gathered in input order; failures listed by index.
    AttemptOutcome run_fan_out(const PlanNode& node, const StageValue& range, StageReport& report, std::vector<ElementFailure>& failures,
                               std::size_t& element_count) {
        std::vector<StageValue> elements;
        try {
            elements = node.split(range, false);
        } catch (...) {
            return AttemptOutcome::failed(failure_from_current_exception());
        }
        element_count = elements.size();
        std::vector<AttemptOutcome> outcomes(elements.size());
        std::vector<int> attempts(elements.size(), 0);
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, elements.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t k = r.begin(); k != r.end(); ++k)
                outcomes[k] = run_attempts(node, std::span<const StageValue>(&elements[k], 1), attempts[k], k);
        });
        for (int a : attempts) report.attempts = std::max(report.attempts, a);
        std::vector<StageValue> values;
        values.reserve(outcomes.size());
        for (std::size_t k = 0; k < outcomes.size(); ++k) {
            auto& o = outcomes[k];
            if (o.kind == AttemptOutcome::Kind::value) values.push_back(std::move(o.value));
            else if (o.kind == AttemptOutcome::Kind::failure) failures.push_back({k, o.failure});
            else failures.push_back({k, {"skipped: " + o.skip_reason, "skipped"}});
        }
        if (!failures.empty()) {
            std::string message = std::to_string(failures.size()) + " of " + std::to_string(outcomes.size()) + " elements failed: ";
            for (std::size_t k = 0; k < failures.size() && k < 3; ++k)
                message += (k ? "; [" : "[") + std::to_string(failures[k].index) + "] " + failures[k].failure.message;
            if (failures.size() > 3) message += "; ...";
            return AttemptOutcome::failed({message, failures.front().failure.category});
        }
        try {
            return AttemptOutcome::of(node.gather(std::move(values)));
        } catch (...) {
            return AttemptOutcome::failed(failure_from_current_exception());
        }
    }

    void skip(const PlanNode& node, NodeState& state, std::string reason) {
        state.report.status = StageStatus::skipped;
        state.report.message = std::move(reason);
        run_ctx_.info("Stage " + node.id + " skipped: " + state.report.message);
        notify(node, StepEvent::Kind::skip, state.report.message);
    }

    void cancel(const PlanNode& node, NodeState& state, std::string reason) {
        state.report.status = StageStatus::cancelled;
        state.report.message = std::move(reason);
        notify(node, StepEvent::Kind::skip, "cancelled: " + state.report.message);
    }

    void fail(const PlanNode& node, NodeState& state, StageFailure failure, std::vector<ElementFailure> elements) {
        auto& report = state.report;
        report.status = StageStatus::failed;
        report.message = std::move(failure.message);
        report.category = std::move(failure.category);
        report.element_failures = std::move(elements);
        record_metrics(node, report);
        run_ctx_.error("Stage " + node.id + " failed" + (node.optional ? " (optional)" : "") + ": " + report.message);
        notify(node, StepEvent::Kind::error, report.message);
        if (!node.optional && options_.on_failure == FailurePolicy::fail_fast) {
            {
                std::lock_guard lock(reason_mutex_);
                if (first_failure_.empty()) first_failure_ = node.id;
            }
            run_ctx_.cancel();
        }
    }

    std::string cancel_reason() {
        if (run_ctx_.deadline_passed()) {
            cancelled_by_deadline_ = true;
            return "the graph's deadline passed";
        }
        std::lock_guard lock(reason_mutex_);
        if (!first_failure_.empty()) return "stage '" + first_failure_ + "' failed (fail-fast)";
        ctx_cancelled_ = true;
        return "the run was cancelled";
    }

    void record_metrics(const PlanNode& node, const StageReport& r) {
        run_ctx_.add_metric("stage." + node.id + ".seconds", r.seconds);
        run_ctx_.add_metric("stage." + node.id + ".attempts", r.attempts);
        run_ctx_.add_metric("stage." + node.id + ".outputs", static_cast<double>(r.output_count));
    }

    [[nodiscard]] StepEvent event(const PlanNode& node, StepEvent::Kind kind) const {
        StepEvent e;
        e.kind = kind;
        e.stage = node.id;
        e.alias = node.stage_type.empty() ? node.id : node.stage_type;
        e.class_name = e.alias;
        e.pipeline = plan_.name;
        return e;
    }

    void notify(const PlanNode& node, StepEvent::Kind kind, std::string message, int attempt = 0) {
        if (!run_ctx_.has_observers()) return;
        const auto& r = nodes_[static_cast<std::size_t>(&node - plan_.nodes.data())].report;
        StepEvent e = event(node, kind);
        e.message = std::move(message);
        e.attempt = attempt ? attempt : r.attempts;
        e.seconds = r.seconds;
        e.output_count = r.output_count;
        e.status = kind == StepEvent::Kind::finish ? StepStatus::complete
                   : kind == StepEvent::Kind::skip ? StepStatus::skipped
                   : kind == StepEvent::Kind::error ? StepStatus::failed
                                                    : StepStatus::not_set;
        e.wall_start = std::chrono::system_clock::now();
        run_ctx_.notify(e);
    }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    const GraphPlan& plan_;
    const GraphOptions& options_;
    std::shared_ptr<Clock> clock_;
    Context run_ctx_;
    std::vector<NodeState> nodes_;
    std::vector<std::atomic<int>> remaining_;
    std::vector<std::vector<std::size_t>> dependants_;
    StageValue graph_input_;
    tbb::task_group group_;
    std::function<double()> jitter_;
    std::mt19937_64 rng_;
    std::mutex rng_mutex_;
    std::mutex reason_mutex_;
    std::string first_failure_;
    std::atomic<bool> cancelled_by_deadline_{false};
    std::atomic<bool> ctx_cancelled_{false};
};

}  // namespace graph_detail

/// Run `plan` with `ctx` (its services, state store, observers, thread budget and
/// cancellation are the stages'). `graph_input` feeds the plan's graph_input node.
/// Throws ConfigError for a malformed plan before any stage runs; stage failures
/// are reported in the result, never thrown.
inline GraphResult run_plan(const GraphPlan& plan, Context& ctx, const GraphOptions& options = {}, StageValue graph_input = {}) {
    graph_detail::check_plan(plan);
    for (const auto& n : plan.nodes)
        if (n.graph_input && !graph_input)
            for (const auto& m : plan.nodes)
                for (const auto& in : m.inputs)
                    if (&plan.nodes[in.producer] == &n && !in.accepts_absent)
                        throw UsageError("graph '" + plan.name + "': stage '" + m.id + "' reads the graph's input, but the graph was run without one");
    graph_detail::PlanRun run(plan, ctx, options, std::move(graph_input));
    return run.run();
}

}  // namespace orrery
