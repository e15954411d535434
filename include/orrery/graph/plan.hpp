#pragma once
/// The form every graph takes before it runs: a list of nodes with their inputs,
/// condition, fan-out, retry policy and the type-erased functions that run one
/// attempt. Static graphs (static_graph.hpp) and dynamic graphs (dynamic_graph.hpp)
/// both lower to a GraphPlan, and one executor (executor.hpp) runs it: that is why
/// they give identical results.

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/stage_result.hpp"
#include "orrery/graph/named_inputs.hpp"
#include "orrery/graph/retry.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace orrery {

/// The id of the graph's own input (`from<"input">`, `needs: [input]`).
inline constexpr std::string_view graph_input_id = "input";

/// One declared input of a node.
struct PlanInput {
    std::size_t producer = 0;     // index of the producing node in GraphPlan::nodes
    std::string name;             // the field it fills (multi-input stages), else empty
    bool accepts_absent = false;  // arrives as std::optional: a skipped producer gives nullopt
};

/// One fan-out element's failure (the index is the element's position in the input range).
struct ElementFailure {
    std::size_t index = 0;
    StageFailure failure;
};

/// What one attempt produced.
struct AttemptOutcome {
    enum class Kind { value, failure, skipped } kind = Kind::value;
    StageValue value;        // Kind::value
    StageFailure failure;    // Kind::failure
    std::string skip_reason; // Kind::skipped

    static AttemptOutcome of(StageValue v) { return {Kind::value, std::move(v), {}, {}}; }
    static AttemptOutcome failed(StageFailure f) { return {Kind::failure, nullptr, std::move(f), {}}; }
    static AttemptOutcome skip(std::string reason) { return {Kind::skipped, nullptr, {}, std::move(reason)}; }
};

/// The arguments of one attempt. `inputs` follow PlanNode::inputs (null = absent);
/// for a fan-out node it is the one element. When `may_move` is true the attempt is
/// the inputs' last reader and may move out of them instead of copying.
struct AttemptCall {
    std::span<const StageValue> inputs;
    bool may_move = false;
    Context& ctx;
    int attempt = 1;
};

struct PlanNode {
    std::string id;                   // unique in the graph
    std::string stage_type;           // what runs: a step alias or a type name (reports, events)
    std::vector<PlanInput> inputs;
    bool graph_input = false;         // the graph's own input: not run, not reported
    bool optional = false;            // its failure does not fail the run (dependants still skip)
    std::function<bool(const Context&)> condition;  // run only when true (null: always)
    std::string condition_text;       // how the condition is shown ("when HasLyrics")
    RetryPolicy retry;
    /// One attempt on the node's inputs (a fan-out node: on one element).
    std::function<AttemptOutcome(AttemptCall&)> run;
    /// Fan-out: split the input range into elements, and gather the element outputs
    /// (in input order) into the node's output. Both null for other nodes.
    std::function<std::vector<StageValue>(const StageValue& range, bool may_move)> split;
    std::function<StageValue(std::vector<StageValue>&& element_outputs)> gather;
    /// Metrics: how many things the output holds (a range's size, a field, 1).
    std::function<std::size_t(const AnyValue&)> count_outputs;
    /// Applies the output to the run state (state keys); runs after success.
    std::function<void(const AnyValue&, Context&)> apply_output;
};

struct GraphPlan {
    std::string name;
    std::vector<PlanNode> nodes;  // any order; the executor follows PlanInput edges

    [[nodiscard]] const PlanNode* find(std::string_view id) const {
        for (const auto& n : nodes)
            if (n.id == id) return &n;
        return nullptr;
    }
};

}  // namespace orrery
