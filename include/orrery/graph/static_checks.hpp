#pragma once
/// The compile-time rules of a static graph. Each rule is a class template whose
/// arguments name the stages and types involved; a broken rule instantiates it and
/// fails its ONE static_assert, so GCC's "In instantiation of" line reads e.g.
///   graph_edge<fixed_string<6>{"macro"}, fixed_string<8>{"profile"}, MacroIn, Profile>
/// (clang 14 shows the ids as character codes: {{112, 114, 111, ...}}.)
/// The rules run in order (ids, inputs, cycles, edges, the graph input's type) and
/// stop at the first broken one, so one mistake gives one message.
///
/// Edge rules:
///  - one input from<"a">: the step's input is a's value V, or std::optional<V>
///    (then it runs with nullopt when a was skipped; with V it is skipped along with a);
///  - several inputs from<"a", "b">: the step's input is a NamedInputs struct whose
///    fields are named exactly a and b (any order), each of its producer's value type,
///    std::optional<...> for a producer that may end without a value (when<...>,
///    optional_stage);
///  - fan_out(step) reads one input, a std::vector of the step's input;
///  - no from<...>: a source stage, its step gets a value-initialised input;
///  - "input" is the graph's run argument: every stage reading it wants the same type.

#include "orrery/core/fixed_string.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/graph/named_inputs.hpp"
#include "orrery/graph/plan.hpp"
#include "orrery/graph/stage_spec.hpp"

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery {

// ---- the rules (each names what it is about) --------------------------------------

/// false, but only known once instantiated (a rule fails only when it is used).
template <auto...>
inline constexpr bool never_v = false;

template <fixed_string Graph>
struct graph_has_stages {
    static constexpr bool ok = never_v<Graph>;
    static_assert(ok, "orrery: a graph needs at least one stage (see graph_has_stages<Graph>)");
};
template <fixed_string Stage>
struct graph_duplicate_stage_id {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: graph has two stages with the same id (see graph_duplicate_stage_id<Stage>)");
};
template <fixed_string Stage, fixed_string Input>
struct graph_unknown_input {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: graph stage reads from<...> an unknown input: no stage has that id, and it is not "
                      "\"input\" (see graph_unknown_input<Stage, Input>)");
};
/// The stages on the cycle in the order data flows, the first repeated at the end.
template <fixed_string... Stages>
struct graph_cycle {
    static constexpr bool ok = never_v<Stages...>;
    static_assert(ok, "orrery: graph has a cycle: each stage on it reads from the one before "
                      "(see graph_cycle<Stages...>)");
};
template <fixed_string Stage, class StepInput>
struct graph_source_stage {
    static constexpr bool ok = std::is_default_constructible_v<StepInput>;
    static_assert(ok, "orrery: graph stage has no from<...> (a source stage) but its step's input is not "
                      "default-constructible: give it from<\"input\"> or from<\"stage\"> "
                      "(see graph_source_stage<Stage, StepInput>)");
};
template <fixed_string Stage, std::size_t Inputs>
struct graph_fan_out_inputs {
    static constexpr bool ok = Inputs == 1;
    static_assert(ok, "orrery: a fan-out stage reads exactly one input, a std::vector of its step's input "
                      "(see graph_fan_out_inputs<Stage, Inputs>)");
};
template <fixed_string Stage, fixed_string Producer, class ProducerValue>
struct graph_fan_out_not_range {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: fan-out over a non-range: the producer's value must be a std::vector of the fanned-out "
                      "step's input (see graph_fan_out_not_range<Stage, Producer, ProducerValue>)");
};
template <fixed_string Stage, fixed_string Producer, class StepInput, class ProducerElement>
struct graph_fan_out_element {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: graph type mismatch: the producer's vector elements are not the fanned-out step's input "
                      "(see graph_fan_out_element<Stage, Producer, StepInput, ProducerElement>)");
};
/// Expected: the step's input, or the field of its NamedInputs struct fed by Producer.
template <fixed_string Stage, fixed_string Producer, class Expected, class ProducerValue>
struct graph_edge {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: graph type mismatch: the producer's value is not what the stage takes from it "
                      "(see graph_edge<Stage, Producer, Expected, ProducerValue> in the instantiation above)");
};
template <fixed_string Stage, class StepInput>
struct graph_named_inputs_needed {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: a stage with several inputs takes a NamedInputs struct (BOOST_HANA_DEFINE_STRUCT) "
                      "with one field per input (see graph_named_inputs_needed<Stage, StepInput>)");
};
template <fixed_string Stage, class StepInput, class From>
struct graph_field_names {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: the fields of the stage's NamedInputs struct must be named exactly as the inputs in "
                      "from<...> (see graph_field_names<Stage, StepInput, From>)");
};
template <fixed_string Stage, fixed_string Producer, class Field>
struct graph_conditional_input {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: a field fed by a conditional stage (when<...> or optional_stage) must be a "
                      "std::optional: the producer may end without a value (see graph_conditional_input<Stage, Producer, Field>)");
};
template <fixed_string Stage, class GraphInput, class Wanted>
struct graph_input_type {
    static constexpr bool ok = never_v<Stage>;
    static_assert(ok, "orrery: stages read different types from \"input\" (the graph's run argument); the first "
                      "reader fixed GraphInput (see graph_input_type<Stage, GraphInput, Wanted>)");
};

