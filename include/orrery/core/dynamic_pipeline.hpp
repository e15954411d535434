#pragma once
// Dynamic pipelines: built at run time from registered names (a parameter file,
// the command line), type-erased, with the same type rule checked when built —
// before any data is read. Each step runs through the same run_step as the
// static pipeline, so results are identical; the static pipeline is the fast path.
// Fusion is explicit here too: append_fused({"a", "b"}), or "a+b" in from_names,
// runs the row steps a and b fused with the static pipeline's schedule and rule
// (fused.hpp: step by step when one of them has hooks or save_results).
//
//   auto p = DynamicPipeline::from_names({"group_scale+dq_init", "saturation", "jump"});

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/fused.hpp"
#include "orrery/core/registry.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace orrery {

class DynamicPipeline {
public:
    explicit DynamicPipeline(std::string name = "dynamic") : name_(std::move(name)) {}

    /// Build from names; "a+b+c" is a fused group of row steps (append_fused). Throws
    /// ConfigError naming both steps and types on a mismatch.
    static DynamicPipeline from_names(const std::vector<std::string>& names, std::string pipeline_name = "dynamic") {
        DynamicPipeline p(std::move(pipeline_name));
        for (const auto& n : names) {
            if (n.find('+') == std::string::npos) {
                p.append(Registry::instance().create(n));
                continue;
            }
            std::vector<std::string> group;
            for (std::size_t b = 0, e = 0; e != std::string::npos; b = e + 1) {
                e = n.find('+', b);
                group.push_back(n.substr(b, e == std::string::npos ? std::string::npos : e - b));
            }
            p.append_fused(group);
        }
        return p;
    }

    /// Append the registered row steps `names`, to run fused (see fused.hpp). Throws
    /// ConfigError for fewer than two names or a step that is not a row step.
    void append_fused(const std::vector<std::string>& names) {
        if (names.size() < 2)
            throw ConfigError("pipeline '" + name_ + "': a fused group needs two or more row steps (got " + std::to_string(names.size()) + ")");
        std::vector<std::unique_ptr<AnyStep>> group;
        for (const auto& n : names) {
            auto step = Registry::instance().create(n);
            if (!step->info().row_step)
                throw ConfigError("pipeline '" + name_ + "': step '" + step->info().alias +
                                  "' cannot be fused: it is not a row step (prepare / process_rows)");
            group.push_back(std::move(step));
        }
        const std::size_t begin = steps_.size();
        for (auto& step : group) append(std::move(step));
        fused_.emplace_back(begin, steps_.size());
    }

    void append(std::unique_ptr<AnyStep> step) {
        if (!steps_.empty()) {
            const auto& prev = steps_.back()->info();
            const auto& next = step->info();
            if (prev.output_type != next.input_type)
                throw ConfigError("pipeline '" + name_ + "': step '" + prev.alias + "' outputs " + prev.output_type_name + " but step '" +
                                  next.alias + "' takes " + next.input_type_name);
        }
        steps_.push_back(std::move(step));
    }

    /// {steps: {alias: {...}}}: configure children by alias; unknown aliases are errors.
    void configure(const ParamNode& tree) {
        if (tree.is_null()) return;
        for (const auto& [key, value] : tree.children()) {
            if (key != "steps") throw UnknownParameterError(key, value.source(), "unknown parameter for pipeline '" + name_ + "'");
            for (const auto& [alias, sub] : value.children()) {
                bool found = false;
                for (auto& s : steps_)
                    if (s->info().alias == alias) {
                        s->configure(sub);
                        found = true;
                    }
                if (!found) throw UnknownParameterError("steps." + alias, sub.source(), "pipeline '" + name_ + "' has no step '" + alias + "'");
            }
        }
    }

    [[nodiscard]] std::size_t size() const { return steps_.size(); }
    [[nodiscard]] AnyStep& at(std::size_t i) { return *steps_.at(i); }
    [[nodiscard]] std::type_index input_type() const { return steps_.empty() ? typeid(void) : steps_.front()->info().input_type; }
    [[nodiscard]] std::type_index output_type() const { return steps_.empty() ? typeid(void) : steps_.back()->info().output_type; }

    AnyValue run(AnyValue value, Context& ctx) {
        if (steps_.empty()) throw ConfigError("pipeline '" + name_ + "' has no steps");
        if (value.type() != input_type())
            throw ConfigError("pipeline '" + name_ + "': input is " + type_name(typeid(void)) + " but step '" + steps_.front()->info().alias +
                              "' takes " + steps_.front()->info().input_type_name);
        RunInfo info = ctx.run_info();
        info.pipeline_name = name_;
        info.step_index = 0;
        info.step_total = static_cast<int>(steps_.size());
        const auto run_scope = ctx.scoped_run_info(std::move(info));
        std::vector<std::string> uses;
        for (const auto& s : steps_) {
            auto u = s->reference_uses();
            uses.insert(uses.end(), u.begin(), u.end());
        }
        const auto references = ctx.reference_run(uses);
        for (std::size_t i = 0; i < steps_.size();) {
            const std::size_t end = fused_end(i);
            if (end > i + 1 && run_fused_group(i, end, value, ctx)) {
                i = end;
                continue;
            }
            ctx.advance_step();
            value = steps_[i]->run(std::move(value), ctx);
            ++i;
        }
        return value;
    }

    /// Typed convenience: run<Out>(In) -> Out.
    template <class Out, class In>
    Out run_as(In input, Context& ctx) {
        return run(AnyValue(std::move(input)), ctx).template take<Out>();
    }

private:
    /// End of the fused group starting at step i, or i + 1.
    [[nodiscard]] std::size_t fused_end(std::size_t i) const {
        for (const auto& [b, e] : fused_)
            if (b == i) return e;
        return i + 1;
    }
    /// Steps [begin, end) fused, as the static pipeline's fused(); false (nothing run) when
    /// one of them may not run fused now: the caller then runs them one by one.
    bool run_fused_group(std::size_t begin, std::size_t end, AnyValue& value, Context& ctx) {
        std::vector<std::unique_ptr<RowStage>> owned;
        std::vector<RowStage*> stages;
        for (std::size_t j = begin; j < end; ++j) {
            owned.push_back(steps_[j]->row_stage());
            if (!owned.back()) return false;
            stages.push_back(owned.back().get());
        }
        run_fused_stages(stages, value, ctx);
        return true;
    }

    std::string name_;
    std::vector<std::unique_ptr<AnyStep>> steps_;
    std::vector<std::pair<std::size_t, std::size_t>> fused_;  // [begin, end) of each fused group
};

}  // namespace orrery
