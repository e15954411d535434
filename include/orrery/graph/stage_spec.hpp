#pragma once
/// How one stage of a static graph is declared:
///
///   orrery::stage<"lyrics">(Lyrics{}, orrery::from<"audio">, orrery::when<HasLyrics>,
///                           orrery::retry(RetryPolicy{.max_attempts = 3}), orrery::optional_stage)
///   orrery::stage<"groups">(orrery::fan_out(GroupPlanner{}), orrery::from<"macro">)
///   orrery::stage<"scale">(Scale{}, orrery::from<"input">, orrery::params(Scale::Params{.factor = 2}))
///
/// The first argument is the step (a value of an orrery::Step type, a configured
/// StepConfig<S>, or fan_out(...) of either); the rest are specs in any order, each
/// at most once. What the specs mean for the edges is checked when the stages form a
/// graph (static_checks.hpp); here only what one stage can know on its own.

#include "orrery/core/context.hpp"
#include "orrery/core/fixed_string.hpp"
#include "orrery/core/run_step.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/graph/retry.hpp"

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace orrery {

/// The stages (or "input", the graph's run argument) a stage reads, by id.
template <fixed_string... Names>
struct from_spec {
    static constexpr std::size_t size = sizeof...(Names);
    static constexpr std::array<std::string_view, sizeof...(Names)> names{Names.view()...};
    /// The K-th name as a template argument (diagnostics show it).
    template <std::size_t K>
    static constexpr auto name_at = std::get<K>(std::tuple{Names...});
};
template <fixed_string... Names>
inline constexpr from_spec<Names...> from{};

/// A condition over the run's context (its state store): Pred has
/// `static bool test(const Context&)`, or is a default-constructible
/// `bool operator()(const Context&) const`.
template <class Pred>
concept StagePredicate = requires(const Context& ctx) {
    { Pred::test(ctx) } -> std::convertible_to<bool>;
} || (std::is_default_constructible_v<Pred> && std::is_invocable_r_v<bool, const Pred&, const Context&>);

template <class Pred>
struct when_spec {
    using predicate = Pred;
    static_assert(StagePredicate<Pred>,
                  "orrery: when<Pred> needs `static bool test(const orrery::Context&)` or a default-constructible "
                  "`bool operator()(const orrery::Context&) const` (see when_spec<Pred>)");
};
template <class Pred>
inline constexpr when_spec<Pred> when{};

struct retry_spec {
    RetryPolicy policy;
};
/// The stage's retry policy (default: one attempt).
inline retry_spec retry(RetryPolicy policy) { return {std::move(policy)}; }

/// The stage's failure does not fail the run: the run ends DEGRADED, readers of its
/// value get nullopt (so, like a conditional stage's, their fields are std::optional).
struct optional_stage_spec {};
inline constexpr optional_stage_spec optional_stage{};

template <class P>
struct params_spec {
    P value;
};
/// The step's parameters (its `Params` struct).
template <class P>
params_spec<P> params(P value) {
    return {std::move(value)};
}

/// A step run once per element of a std::vector of its input, in parallel; the
/// stage's value is the std::vector of the step's values, in input order.
template <Step S>
struct fan_out_spec {
    StepConfig<S> config;
};
template <Step S>
fan_out_spec<S> fan_out(S) {
    return {};
}
template <Step S>
fan_out_spec<S> fan_out(StepConfig<S> config) {
    return {std::move(config)};
}

/// The stage's compile-time shape: id, step type, fan-out, inputs, condition (void =
/// always runs) and optional. Runtime settings (parameters, retry) are members.
template <fixed_string Id, Step S, bool FanOut, class From, class When, bool Optional>
struct StageDef {
    static constexpr fixed_string id = Id;
    using step = S;
    static constexpr bool fan_out = FanOut;
    using from = From;
    using predicate = When;
    static constexpr bool optional = Optional;
    /// May end without a value while the run goes on: readers take std::optional fields.
    static constexpr bool conditional = !std::is_void_v<When> || Optional;
    /// What the stage's dependants receive.
    using step_value = stage_value_t<step_output_t<S>>;
    using value = std::conditional_t<FanOut, std::vector<step_value>, step_value>;

    StepConfig<S> config;
    RetryPolicy retry;
};

namespace detail {
template <class T>
struct is_from_spec : std::false_type {};
template <fixed_string... N>
struct is_from_spec<from_spec<N...>> : std::true_type {};
template <class T>
struct is_when_spec : std::false_type {};
template <class P>
struct is_when_spec<when_spec<P>> : std::true_type {};
template <class T>
struct is_params_spec : std::false_type {};
template <class P>
struct is_params_spec<params_spec<P>> : std::true_type {};

template <class T>
using is_retry_spec = std::is_same<T, retry_spec>;

template <class T>
inline constexpr bool is_stage_spec_v = is_from_spec<T>::value || is_when_spec<T>::value || is_params_spec<T>::value ||
                                        std::is_same_v<T, retry_spec> || std::is_same_v<T, optional_stage_spec>;

template <template <class> class Is, class... Specs>
inline constexpr std::size_t count_specs = (std::size_t{0} + ... + (Is<Specs>::value ? 1 : 0));

template <template <class> class Is, class Default, class... Specs>
struct first_spec {
    using type = Default;
};
template <template <class> class Is, class Default, class Head, class... Tail>
struct first_spec<Is, Default, Head, Tail...> {
    using type = std::conditional_t<Is<Head>::value, Head, typename first_spec<Is, Default, Tail...>::type>;
};

template <class W>
struct predicate_of {
    using type = void;
};
template <class P>
struct predicate_of<when_spec<P>> {
    using type = P;
};

/// The step of a stage's first argument, and whether it fans out.
template <class X>
struct stage_step;
template <Step S>
struct stage_step<S> {
    using type = S;
    static constexpr bool fan_out = false;
    static StepConfig<S> config(S&&) { return {}; }
};
template <Step S>
struct stage_step<StepConfig<S>> {
    using type = S;
    static constexpr bool fan_out = false;
    static StepConfig<S> config(StepConfig<S>&& c) { return std::move(c); }
};
template <Step S>
struct stage_step<fan_out_spec<S>> {
    using type = S;
    static constexpr bool fan_out = true;
    static StepConfig<S> config(fan_out_spec<S>&& f) { return std::move(f.config); }
};
template <class X>
concept stage_step_arg = requires { typename stage_step<X>::type; };

/// The failing instantiation names the stage and the argument.
template <fixed_string Stage, class Spec>
struct graph_stage_spec {
    static constexpr bool ok = is_stage_spec_v<Spec>;
    static_assert(ok, "orrery: not a stage spec: after the step, a stage takes from<...>, when<...>, retry(...), "
                      "optional_stage or params(...) (see graph_stage_spec<Stage, Spec>)");
};
template <fixed_string Stage, class... Specs>
struct graph_stage_specs_once {
    static constexpr bool ok = count_specs<is_from_spec, Specs...> <= 1 && count_specs<is_when_spec, Specs...> <= 1 &&
                               count_specs<is_params_spec, Specs...> <= 1 && count_specs<is_retry_spec, Specs...> <= 1;
    static_assert(ok, "orrery: a stage takes from<...>, when<...>, retry(...) and params(...) at most once each: list several "
                      "inputs in one from<\"a\", \"b\"> (see graph_stage_specs_once<Stage, Specs...>)");
};
template <fixed_string Stage>
struct graph_stage_id {
    static constexpr bool ok = !Stage.view().empty() && Stage.view() != "input";
    static_assert(ok, "orrery: a stage id must not be empty nor \"input\" (the graph's run argument) "
                      "(see graph_stage_id<Stage>)");
};
}  // namespace detail

/// One stage: `stage<"id">(step, specs...)`.
template <fixed_string Id, class X, class... Specs>
    requires detail::stage_step_arg<std::remove_cvref_t<X>>
auto stage(X&& step, Specs&&... specs) {
    using Arg = detail::stage_step<std::remove_cvref_t<X>>;
    using S = typename Arg::type;
    // Instantiated for their static_asserts (sizeof keeps it to one message each).
    static_assert(sizeof(detail::graph_stage_id<Id>) > 0);
    static_assert(((sizeof(detail::graph_stage_spec<Id, std::remove_cvref_t<Specs>>) > 0) && ...));
    static_assert(sizeof(detail::graph_stage_specs_once<Id, std::remove_cvref_t<Specs>...>) > 0);
    using From = typename detail::first_spec<detail::is_from_spec, from_spec<>, std::remove_cvref_t<Specs>...>::type;
    using When = typename detail::predicate_of<
        typename detail::first_spec<detail::is_when_spec, void, std::remove_cvref_t<Specs>...>::type>::type;
    constexpr bool optional = (std::is_same_v<std::remove_cvref_t<Specs>, optional_stage_spec> || ...);
    StageDef<Id, S, Arg::fan_out, From, When, optional> def{Arg::config(std::remove_cvref_t<X>(std::forward<X>(step))), {}};
    auto apply = [&def](auto&& spec) {
        using T = std::remove_cvref_t<decltype(spec)>;
        if constexpr (std::is_same_v<T, retry_spec>) def.retry = spec.policy;
        else if constexpr (detail::is_params_spec<T>::value) {
            static_assert(std::is_same_v<decltype(spec.value), typename S::Params>,
                          "orrery: params(...) takes the step's own Params struct");
            if constexpr (std::is_same_v<decltype(spec.value), typename S::Params>) def.config.params = spec.value;
        }
    };
    (apply(specs), ...);
    (void)apply;  // no specs: not called
    return def;
}

}  // namespace orrery
