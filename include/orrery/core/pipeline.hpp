#pragma once
// Static pipelines: a Boost.Hana tuple of elements (steps, branches, taps) whose
// types are checked link by link at compile time, run in order by a recursion the
// compiler inlines into one function. Runtime values still apply per step
// (parameters, skip, hooks, save_results, reference overrides). Row steps run
// fused only where the definition says so: orrery::fused(A{}, B{}) (fused.hpp).
//
//   auto p = orrery::pipeline<"hello">(Tokenize{}, Lowercase{}, CountWords{});
//   p.configure(tree);               // {steps: {lowercase: {skip: true}}}
//   WordCounts out = p.run(std::string("a b a"), ctx);

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/fixed_string.hpp"
#include "orrery/core/fused.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/pipeline_link.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/run_step.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/core/suggest.hpp"

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery {


// ---- elements ------------------------------------------------------------------

/// A step in a chain, with its runtime configuration.
template <Step S>
struct StepNode {
    using step_type = S;
    using input = step_input_t<S>;
    using output = step_output_t<S>;
    static constexpr std::size_t step_count = 1;
    StepConfig<S> config;

    template <class PP>
    output run(input in, Context& ctx, const PP&) const {
        ctx.advance_step();
        return run_step<S>(config, std::move(in), ctx);
    }
    template <class F>
    void for_each_step(F&& f) {
        f(config);
    }
    template <class F>
    void for_each_step(F&& f) const {
        f(config);
    }
};

/// A tap: a function called on the data between two steps, with the pipeline's
/// own parameters (e.g. saving the calibrated ramp). Input == output == T.
template <class T, class F>
struct TapNode {
    using step_type = TapNode;
    using input = T;
    using output = T;
    static constexpr std::size_t step_count = 0;
    F function;

    template <class PP>
    output run(input in, Context& ctx, const PP& pipeline_params) const {
        function(in, pipeline_params, ctx);
        return in;
    }
    template <class G>
    void for_each_step(G&&) const {}
};
template <class T, class F>
TapNode<T, F> tap(F f) {
    return {std::move(f)};
}

template <class... E>
class Chain;

/// A run-time choice between two type-checked sub-chains with the same input and output.
template <class Pred, class Then, class Else>
struct BranchNode {
    using step_type = BranchNode;
    using input = typename Then::input;
    using output = typename Then::output;
    static constexpr std::size_t step_count = std::max(Then::step_count, Else::step_count);
    static_assert(std::is_same_v<typename Then::input, typename Else::input> && std::is_same_v<typename Then::output, typename Else::output>,
                  "orrery: the two sub-chains of a branch must have the same input and output types");
    std::string label;  // e.g. "MIRI"
    Pred predicate;     // bool(const input&, Context&): true -> `then`
    Then then_chain;
    Else else_chain;

    template <class PP>
    output run(input in, Context& ctx, const PP& pp) const {
        if (predicate(std::as_const(in), ctx)) return then_chain.run(std::move(in), ctx, pp);
        return else_chain.run(std::move(in), ctx, pp);
    }
    template <class F>
    void for_each_step(F&& f) {
        then_chain.for_each_step(f);
        else_chain.for_each_step(f);
    }
    template <class F>
    void for_each_step(F&& f) const {
        then_chain.for_each_step(f);
        else_chain.for_each_step(f);
    }
};

namespace detail {
template <class X>
auto as_element(X x) {
    if constexpr (Step<X>) return StepNode<X>{};
    else return x;
}
template <class E>
using element_t = decltype(as_element(std::declval<E>()));

template <class E>
using element_step_t = typename E::step_type;

template <class... E>
constexpr bool links_ok() {
    constexpr std::size_t n = sizeof...(E);
    if constexpr (n < 2) {
        return true;
    } else {
        using Tuple = std::tuple<E...>;
        return []<std::size_t... I>(std::index_sequence<I...>) {
            return (pipeline_link<element_step_t<std::tuple_element_t<I, Tuple>>, element_step_t<std::tuple_element_t<I + 1, Tuple>>,
                                  typename std::tuple_element_t<I, Tuple>::output,
                                  typename std::tuple_element_t<I + 1, Tuple>::input>::ok &&
                    ...);
        }(std::make_index_sequence<n - 1>{});
    }
}
}  // namespace detail

/// A type-checked sequence of elements.
template <class... E>
class Chain {
    static_assert(sizeof...(E) > 0, "orrery: a chain needs at least one step");

public:
    static constexpr bool valid = detail::links_ok<E...>();
    using first = std::tuple_element_t<0, std::tuple<E...>>;
    using last = std::tuple_element_t<sizeof...(E) - 1, std::tuple<E...>>;
    using input = typename first::input;
    using output = typename last::output;
    using step_type = Chain;
    static constexpr std::size_t step_count = (E::step_count + ...);

    Chain() = default;
    explicit Chain(E... e) : elements_(std::move(e)...) {}

    template <class PP>
    output run(input in, Context& ctx, const PP& pp) const {
        if constexpr (valid) return run_from<0>(std::move(in), ctx, pp);
        else return std::declval<output>();  // unreachable: the link static_assert already failed
    }

    template <class F>
    void for_each_step(F&& f) {
        boost::hana::for_each(elements_, [&](auto& e) { e.for_each_step(f); });
    }
    template <class F>
    void for_each_step(F&& f) const {
        boost::hana::for_each(elements_, [&](const auto& e) { e.for_each_step(f); });
    }

private:
    template <std::size_t I, class V, class PP>
    output run_from(V&& value, Context& ctx, const PP& pp) const {
        if constexpr (I == sizeof...(E)) {
            return std::forward<V>(value);
        } else {
            return run_from<I + 1>(boost::hana::at_c<I>(elements_).run(std::forward<V>(value), ctx, pp), ctx, pp);
        }
    }

    boost::hana::tuple<E...> elements_;
};

/// Build a chain from step objects (GroupScale{}), branches, taps or chains.
template <class... X>
auto chain(X... x) {
    return Chain<detail::element_t<X>...>(detail::as_element(std::move(x))...);
}

/// Run-time branch: `predicate(input, ctx)` true -> `then_chain`, else `else_chain`.
template <class Pred, class Then, class Else>
auto branch(std::string label, Pred predicate, Then then_chain, Else else_chain) {
    return BranchNode<Pred, Then, Else>{std::move(label), std::move(predicate), std::move(then_chain), std::move(else_chain)};
}

// ---- pipelines -------------------------------------------------------------------

/// A named pipeline: a chain plus its own parameters and built-in settings.
/// Def provides name, optional class_name/description, Params; ChainT is the chain type.
template <class Def, class ChainT>
class Pipeline {
public:
    using definition = Def;
    using input = typename ChainT::input;
    using output = typename ChainT::output;
    using Params = typename Def::Params;
    static constexpr std::string_view name = Def::name;
    static constexpr std::size_t step_count = ChainT::step_count;

    explicit Pipeline(ChainT c) : chain_(std::move(c)) {
        settings.output_ext = std::string(product_extension<output>());
        if constexpr (requires { Def::step_order; }) check_step_order();
    }

    /// A definition may name the suffix its product is saved with, as jwst's pipelines set
    /// their own when they finish (calwebb_detector1: "rate", or "ramp" when ramp_fit was
    /// skipped), so that the suffix parameter does not change it: `static constexpr
    /// std::string_view suffix`, or, when it depends on the result,
    /// `static std::string product_suffix(const output&)`.
    static constexpr bool names_its_product =
        requires(const output& o) { Def::product_suffix(o); } || requires { Def::suffix; };
    static std::string product_suffix(const output& result)
        requires names_its_product
    {
        if constexpr (requires { Def::product_suffix(result); }) return std::string(Def::product_suffix(result));
        else return std::string(Def::suffix);
    }

    Params params{};
    StepSettings settings{};

    /// Apply {own params..., steps: {alias: {...}}}. Unknown keys and aliases are errors.
    void configure(const ParamNode& tree) {
        if (tree.is_null()) return;
        if (!tree.is_map()) throw ParameterError(std::string(name), tree.source(), "expected a mapping of parameters");
        for (const auto& [key, value] : tree.children()) {
            if (is_identity_key(key)) continue;
            if (key == "steps") {
                configure_children(value);
                continue;
            }
            if (set_param(params, key, value, key) || set_param(settings, key, value, key)) {
                explicit_values_.set(key, value);
                continue;
            }
            std::vector<std::string> known{"steps"};
            for (const auto& p : params_schema<Params>()) known.push_back(p.name);
            for (const auto& p : params_schema<StepSettings>()) known.push_back(p.name);
            throw UnknownParameterError(key, value.source(), "unknown parameter for pipeline '" + std::string(name) + "'" + did_you_mean(key, known));
        }
    }

    /// Run the whole chain. Inlined: no virtual call and no type erasure between steps.
    output run(input in, Context& ctx) const {
        RunInfo info = ctx.run_info();
        info.pipeline_name = std::string(name);
        info.step_index = 0;
        info.step_total = static_cast<int>(step_count);
        if (settings.output_dir) info.output_dir = *settings.output_dir;
        if (settings.output_file) info.output_file = *settings.output_file;
        const auto run_scope = ctx.scoped_run_info(std::move(info));
        const auto references = ctx.reference_run(reference_uses());
        return chain_.run(std::move(in), ctx, params);
    }

    /// The reference types the steps declare, one entry per step (both sides of a branch:
    /// a type only the side not taken declares is then kept to the end of the run).
    [[nodiscard]] std::vector<std::string> reference_uses() const {
        std::vector<std::string> uses;
        for_each_step([&](const auto& cfg) { add_reference_uses<typename std::remove_cvref_t<decltype(cfg)>::step_type_tag>(uses); });
        return uses;
    }

    /// Visit every StepConfig<S>& (both sides of branches).
    template <class F>
    void for_each_step(F&& f) {
        chain_.for_each_step(f);
    }
    template <class F>
    void for_each_step(F&& f) const {
        chain_.for_each_step(f);
    }

    /// The config of the (first) step S.
    template <Step S>
    StepConfig<S>& step() {
        StepConfig<S>* found = nullptr;
        for_each_step([&](auto& cfg) {
            if constexpr (std::is_same_v<std::remove_cvref_t<decltype(cfg)>, StepConfig<S>>)
                if (!found) found = &cfg;
        });
        if (!found) throw ConfigError("pipeline '" + std::string(name) + "' has no step '" + std::string(S::name) + "'");
        return *found;
    }

    /// Current values: own params + built-ins + steps: {alias: {...}} (children in aliases() order).
    [[nodiscard]] ParamNode parameters() const {
        ParamNode out = params_to_node(params);
        const ParamNode builtins = params_to_node(settings);
        for (const auto& [k, v] : builtins.children()) out.set(k, v);
        ParamNode by_alias = ParamNode::map();
        for_each_step([&](const auto& cfg) {
            using S = typename std::remove_cvref_t<decltype(cfg)>::step_type_tag;
            if (!by_alias.contains(step_traits<S>::name)) by_alias.set(step_traits<S>::name, step_parameters<S>(cfg));
        });
        ParamNode& steps = out.child("steps");
        for (const auto& alias : aliases()) steps.set(alias, *by_alias.find(alias));
        return out;
    }

    /// Aliases in run order (first branch side first), each once: a step on both sides of
    /// a branch is one child, configured on both sides alike.
    [[nodiscard]] std::vector<std::string> run_order() const {
        std::vector<std::string> out;
        for_each_step([&](const auto& cfg) {
            using S = typename std::remove_cvref_t<decltype(cfg)>::step_type_tag;
            std::string a(step_traits<S>::name);
            if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
        });
        return out;
    }

    /// The children as listed (parameters, parameter files, describe): the definition's
    /// `step_order` when it has one (stpipe lists a pipeline's children in its step_defs
    /// order, which need not be the run order), else run_order().
    [[nodiscard]] std::vector<std::string> aliases() const {
        if constexpr (requires { Def::step_order; }) return {Def::step_order.begin(), Def::step_order.end()};
        else return run_order();
    }

    [[nodiscard]] const ParamNode& explicit_values() const { return explicit_values_; }

private:
    /// step_order must name every child once, and nothing else.
    void check_step_order() const {
        std::vector<std::string> listed(Def::step_order.begin(), Def::step_order.end()), run = run_order();
        std::sort(listed.begin(), listed.end());
        std::sort(run.begin(), run.end());
        if (listed != run || std::adjacent_find(listed.begin(), listed.end()) != listed.end()) {
            std::string known;
            for (const auto& a : run_order()) known += (known.empty() ? "" : ", ") + a;
            throw ConfigError("pipeline '" + std::string(name) + "': step_order must name each of its steps once (its steps: " + known + ")");
        }
    }

    void configure_children(const ParamNode& steps) {
        if (steps.is_null()) return;
        if (!steps.is_map()) throw ParameterError("steps", steps.source(), "expected a mapping of step names");
        for (const auto& child : steps.children()) {
            // Named, not structured bindings: clang 14 does not let a lambda capture those.
            const std::string& alias = child.first;
            const ParamNode& subtree = child.second;
            bool found = false;
            for_each_step([&](auto& cfg) {
                using S = typename std::remove_cvref_t<decltype(cfg)>::step_type_tag;
                if (step_traits<S>::name == alias) {
                    configure_step<S>(cfg, subtree, "steps." + alias + ".");
                    found = true;
                }
            });
            if (!found) {
                std::string known;
                for (const auto& a : aliases()) known += (known.empty() ? "" : ", ") + a;
                throw UnknownParameterError("steps." + alias, subtree.source(),
                                     "pipeline '" + std::string(name) + "' has no step '" + alias + "' (its steps: " + known + ")");
            }
        }
    }

    ChainT chain_;
    ParamNode explicit_values_ = ParamNode::map();
};

/// Definition used by pipeline<"name">(...) when no definition type is written.
template <fixed_string Name>
struct AdHocPipeline {
    static constexpr std::string_view name = Name.view();
    using Params = NoParams;
};

/// An ad-hoc named static pipeline: orrery::pipeline<"hello">(A{}, B{}, C{}).
template <fixed_string Name, class... X>
auto pipeline(X... x) {
    auto c = chain(std::move(x)...);
    return Pipeline<AdHocPipeline<Name>, decltype(c)>(std::move(c));
}

/// The pipeline of a definition type P (with `static auto chain()`).
template <class P>
auto make_pipeline() {
    auto c = P::chain();
    return Pipeline<P, decltype(c)>(std::move(c));
}
template <class P>
using pipeline_of = decltype(make_pipeline<P>());

}  // namespace orrery
