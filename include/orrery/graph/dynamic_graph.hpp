#pragma once
/// A stage graph built at run time from registered names (the form a graph file
/// or a command line gives). validate() checks the same rules the static graph
/// checks at compile time and reports every problem at once, before any stage
/// runs: duplicate and reserved ids, unknown stage types and inputs (with "did you
/// mean"), cycles (with their path) and the stages they make unreachable, type
/// mismatches on edges, fan-out over a non-range, named-input fields, declared
/// stage-type dependencies, parameters and retry policies. It lowers to the same
/// GraphPlan the static graph does and runs on the same executor.

#include "orrery/core/any_step.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/graph/executor.hpp"
#include "orrery/graph/graph_options.hpp"
#include "orrery/graph/graph_result.hpp"
#include "orrery/graph/plan.hpp"
#include "orrery/graph/stage_io.hpp"
#include "orrery/graph/stage_registry.hpp"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace orrery {

/// One stage of a dynamic graph.
struct StageSpec {  // every member has a default: designated initializers may name any subset
    std::string id{};
    std::string type{};                // a registered stage or step: alias, class name or pkg::alias
    std::vector<std::string> needs{};  // producing stage ids ("input" = the graph's input); field names for NamedInputs stages
    ParamNode parameters = ParamNode::map();
    bool fan_out = false;              // run over each element of the (single) input range
    RetryPolicy retry{};
    bool optional = false;             // its failure leaves the run degraded, not failed
    std::function<bool(const Context&)> when{};  // run only when true
    std::string when_text{};           // how the condition reads in reports ("state.has_lyrics")
    std::string origin{};              // where it was declared ("graph.yaml:12"), for messages
};

class DynamicGraph {
public:
    explicit DynamicGraph(std::string name) : name_(std::move(name)) {}

    DynamicGraph& add(StageSpec spec) {
        stages_.push_back(std::move(spec));
        return *this;
    }
    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] const std::vector<StageSpec>& stages() const { return stages_; }

    /// Every problem, one line each, in declaration order; empty when the graph is valid.
    [[nodiscard]] std::vector<std::string> problems() const { return analyse().problems; }

    /// ConfigError listing every problem (first line: how many) unless the graph is valid.
    void validate() const { throw_if_any(analyse().problems); }

    /// The executable plan (validates first).
    [[nodiscard]] GraphPlan plan() const {
        const auto a = analyse();
        throw_if_any(a.problems);
        return plan_from(a);
    }

    /// Run with `ctx`; `input` feeds the stages that need "input". Problems with the
    /// graph or the input's type are thrown (ConfigError / UsageError) before any stage runs.
    GraphResult run(Context& ctx, const GraphOptions& options = {}, AnyValue input = {}) const {
        const auto a = analyse();  // once: it makes and configures an instance of every stage's step
        throw_if_any(a.problems);
        if (input.has_value())
            for (std::size_t i = 0; i < stages_.size(); ++i)
                for (const auto& need : stages_[i].needs)
                    if (need == graph_input_id && a.types[i].io && a.types[i].io->input_fields.empty() && !stages_[i].fan_out &&
                        a.types[i].io->input_type != input.type())
                        throw UsageError("graph '" + name_ + "': stage '" + stages_[i].id + "' takes " + a.types[i].io->input_type_name +
                                         " from the graph's input, which is " + input.type_text());
        StageValue shared = input.has_value() ? std::make_shared<AnyValue>(std::move(input)) : StageValue{};
        return run_plan(plan_from(a), ctx, options, std::move(shared));
    }

