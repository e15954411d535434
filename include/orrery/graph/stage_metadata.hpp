#pragma once
/// What a graph knows about a stage type besides its data shapes: a description,
/// the state keys its output fills, how the output is applied to the run's state
/// (the output handler), how many outputs it counts for metrics (the output
/// counter), and which other stage types it depends on.
///
/// Every item is an optional static member of the step type, with a default so a
/// plain step needs none of them:
///
///   static constexpr std::string_view state_key = "profile";          // one key, or
///   static constexpr std::array<std::string_view, 2> state_keys{"a", "b"};  // several
///   static void apply_output(const Value&, orrery::Context&);         // the handler
///   static std::size_t count_outputs(const Value&);                   // the counter, or
///   static constexpr std::size_t output_count = 3;                    // a constant
///   static constexpr std::array<std::string_view, 1> depends_on{"audio"};
///
/// where Value is what the stage produces (T for a step returning StageResult<T>).
/// Defaults: the counter is size() for a sized range (strings count as one
/// output), else 1; with exactly one state key and no apply_output the handler
/// stores a copy of the value under that key; with no key there is no handler.
/// Several keys need apply_output: which part goes where cannot be guessed.
/// Broken declarations fail compilation with one message each.

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/stage_result.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/graph/stage_io.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <iterator>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace orrery {

struct StageMetadata {
    std::string type;        // the step alias
    std::string class_name;  // the step's class name (the alias when it declares none)
    std::string description;
    std::vector<std::string> state_keys;
    /// Applies the stage's value (an AnyValue holding stage_value_t) to the run's state; empty = none.
    std::function<void(const AnyValue& value, Context&)> output_handler;
    /// How many outputs the value counts for metrics.
    std::function<std::size_t(const AnyValue& value)> output_counter;
    std::vector<std::string> depends_on;  // other stage types (alias or class name)
    StageIO io;                           // make_stage_io<S>()
    std::string origin;                   // "file:line" of the registration
};

/// A state key is an identifier: letters, digits and '_', not starting with a digit.
constexpr bool valid_state_key(std::string_view key) {
    if (key.empty() || (key.front() >= '0' && key.front() <= '9')) return false;
    for (char c : key)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

namespace detail {

template <class S>
concept has_state_key = requires {
    { S::state_key } -> std::convertible_to<std::string_view>;
};
template <class S>
concept has_state_keys = requires { std::size(S::state_keys); } && std::convertible_to<decltype(*std::begin(S::state_keys)), std::string_view>;
template <class S>
concept has_depends_on = requires { std::size(S::depends_on); } && std::convertible_to<decltype(*std::begin(S::depends_on)), std::string_view>;
template <class S>
concept has_apply_output = requires { &S::apply_output; };
template <class S>
concept has_count_outputs = requires { &S::count_outputs; };
template <class S>
concept has_output_count = requires {
    { S::output_count } -> std::convertible_to<std::size_t>;
};

/// A constexpr array of string_views (C array or std::array) copied into a std::array.
template <const auto& list>
constexpr auto string_view_array() {
    constexpr std::size_t n = std::size(list);
    std::array<std::string_view, n> out{};
    for (std::size_t i = 0; i < n; ++i) out[i] = std::string_view(list[i]);
    return out;
}

template <class S>
constexpr auto declared_state_keys() {
    if constexpr (has_state_key<S> && !has_state_keys<S>) return std::array<std::string_view, 1>{std::string_view(S::state_key)};
    else if constexpr (has_state_keys<S> && !has_state_key<S>) return string_view_array<S::state_keys>();
    else return std::array<std::string_view, 0>{};
}

template <class S>
constexpr auto declared_dependencies() {
    if constexpr (has_depends_on<S>) return string_view_array<S::depends_on>();
    else return std::array<std::string_view, 0>{};
}

template <std::size_t N>
constexpr bool all_valid_state_keys(const std::array<std::string_view, N>& keys) {
    for (auto k : keys)
        if (!valid_state_key(k)) return false;
    return true;
}

template <std::size_t N>
constexpr bool no_duplicate(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = i + 1; j < N; ++j)
            if (names[i] == names[j]) return false;
    return true;
}

template <std::size_t N>
constexpr bool all_non_empty(const std::array<std::string_view, N>& names) {
    for (auto n : names)
        if (n.empty()) return false;
    return true;
}

/// Strings are ranges of characters, but a stage producing one text produced one output.
template <class V>
inline constexpr bool counts_as_range = std::ranges::sized_range<const V> && !std::is_convertible_v<const V&, std::string_view>;

/// The value inside a handler's or counter's box, or an InternalError naming both types.
template <class Value>
const Value& stage_value_in(const AnyValue& box, std::string_view stage, const char* what) {
    if (const Value* v = box.get<Value>()) return *v;
    throw InternalError("the " + std::string(what) + " of stage type '" + std::string(stage) + "' expects " + type_name<Value>() +
                        ", got " + box.type_text());
}

}  // namespace detail

/// The metadata of step type S, read from its optional static members (see the top of this file).
template <Step S>
StageMetadata make_stage_metadata(std::string origin = {}) {
    using Value = stage_value_t<step_output_t<S>>;
    static_assert(!(detail::has_state_key<S> && detail::has_state_keys<S>),
                  "orrery: a stage declares `state_key` or `state_keys`, not both");
    static_assert(!(detail::has_count_outputs<S> && detail::has_output_count<S>),
                  "orrery: a stage declares `count_outputs` or `output_count`, not both");
    constexpr auto keys = detail::declared_state_keys<S>();
    constexpr auto deps = detail::declared_dependencies<S>();
    static_assert(detail::all_valid_state_keys(keys),
                  "orrery: a stage's state keys must be identifiers (letters, digits and '_', not starting with a digit)");
    static_assert(detail::no_duplicate(keys), "orrery: a stage declares the same state key twice");
    static_assert(detail::all_non_empty(deps), "orrery: a stage's `depends_on` names an empty stage type");
    if constexpr (detail::has_apply_output<S>)
        static_assert(std::is_invocable_v<decltype(&S::apply_output), const Value&, Context&>,
                      "orrery: a stage's `apply_output` must be `static void apply_output(const Value&, orrery::Context&)`, "
                      "Value being what the stage produces");
    if constexpr (detail::has_count_outputs<S>)
        static_assert(std::is_convertible_v<std::invoke_result_t<decltype(&S::count_outputs), const Value&>, std::size_t>,
                      "orrery: a stage's `count_outputs` must be `static std::size_t count_outputs(const Value&)`, "
                      "Value being what the stage produces");
    static_assert(keys.size() <= 1 || detail::has_apply_output<S>,
                  "orrery: a stage with several state keys needs `static void apply_output(const Value&, orrery::Context&)` "
                  "saying how its output fills them");
    if constexpr (keys.size() == 1 && !detail::has_apply_output<S>)
        static_assert(std::is_copy_constructible_v<Value>,
                      "orrery: storing a stage's value under its state key copies it: make the value copyable or declare "
                      "`apply_output`");

    StageMetadata m;
    m.type = std::string(step_traits<S>::name);
    m.class_name = std::string(step_traits<S>::class_name);
    m.description = std::string(step_traits<S>::description);
    for (auto k : keys) m.state_keys.emplace_back(k);
    for (auto d : deps) m.depends_on.emplace_back(d);
    m.io = make_stage_io<S>();
    m.origin = std::move(origin);

    if constexpr (detail::has_apply_output<S>) {
        m.output_handler = [](const AnyValue& value, Context& ctx) {
            S::apply_output(detail::stage_value_in<Value>(value, S::name, "output handler"), ctx);
        };
    } else if constexpr (keys.size() == 1 && std::is_copy_constructible_v<Value>) {
        m.output_handler = [](const AnyValue& value, Context& ctx) {
            ctx.set_state(std::string(detail::declared_state_keys<S>()[0]), Value(detail::stage_value_in<Value>(value, S::name, "output handler")));
        };
    }

    if constexpr (detail::has_count_outputs<S>) {
        m.output_counter = [](const AnyValue& value) -> std::size_t {
            return S::count_outputs(detail::stage_value_in<Value>(value, S::name, "output counter"));
        };
    } else if constexpr (detail::has_output_count<S>) {
        m.output_counter = [](const AnyValue&) -> std::size_t { return static_cast<std::size_t>(S::output_count); };
    } else if constexpr (detail::counts_as_range<Value>) {
        m.output_counter = [](const AnyValue& value) -> std::size_t {
            return static_cast<std::size_t>(std::ranges::size(detail::stage_value_in<Value>(value, S::name, "output counter")));
        };
    } else {
        m.output_counter = [](const AnyValue&) -> std::size_t { return 1; };
    }
    return m;
}

}  // namespace orrery
