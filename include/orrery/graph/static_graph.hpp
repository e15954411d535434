#pragma once
/// Static graphs: stages, edges and types fixed in the code and checked at compile
/// time (static_checks.hpp), lowered to a GraphPlan (static_lowering.hpp) and run by
/// the same executor as dynamic graphs, so both give the same results.
///
///   auto g = orrery::graph<"sequencer">(
///       orrery::stage<"audio">(AudioAnalysis{}, orrery::from<"input">),
///       orrery::stage<"profile">(AudioProfile{}, orrery::from<"audio">),
///       orrery::stage<"lyrics">(Lyrics{}, orrery::from<"audio">, orrery::when<HasLyrics>),
///       orrery::stage<"macro">(MacroPlanner{}, orrery::from<"profile", "lyrics">),
///       orrery::stage<"groups">(orrery::fan_out(GroupPlanner{}), orrery::from<"macro">));
///   auto result = g.run(song, ctx);
///   const Macro& m = result.get<"macro">();   // the type is known at compile time

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/fixed_string.hpp"
#include "orrery/graph/executor.hpp"
#include "orrery/graph/graph_options.hpp"
#include "orrery/graph/graph_result.hpp"
#include "orrery/graph/plan.hpp"
#include "orrery/graph/stage_spec.hpp"
#include "orrery/graph/static_checks.hpp"
#include "orrery/graph/static_lowering.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace orrery {

template <class T>
struct is_stage_def : std::false_type {};
template <fixed_string Id, class S, bool F, class From, class When, bool Optional>
struct is_stage_def<StageDef<Id, S, F, From, When, Optional>> : std::true_type {};

template <fixed_string Graph, fixed_string Stage>
struct graph_result_stage {
    static constexpr bool ok = never_v<Graph>;
    static_assert(ok, "orrery: get<Stage>() names no stage of the graph (see graph_result_stage<Graph, Stage>)");
};

/// A run's GraphResult with typed access to the outputs by stage id.
template <class G>
class StaticGraphResult {
public:
    explicit StaticGraphResult(GraphResult r) : result_(std::move(r)) {}

    /// The output of stage Id, of the type its stage produces; UsageError naming the
    /// stage and its status when it has none (failed, skipped, cancelled).
    template <fixed_string Id>
    [[nodiscard]] const auto& get() const {
        constexpr std::size_t i = G::shape::index_of(Id.view());
        if constexpr (i >= G::shape::size) {
            static_assert(sizeof(graph_result_stage<G::graph_name, Id>) > 0);  // its own message, once
            return result_;  // not reached: the rule above does not compile
        } else {
            return result_.template output<typename G::shape::template stage_at<i>::value>(Id.view());
        }
    }
    template <fixed_string Id>
    [[nodiscard]] bool has() const {
        return result_.has_output(Id.view());
    }
    [[nodiscard]] bool ok() const { return result_.ok(); }
    [[nodiscard]] GraphStatus status() const { return result_.status; }
    [[nodiscard]] const StageReport& stage(std::string_view id) const { return result_.stage(id); }
    [[nodiscard]] const GraphResult& report() const { return result_; }
    [[nodiscard]] const GraphResult& graph_result() const { return result_; }

private:
    GraphResult result_;
};

template <fixed_string Name, class... Stages>
class StaticGraph {
    // Instantiating the class applies the rules: one static_assert for the first broken
    // one (`|| true`: no second message from this line).
    static_assert(detail::check_graph<Name, Stages...>() || true);

public:
    static constexpr fixed_string graph_name = Name;
    using shape = detail::graph_shape<Stages...>;
    /// The run argument ("input"): what the stages reading it take; void if none does.
    using input_type = detail::graph_input_t<Stages...>;
    static constexpr bool takes_input = shape::reads_input;
    using result_type = StaticGraphResult<StaticGraph>;

    explicit StaticGraph(Stages... stages)
        : plan_(std::make_shared<const GraphPlan>(lower_static_graph(std::string(Name.view()), std::tuple<Stages...>(std::move(stages)...)))) {}

    [[nodiscard]] static constexpr std::string_view name() { return Name.view(); }
    /// What the executor runs (one node per stage, after a graph_input node when "input" is read).
    [[nodiscard]] const GraphPlan& plan() const { return *plan_; }

    template <class In = input_type>
        requires(takes_input)
    result_type run(std::type_identity_t<In> input, Context& ctx, const GraphOptions& options = {}) const {
        return result_type(run_plan(*plan_, ctx, options, std::make_shared<AnyValue>(std::move(input))));
    }
    result_type run(Context& ctx, const GraphOptions& options = {}) const
        requires(!takes_input)
    {
        return result_type(run_plan(*plan_, ctx, options));
    }

private:
    std::shared_ptr<const GraphPlan> plan_;  // shared: copies of a graph share one plan
};

/// A static graph of the given stages: `graph<"name">(stage<"a">(...), ...)`.
template <fixed_string Name, class... Stages>
    requires(is_stage_def<Stages>::value && ...)
auto graph(Stages... stages) {
    return StaticGraph<Name, Stages...>(std::move(stages)...);
}

}  // namespace orrery