// ---- helpers ------------------------------------------------------------------------

namespace detail {

template <class T>
struct is_std_vector : std::false_type {};
template <class E, class A>
struct is_std_vector<std::vector<E, A>> : std::true_type {
    using element = E;
};

/// A NamedInputs struct's fields at compile time: names in declaration order and types.
template <NamedInputs T>
struct named_info {
    using accessors = decltype(boost::hana::accessors<T>());
    template <std::size_t I>
    using pair = std::remove_cvref_t<decltype(boost::hana::at_c<I>(std::declval<accessors>()))>;
    template <std::size_t I>
    using field = named_field_t<T, pair<I>>;
    static constexpr std::size_t size = decltype(boost::hana::length(std::declval<accessors>()))::value;
    static constexpr std::array<std::string_view, size> names = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::string_view, size>{
            std::string_view(std::remove_cvref_t<decltype(boost::hana::first(std::declval<pair<I>>()))>::c_str())...};
    }(std::make_index_sequence<size>{});
    static constexpr std::size_t index_of(std::string_view name) {
        for (std::size_t i = 0; i < size; ++i)
            if (names[i] == name) return i;
        return size;
    }
};

/// Whether a stage's step takes its inputs as named fields (several inputs).
template <class Def>
inline constexpr bool named_mode = Def::from::size > 1;

inline constexpr std::size_t no_stage = static_cast<std::size_t>(-1);
inline constexpr std::size_t graph_input_slot = static_cast<std::size_t>(-2);

/// The graph's structure as constexpr arrays: ids, inputs, their producers.
template <class... Stages>
struct graph_shape {
    static constexpr std::size_t size = sizeof...(Stages);
    static constexpr std::array<std::string_view, size> ids{Stages::id.view()...};
    using stage_list = std::tuple<Stages...>;
    template <std::size_t I>
    using stage_at = std::tuple_element_t<I, stage_list>;

    static constexpr std::size_t index_of(std::string_view id) {
        if (id == graph_input_id) return graph_input_slot;
        for (std::size_t i = 0; i < size; ++i)
            if (ids[i] == id) return i;
        return no_stage;
    }
    static constexpr std::array<std::span<const std::string_view>, size> inputs{
        std::span<const std::string_view>(Stages::from::names)...};
    static constexpr bool reads_input = [] {
        for (auto in : inputs)
            for (auto name : in)
                if (name == graph_input_id) return true;
        return false;
    }();

    /// The first stage whose id an earlier stage already has, or size.
    static constexpr std::size_t first_duplicate() {
        for (std::size_t j = 0; j < size; ++j)
            for (std::size_t i = 0; i < j; ++i)
                if (ids[i] == ids[j]) return j;
        return size;
    }
    /// The first (stage, input) whose name is unknown, or {size, 0}.
    static constexpr std::pair<std::size_t, std::size_t> first_unknown_input() {
        for (std::size_t s = 0; s < size; ++s)
            for (std::size_t k = 0; k < inputs[s].size(); ++k)
                if (index_of(inputs[s][k]) == no_stage) return {s, k};
        return {size, 0};
    }

