#pragma once
// Dynamic pipelines: built at run time from registered names (a parameter file,
// the command line), type-erased, with the same type rule checked when built —
// before any data is read. Each step runs through the same run_step as the
// static pipeline, so results are identical; the static pipeline is the fast path.

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/row_steps.hpp"

#include <memory>
#include <string>
#include <vector>

namespace orrery {

class DynamicPipeline {
public:
    explicit DynamicPipeline(std::string name = "dynamic") : name_(std::move(name)) {}

    /// Build from names; throws ConfigError naming both steps and types on a mismatch.
    static DynamicPipeline from_names(const std::vector<std::string>& names, std::string pipeline_name = "dynamic") {
        DynamicPipeline p(std::move(pipeline_name));
        for (const auto& n : names) p.append(Registry::instance().create(n));
        return p;
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
            if (key != "steps") throw ParameterError(key, value.source(), "unknown parameter for pipeline '" + name_ + "'");
            for (const auto& [alias, sub] : value.children()) {
                bool found = false;
                for (auto& s : steps_)
                    if (s->info().alias == alias) {
                        s->configure(sub);
                        found = true;
                    }
                if (!found) throw ParameterError("steps." + alias, sub.source(), "pipeline '" + name_ + "' has no step '" + alias + "'");
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
            // A run of row steps goes block by block, exactly as in the static pipeline.
            std::vector<std::unique_ptr<RowStage>> run;
            for (std::size_t j = i; j < steps_.size(); ++j) {
                auto stage = steps_[j]->row_stage();
                if (!stage) break;
                run.push_back(std::move(stage));
            }
            if (run.size() >= 2) {
                std::vector<RowStage*> stages;
                for (auto& r : run) stages.push_back(r.get());
                run_fused_stages(stages, value, ctx);
                i += run.size();
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
    std::string name_;
    std::vector<std::unique_ptr<AnyStep>> steps_;
};

}  // namespace orrery
