#pragma once
/// A static graph's stages lowered to the GraphPlan every graph runs as: one PlanNode
/// per stage (after a `graph_input` node for "input" when a stage reads it), whose
/// `run` is a typed closure: it builds the step's input from the attempt's inputs,
/// runs the step through run_step (events, hooks, status as everywhere) and turns
/// its output (a value or a StageResult) into an AttemptOutcome. The output counter
/// and handler come from the step's stage metadata (stage_metadata.hpp).

#include "orrery/core/any_value.hpp"
#include "orrery/core/run_step.hpp"
#include "orrery/core/stage_result.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/graph/named_inputs.hpp"
#include "orrery/graph/plan.hpp"
#include "orrery/graph/stage_io.hpp"
#include "orrery/graph/stage_metadata.hpp"
#include "orrery/graph/stage_spec.hpp"
#include "orrery/graph/static_checks.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery {

/// A step's output as an attempt's outcome (StageResult<T>: its three cases).
template <class Out>
AttemptOutcome attempt_outcome(Out&& out) {
    using O = std::remove_cvref_t<Out>;
    if constexpr (is_stage_result_v<O>) {
        if (out.ok()) return AttemptOutcome::of(std::make_shared<AnyValue>(std::move(out.value())));
        if (out.failed()) return AttemptOutcome::failed(out.failure());
        return AttemptOutcome::skip(out.skip_reason());
    } else {
        return AttemptOutcome::of(std::make_shared<AnyValue>(std::forward<Out>(out)));
    }
}

namespace detail {

/// The step's input built from the attempt's inputs (ordered as the node's PlanInputs).
template <class Def>
step_input_t<typename Def::step> make_stage_input(std::span<const StageValue> inputs, bool may_move) {
    using In = step_input_t<typename Def::step>;
    const std::string_view what = Def::id.view();
    const StageValue none;
    const StageValue& first = inputs.empty() ? none : inputs[0];
    if constexpr (Def::fan_out) {
        return take_stage_value<In>(first, may_move, what);  // one element
    } else if constexpr (Def::from::size == 0) {
        if constexpr (std::is_default_constructible_v<In>) return In{};
        else throw InternalError("static graph: ruled out at compile time");  // no second message after the rule's
    } else if constexpr (named_mode<Def>) {
        if constexpr (NamedInputs<In>) return assemble_named_inputs<In>(inputs, may_move);
        else throw InternalError("static graph: ruled out at compile time");
    } else if constexpr (optional_value<In>::is_optional) {
        if (!first || !first->has_value()) return std::nullopt;
        return take_stage_value<typename optional_value<In>::type>(first, may_move, what);
    } else {
        return take_stage_value<In>(first, may_move, what);
    }
}

/// The node index of input `name` in a plan whose stages start at `first_stage`.
template <class Shape>
std::size_t producer_node(std::string_view name, std::size_t first_stage) {
    if (name == graph_input_id) return 0;
    for (std::size_t i = 0; i < Shape::size; ++i)
        if (Shape::ids[i] == name) return first_stage + i;
    throw InternalError("static graph: no stage '" + std::string(name) + "'");  // ruled out at compile time
}

template <class Shape, class Def>
PlanNode lower_stage(const Def& def, std::size_t first_stage) {
    using S = typename Def::step;
    using In = step_input_t<S>;
    PlanNode node;
    node.id = std::string(Def::id.view());
    node.stage_type = std::string(step_traits<S>::name);
    if constexpr (named_mode<Def> && NamedInputs<In>) {
        // In field order: assemble_named_inputs takes the values in that order.
        for (const auto& f : named_fields<In>())
            node.inputs.push_back({producer_node<Shape>(f.name, first_stage), f.name, f.accepts_absent});
    } else if constexpr (Def::from::size == 1) {
        node.inputs.push_back({producer_node<Shape>(Def::from::names[0], first_stage), {},
                               !Def::fan_out && optional_value<In>::is_optional});
    }
    node.optional = Def::optional;
    node.retry = def.retry;
    if constexpr (Def::conditional) {
        using P = typename Def::predicate;
        if constexpr (requires(const Context& c) { P::test(c); }) node.condition = [](const Context& c) { return static_cast<bool>(P::test(c)); };
        else if constexpr (StagePredicate<P>) node.condition = [](const Context& c) { return static_cast<bool>(P{}(c)); };
        // else: when_spec<P> said why P is no predicate; no second message here
        node.condition_text = "when " + type_name<P>();
    }
    auto config = std::make_shared<const StepConfig<S>>(def.config);
    node.run = [config](AttemptCall& call) {
        return attempt_outcome(run_step<S>(*config, make_stage_input<Def>(call.inputs, call.may_move), call.ctx));
    };
    // As dynamic graphs do: a fan-out's output is the vector of its elements' values, the
    // executor counts the elements, and the step's output handler (for one value) is not
    // applied; other stages take the counter and handler of the step's stage metadata.
    if constexpr (Def::fan_out) {
        StageIO io = make_stage_io<S>();
        node.split = std::move(io.split);
        node.gather = std::move(io.gather);
    } else {
        StageMetadata meta = make_stage_metadata<S>();
        node.count_outputs = std::move(meta.output_counter);
        node.apply_output = std::move(meta.output_handler);
    }
    return node;
}

}  // namespace detail

/// The plan of a static graph's stages (checked by static_checks.hpp before this runs).
template <class... Stages>
GraphPlan lower_static_graph(std::string name, const std::tuple<Stages...>& stages) {
    using Shape = detail::graph_shape<Stages...>;
    GraphPlan plan;
    plan.name = std::move(name);
    std::size_t first_stage = 0;
    if constexpr (Shape::reads_input) {
        PlanNode in;
        in.id = std::string(graph_input_id);
        in.stage_type = std::string(graph_input_id);
        in.graph_input = true;
        plan.nodes.push_back(std::move(in));
        first_stage = 1;
    }
    std::apply([&](const auto&... def) { (plan.nodes.push_back(detail::lower_stage<Shape>(def, first_stage)), ...); }, stages);
    return plan;
}

}  // namespace orrery