    struct cycle_path {
        std::array<std::size_t, size + 1> stages{};
        std::size_t length = 0;  // 0: no cycle; else stages[0..length] with stages[length] == stages[0]
    };
    /// A cycle, if any: peel off stages whose producers are all peeled (Kahn); the
    /// rest lie on or after a cycle. Walking producers within the rest from any of
    /// them enters a cycle within `size` steps; follow it round once.
    static constexpr cycle_path find_cycle() {
        std::array<bool, size> done{};
        for (bool progress = true; progress;) {
            progress = false;
            for (std::size_t s = 0; s < size; ++s) {
                if (done[s]) continue;
                bool ready = true;
                for (auto name : inputs[s]) {
                    const std::size_t p = index_of(name);
                    if (p < size && !done[p]) ready = false;
                }
                if (ready) done[s] = progress = true;
            }
        }
        cycle_path out;
        std::size_t at = size;
        for (std::size_t s = 0; s < size && at == size; ++s)
            if (!done[s]) at = s;
        if (at == size) return out;
        auto producer_left = [&](std::size_t s) {
            for (auto name : inputs[s]) {
                const std::size_t p = index_of(name);
                if (p < size && !done[p]) return p;
            }
            return s;  // unreachable: a stage left over has a producer left over
        };
        for (std::size_t i = 0; i < size; ++i) at = producer_left(at);
        // Walking producers goes against the flow: collect, then reverse.
        std::array<std::size_t, size + 1> back{};
        std::size_t n = 0;
        std::size_t s = at;
        do {
            back[n++] = s;
            s = producer_left(s);
        } while (s != at && n < size);
        for (std::size_t i = 0; i < n; ++i) out.stages[i] = back[n - 1 - i];
        out.stages[n] = out.stages[0];
        out.length = n;
        return out;
    }
};

template <class Shape>
inline constexpr auto cycle_of = Shape::find_cycle();

template <class Shape, std::size_t... I>
constexpr bool report_cycle(std::index_sequence<I...>) {
    return graph_cycle<Shape::template stage_at<cycle_of<Shape>.stages[I]>::id...>::ok;
}

/// The type a stage wants from "input" (void: it does not read it).
template <class Def>
struct graph_input_wanted {
    using type = void;
};
template <class Def>
    requires(!named_mode<Def> && Def::from::size == 1)
struct graph_input_wanted<Def> {
    using In = step_input_t<typename Def::step>;
    using type = std::conditional_t<Def::from::names[0] == graph_input_id,
                                    std::conditional_t<Def::fan_out, std::vector<In>, typename optional_value<In>::type>, void>;
};
template <class Def>
    requires(named_mode<Def> && NamedInputs<step_input_t<typename Def::step>>)
struct graph_input_wanted<Def> {
    using Info = named_info<step_input_t<typename Def::step>>;
    static constexpr std::size_t at = Info::index_of(graph_input_id);
    template <std::size_t I>
    static auto pick() {
        if constexpr (I < Info::size) return std::type_identity<typename optional_value<typename Info::template field<I>>::type>{};
        else return std::type_identity<void>{};
    }
    using type = typename decltype(pick<at>())::type;
};

template <class... Defs>
struct first_non_void {
    using type = void;
};
template <class Head, class... Tail>
struct first_non_void<Head, Tail...> {
    using type = std::conditional_t<std::is_void_v<Head>, typename first_non_void<Tail...>::type, Head>;
};

/// The graph's run argument type: what its first reader wants (void: none reads it).
template <class... Stages>
using graph_input_t = typename first_non_void<typename graph_input_wanted<Stages>::type...>::type;

/// One edge Producer -> Def (into field `Expected`, or the whole input).
template <class Shape, class Def, std::size_t P, class Expected, bool IsField>
constexpr bool check_edge() {
    using Prod = typename Shape::template stage_at<P>;
    using V = typename Prod::value;
    using Base = typename optional_value<Expected>::type;
    if constexpr (!std::is_same_v<Base, V>) return graph_edge<Def::id, Prod::id, Expected, V>::ok;
    else if constexpr (IsField && Prod::conditional && !optional_value<Expected>::is_optional)
        return graph_conditional_input<Def::id, Prod::id, Expected>::ok;
    else return true;
}