private:
    void throw_if_any(const std::vector<std::string>& problems) const {
        if (problems.empty()) return;
        std::string msg = "graph '" + name_ + "' has " + std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") + ":";
        for (const auto& line : problems) msg += "\n  - " + line;
        throw ConfigError(msg);
    }

    struct Analysis;
    [[nodiscard]] GraphPlan plan_from(const Analysis& a) const {
        GraphPlan plan{name_, {}};
        std::map<std::string, std::size_t, std::less<>> index;
        if (a.uses_input) {
            PlanNode in;
            in.id = std::string(graph_input_id);
            in.graph_input = true;
            index[in.id] = 0;
            plan.nodes.push_back(std::move(in));
        }
        for (const auto& s : stages_) index[s.id] = plan.nodes.size() + (&s - stages_.data());
        for (std::size_t i = 0; i < stages_.size(); ++i) plan.nodes.push_back(lower(stages_[i], a.types[i], index, a));
        return plan;
    }

    /// What a stage's type resolves to.
    struct ResolvedType {
        const StepInfo* step = nullptr;        // the core registry's entry (factory, parameters)
        const StageMetadata* stage = nullptr;  // the stage registry's entry, when registered as a stage
        const StageIO* io = nullptr;           // its shapes (registered stages only)
    };
    struct Analysis {
        std::vector<std::string> problems;
        std::vector<ResolvedType> types;
        std::vector<bool> conditional;  // may be skipped: a condition, or optional
        bool uses_input = false;
    };

    [[nodiscard]] Analysis analyse() const {
        Analysis a;
        a.types.resize(stages_.size());
        a.conditional.resize(stages_.size());
        auto where = [](const StageSpec& s) { return "stage '" + s.id + "'" + (s.origin.empty() ? "" : " (" + s.origin + ")"); };
        std::map<std::string, std::size_t, std::less<>> ids;
        std::vector<std::string> id_list;
        for (std::size_t i = 0; i < stages_.size(); ++i) {
            const auto& s = stages_[i];
            if (s.id.empty()) a.problems.push_back("a stage of type '" + s.type + "' has no id");
            else if (s.id == graph_input_id) a.problems.push_back(where(s) + ": 'input' is reserved for the graph's input");
            else if (!ids.emplace(s.id, i).second) a.problems.push_back(where(s) + ": the id is used twice");
            id_list.push_back(s.id);
            a.conditional[i] = static_cast<bool>(s.when) || s.optional;
            if (auto problem = retry_policy_problem(s.retry); !problem.empty()) a.problems.push_back(where(s) + ": " + problem);
            // Type: a registered stage (with its shapes), else a plain registered step.
            auto& t = a.types[i];
            try {
                t.stage = StageRegistry::instance().find(s.type);
            } catch (const std::exception& e) {  // a registration problem recorded for this name (a collision)
                a.problems.push_back(where(s) + ": " + e.what());
                continue;
            }
            t.step = Registry::instance().find(t.stage ? std::string_view(t.stage->type) : std::string_view(s.type));
            if (t.stage) t.io = &t.stage->io;
            if (!t.step) {
                std::vector<std::string> known;
                for (const auto& e : Registry::instance().all()) known.push_back(e.alias);
                a.problems.push_back(where(s) + ": unknown stage type '" + s.type + "'" + did_you_mean(s.type, known));
                continue;
            }
            if (!t.io && t.step->output_type_name.rfind("orrery::StageResult<", 0) == 0)
                a.problems.push_back(where(s) + ": '" + s.type + "' returns " + t.step->output_type_name +
                                     ": register it with ORRERY_REGISTER_STAGE so a graph can read its result");
            try {
                auto instance = t.step->factory();
                instance->configure(s.parameters);
            } catch (const std::exception& e) {
                a.problems.push_back(where(s) + ": " + e.what());
            }
        }
        for (std::size_t i = 0; i < stages_.size(); ++i)
            for (const auto& need : stages_[i].needs) {
                if (need == graph_input_id) {
                    a.uses_input = true;
                    continue;
                }
                if (!ids.count(need))
                    a.problems.push_back(where(stages_[i]) + ": needs unknown stage '" + need + "'" + did_you_mean(need, id_list));
            }
        check_cycles(a, ids);
        for (std::size_t i = 0; i < stages_.size(); ++i) check_edges(a, i, ids);
        check_dependencies(a, ids);
        return a;
    }

    /// Cycles with their path; stages downstream of a cycle can never run.
    void check_cycles(Analysis& a, const std::map<std::string, std::size_t, std::less<>>& ids) const {
        enum class Mark { none, active, done };
        std::vector<Mark> mark(stages_.size(), Mark::none);
        std::vector<std::size_t> path;
        std::set<std::size_t> on_cycle;
        std::function<void(std::size_t)> visit = [&](std::size_t i) {
            mark[i] = Mark::active;
            path.push_back(i);
            for (const auto& need : stages_[i].needs) {
                auto it = ids.find(need);
                if (it == ids.end()) continue;
                const std::size_t p = it->second;
                if (mark[p] == Mark::active) {
                    auto from = std::find(path.begin(), path.end(), p);
                    std::string text;
                    for (auto k = from; k != path.end(); ++k) {
                        text += "'" + stages_[*k].id + "' <- ";
                        on_cycle.insert(*k);
                    }
                    a.problems.push_back("cycle: " + text + "'" + stages_[p].id + "' (each needs the next)");
                } else if (mark[p] == Mark::none) {
                    visit(p);
                }
            }
            path.pop_back();
            mark[i] = Mark::done;
        };
        for (std::size_t i = 0; i < stages_.size(); ++i)
            if (mark[i] == Mark::none) visit(i);
        if (on_cycle.empty()) return;
        // Everything that needs a stage on a cycle, directly or not, can never run.
        std::set<std::size_t> blocked = on_cycle;
        for (bool grew = true; grew;) {
            grew = false;
            for (std::size_t i = 0; i < stages_.size(); ++i) {
                if (blocked.count(i)) continue;
                for (const auto& need : stages_[i].needs)
                    if (auto it = ids.find(need); it != ids.end() && blocked.count(it->second)) {
                        blocked.insert(i);
                        a.problems.push_back("stage '" + stages_[i].id + "' is unreachable: it needs '" + need + "', which depends on a cycle");
                        grew = true;
                        break;
                    }
            }
        }
    }

    /// Types on every edge, fan-out over a range, named-input fields.
    void check_edges(Analysis& a, std::size_t i, const std::map<std::string, std::size_t, std::less<>>& ids) const {
        const auto& s = stages_[i];
        const auto& t = a.types[i];
        if (!t.step) return;
        const std::string who = "stage '" + s.id + "'";
        // The value a need delivers, when known (unknown stage types were reported already).
        struct Delivered {
            bool known = false;
            std::type_index type = typeid(void);
            std::string type_name;
            bool conditional = false;
        };
        auto delivered = [&](const std::string& need) {
            Delivered d;
            auto it = ids.find(need);
            if (it == ids.end()) return d;
            const auto& pt = a.types[it->second];
            if (!pt.step) return d;
            d.known = true;
            if (pt.io) {
                d.type = stages_[it->second].fan_out ? pt.io->fan_out_value_type : pt.io->value_type;
                d.type_name = stages_[it->second].fan_out ? pt.io->fan_out_value_type_name : pt.io->value_type_name;
            } else {
                d.type = pt.step->output_type;
                d.type_name = pt.step->output_type_name;
            }
            d.conditional = a.conditional[it->second];
            return d;
        };
        if (s.fan_out) {
            if (!t.io) {
                a.problems.push_back(who + ": fan-out needs '" + s.type + "' registered with ORRERY_REGISTER_STAGE");
                return;
            }
            if (s.needs.size() != 1) {
                a.problems.push_back(who + ": a fan-out stage needs exactly one input (a range), not " + std::to_string(s.needs.size()));
                return;
            }
            if (s.needs[0] == graph_input_id) return;  // checked against the actual input at run time
            const auto d = delivered(s.needs[0]);
            if (d.known && d.type != t.io->fan_out_range_type)
                a.problems.push_back(who + ": fan-out over '" + s.needs[0] + "', which gives " + d.type_name + ", not a range " +
                                     t.io->fan_out_range_type_name);
            return;
        }
        if (t.io && !t.io->input_fields.empty()) {
            std::set<std::string> fields;
            for (const auto& f : t.io->input_fields) {
                fields.insert(f.name);
                if (std::find(s.needs.begin(), s.needs.end(), f.name) == s.needs.end()) {
                    a.problems.push_back(who + ": input field '" + f.name + "' of " + t.io->input_type_name + " has no stage of that name in its needs");
                    continue;
                }
                if (f.name == graph_input_id) continue;
                const auto d = delivered(f.name);
                if (!d.known) continue;
                if (d.type != f.type)
                    a.problems.push_back(who + ": input field '" + f.name + "' is " + f.type_name + ", but stage '" + f.name + "' gives " + d.type_name);
                else if (d.conditional && !f.accepts_absent)
                    a.problems.push_back(who + ": input field '" + f.name + "' must be std::optional<" + f.type_name + ">: stage '" + f.name +
                                         "' may be skipped");
            }
            for (const auto& need : s.needs)
                if (!fields.count(need)) a.problems.push_back(who + ": needs '" + need + "', but " + t.io->input_type_name + " has no field of that name");
            return;
        }
        if (s.needs.size() > 1) {
            a.problems.push_back(who + ": needs " + std::to_string(s.needs.size()) + " stages, but '" + s.type + "' takes one " +
                                 t.step->input_type_name + " (several inputs need a NamedInputs struct)");
            return;
        }
        if (s.needs.empty() || s.needs[0] == graph_input_id) return;
        const auto d = delivered(s.needs[0]);
        const std::type_index wanted = t.io ? t.io->input_type : t.step->input_type;
        const std::string wanted_name = t.io ? t.io->input_type_name : t.step->input_type_name;
        if (d.known && d.type != wanted)
            a.problems.push_back(who + ": takes " + wanted_name + ", but stage '" + s.needs[0] + "' gives " + d.type_name);
    }

    /// Stage types that declare they need another stage type upstream.
    void check_dependencies(Analysis& a, const std::map<std::string, std::size_t, std::less<>>& ids) const {
        for (std::size_t i = 0; i < stages_.size(); ++i) {
            const auto* meta = a.types[i].stage;
            if (!meta) continue;
            for (const auto& dep : meta->depends_on) {
                // Breadth-first over the needs, looking for a stage of type `dep`.
                std::vector<std::size_t> todo{i};
                std::set<std::size_t> seen{i};
                bool found = false;
                while (!todo.empty() && !found) {
                    const std::size_t k = todo.back();
                    todo.pop_back();
                    for (const auto& need : stages_[k].needs) {
                        auto it = ids.find(need);
                        if (it == ids.end() || !seen.insert(it->second).second) continue;
                        const auto* up = a.types[it->second].stage;
                        const auto* up_step = a.types[it->second].step;
                        if ((up && up->type == dep) || (up_step && (up_step->alias == dep || up_step->class_name == dep))) found = true;
                        todo.push_back(it->second);
                    }
                }
                if (!found)
                    a.problems.push_back("stage '" + stages_[i].id + "' (" + meta->type + ") depends on a '" + dep +
                                         "' stage upstream, and none of its inputs comes from one");
            }
        }
    }

    [[nodiscard]] PlanNode lower(const StageSpec& s, const ResolvedType& t, const std::map<std::string, std::size_t, std::less<>>& index,
                                 const Analysis&) const {
        PlanNode n;
        n.id = s.id;
        n.stage_type = t.step->alias;
        n.optional = s.optional;
        n.retry = s.retry;
        n.condition = s.when;
        n.condition_text = s.when_text.empty() && s.when ? "of stage '" + s.id + "'" : s.when_text;
        // Inputs in the order the step takes them: its fields, else its one need.
        if (t.io && !t.io->input_fields.empty() && !s.fan_out) {
            for (const auto& f : t.io->input_fields) n.inputs.push_back({index.at(f.name), f.name, f.accepts_absent});
        } else {
            for (const auto& need : s.needs) n.inputs.push_back({index.at(need), {}, false});
        }
        std::shared_ptr<AnyStep> step = t.step->factory();
        step->configure(s.parameters);
        const StageIO* io = t.io;
        n.run = [step, io](AttemptCall& call) {
            AnyValue input = io ? io->make_input(call.inputs, call.may_move) : call.inputs.empty() ? AnyValue() : call.inputs[0]->clone();
            AnyValue output = step->run(std::move(input), call.ctx);
            if (!io) return AttemptOutcome::of(std::make_shared<AnyValue>(std::move(output)));
            UnwrappedOutput u = io->unwrap(std::move(output));
            switch (u.kind) {
                case UnwrappedOutput::Kind::failure: return AttemptOutcome::failed(std::move(u.failure));
                case UnwrappedOutput::Kind::skipped: return AttemptOutcome::skip(std::move(u.skip_reason));
                case UnwrappedOutput::Kind::value: break;
            }
            return AttemptOutcome::of(std::make_shared<AnyValue>(std::move(u.value)));
        };
        if (s.fan_out) {
            n.split = io->split;
            n.gather = io->gather;
        }
        // A fan-out's output is the vector of its elements' values: the executor counts
        // the elements, and the stage type's handler (made for one value) is not applied.
        if (t.stage && !s.fan_out) {
            n.count_outputs = t.stage->output_counter;
            n.apply_output = t.stage->output_handler;
        }
        return n;
    }

    std::string name_;
    std::vector<StageSpec> stages_;
};

}  // namespace orrery