template <class Shape, class Def, std::size_t... F>
constexpr bool check_fields(std::index_sequence<F...>) {
    using Info = named_info<step_input_t<typename Def::step>>;
    bool ok = true;
    // && short-circuits at run time only; each check below is its own instantiation, and
    // only the broken ones fail. The "input" field is checked with the graph input.
    auto one = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
        constexpr std::size_t p = Shape::index_of(Info::names[I]);
        if constexpr (p == graph_input_slot) return true;
        else return check_edge<Shape, Def, p, typename Info::template field<I>, true>();
    };
    ((ok = ok && one(std::integral_constant<std::size_t, F>{})), ...);
    return ok;
}

template <class From, class Info>
constexpr bool same_names() {
    if (From::size != Info::size) return false;
    for (auto name : From::names)
        if (Info::index_of(name) == Info::size) return false;
    return true;
}

/// The rules about one stage's inputs, in order, stopping at the first broken one.
template <class Shape, class Def>
constexpr bool check_stage() {
    using S = typename Def::step;
    using In = step_input_t<S>;
    constexpr std::size_t k = Def::from::size;
    if constexpr (Def::fan_out && k != 1) return graph_fan_out_inputs<Def::id, k>::ok;
    else if constexpr (k == 0) return graph_source_stage<Def::id, In>::ok;
    else if constexpr (k == 1) {
        constexpr std::size_t p = Shape::index_of(Def::from::names[0]);
        if constexpr (p == graph_input_slot) return true;  // checked with the graph input
        else if constexpr (Def::fan_out) {
            using Prod = typename Shape::template stage_at<p>;
            using V = typename Prod::value;
            if constexpr (!is_std_vector<V>::value) return graph_fan_out_not_range<Def::id, Prod::id, V>::ok;
            else if constexpr (!std::is_same_v<typename is_std_vector<V>::element, In>)
                return graph_fan_out_element<Def::id, Prod::id, In, typename is_std_vector<V>::element>::ok;
            else return true;
        } else {
            return check_edge<Shape, Def, p, In, false>();
        }
    } else if constexpr (!NamedInputs<In>) {
        return graph_named_inputs_needed<Def::id, In>::ok;
    } else if constexpr (!same_names<typename Def::from, named_info<In>>()) {
        return graph_field_names<Def::id, In, typename Def::from>::ok;
    } else {
        return check_fields<Shape, Def>(std::make_index_sequence<named_info<In>::size>{});
    }
}

template <class Input, class Def>
constexpr bool check_input_reader() {
    using W = typename graph_input_wanted<Def>::type;
    if constexpr (std::is_void_v<W> || std::is_same_v<W, Input>) return true;
    else return graph_input_type<Def::id, Input, W>::ok;
}

/// Stage by stage, stopping at the first broken one (no cascade of messages).
template <class Shape, class Def, class... Rest>
constexpr bool check_stages() {
    if constexpr (!check_stage<Shape, Def>()) return false;
    else if constexpr (sizeof...(Rest) == 0) return true;
    else return check_stages<Shape, Rest...>();
}
template <class Input, class Def, class... Rest>
constexpr bool check_input_readers() {
    if constexpr (!check_input_reader<Input, Def>()) return false;
    else if constexpr (sizeof...(Rest) == 0) return true;
    else return check_input_readers<Input, Rest...>();
}

template <fixed_string Name, class... Stages>
constexpr bool check_graph() {
    using Shape = graph_shape<Stages...>;
    if constexpr (sizeof...(Stages) == 0) return graph_has_stages<Name>::ok;
    else if constexpr (constexpr auto d = Shape::first_duplicate(); d < Shape::size)
        return graph_duplicate_stage_id<Shape::template stage_at<d>::id>::ok;
    else if constexpr (constexpr auto u = Shape::first_unknown_input(); u.first < Shape::size)
        return graph_unknown_input<Shape::template stage_at<u.first>::id,
                                   Shape::template stage_at<u.first>::from::template name_at<u.second>>::ok;
    else if constexpr (cycle_of<Shape>.length > 0)
        return report_cycle<Shape>(std::make_index_sequence<cycle_of<Shape>.length + 1>{});
    else if constexpr (!check_stages<Shape, Stages...>()) return false;
    else return check_input_readers<graph_input_t<Stages...>, Stages...>();
}

}  // namespace detail
}  // namespace orrery
