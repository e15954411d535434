#pragma once
// What a step type is. A type S models orrery::Step when it has
//   static constexpr std::string_view name;            // the alias users type
//   using Params = ...;                                // reflected with ORRERY_PARAMS
//   static Out process(In, const Params&, Context&);   // In/Out read from here
// or, instead of process, the row-step functions (row_step.hpp), which make a
// step on T -> T whose process the framework derives:
//   using RowState = ...;
//   static RowState prepare(T&, const Params&, Context&);
//   static void process_rows(T&, const RowState&, const Params&, std::size_t row_begin, std::size_t row_end);
//   static void finish(T&, RowState&, const Params&, Context&);      // optional
// and optionally class_name, import_paths, description, status_key, reference_types, default_skip.

#include "orrery/core/params.hpp"

#include <array>
#include <concepts>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

namespace orrery {

class Context;

namespace detail {
template <class F>
struct process_signature {
    static constexpr bool valid = false;
};
template <class R, class In, class P>
struct process_signature<R (*)(In, const P&, Context&)> {
    static constexpr bool valid = true;
    using output = R;
    using input_param = In;                 // as declared (value, const&, &&)
    using input = std::remove_cvref_t<In>;  // the data type flowing in
    using params = P;
};
template <class R, class In, class P>
struct process_signature<R (*)(In, const P&, Context&) noexcept> : process_signature<R (*)(In, const P&, Context&)> {};

template <class S>
concept has_name = requires {
    { S::name } -> std::convertible_to<std::string_view>;
};
template <class S>
concept has_params_type = requires { typename S::Params; };
template <class S>
concept has_static_process = requires { &S::process; };

/// `static RowState prepare(T&, const Params&, Context&)`: the data type T of a row step.
template <class F>
struct prepare_signature {
    static constexpr bool valid = false;
};
template <class R, class T, class P>
struct prepare_signature<R (*)(T&, const P&, Context&)> {
    static constexpr bool valid = !std::is_const_v<T>;
    using state = R;
    using data = T;
    using params = P;
};

/// The row-step functions in place of `process` (see row_step.hpp).
template <class S>
concept has_row_functions = requires {
    typename S::RowState;
    &S::prepare;
    &S::process_rows;
};
template <class S>
concept has_valid_row_functions = has_row_functions<S> && prepare_signature<decltype(&S::prepare)>::valid &&
                                  std::is_same_v<typename prepare_signature<decltype(&S::prepare)>::state, typename S::RowState>;

template <class S>
concept has_valid_process = has_static_process<S> && process_signature<decltype(&S::process)>::valid;

constexpr bool valid_step_name(std::string_view n) {
    if (n.empty()) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return false;
    return true;
}
}  // namespace detail

/// A step: `process`, or the row-step functions instead (never both: a row step's
/// process is derived from them, so there is one implementation to keep right).
template <class S>
concept Step = detail::has_name<S> && detail::has_params_type<S> &&
               ((detail::has_valid_process<S> && !detail::has_row_functions<S>) ||
                (detail::has_valid_row_functions<S> && !detail::has_static_process<S>)) &&
               ReflectedParams<typename S::Params>;

namespace detail {
template <class S>
struct step_io {  // from process
    using sig = process_signature<decltype(&S::process)>;
    using input = typename sig::input;
    using output = typename sig::output;
};
template <class S>
    requires has_valid_row_functions<S> && (!has_static_process<S>)
struct step_io<S> {  // a row step: T -> T
    using input = typename prepare_signature<decltype(&S::prepare)>::data;
    using output = input;
};
}  // namespace detail

/// Everything the framework reads from a step type, with defaults for the optional traits.
template <class S>
struct step_traits {
    using input = typename detail::step_io<S>::input;
    using output = typename detail::step_io<S>::output;
    using params = typename S::Params;
    /// Defined by prepare / process_rows / finish; the framework makes its process.
    static constexpr bool row_step = detail::has_valid_row_functions<S> && !detail::has_static_process<S>;

    static constexpr std::string_view name = S::name;
    static constexpr std::string_view class_name = [] {
        if constexpr (requires { S::class_name; }) return std::string_view(S::class_name);
        else return S::name;
    }();
    static constexpr std::string_view description = [] {
        if constexpr (requires { S::description; }) return std::string_view(S::description);
        else return std::string_view{};
    }();
    /// Status key recorded on the product (product_traits<T>::record_status); empty = none.
    static constexpr std::string_view status_key = [] {
        if constexpr (requires { S::status_key; }) return std::string_view(S::status_key);
        else return std::string_view{};
    }();
    static constexpr bool default_skip = [] {
        if constexpr (requires { S::default_skip; }) return static_cast<bool>(S::default_skip);
        else return false;
    }();
    /// Further names the class is known by (stpipe imports a class by its package path and its
    /// module path, so files name it either way): looked up like class_name, never written.
    static std::span<const std::string_view> import_paths() {
        if constexpr (requires { S::import_paths; }) return std::span<const std::string_view>(S::import_paths);
        else return {};
    }
    static std::span<const std::string_view> reference_types() {
        if constexpr (requires { S::reference_types; }) return std::span<const std::string_view>(S::reference_types);
        else return {};
    }
    /// A skipped step passes its input through (In == Out), or hands on what its
    /// `static Out when_skipped(In, Context&)` makes of it (jwst's skipped ramp_fit
    /// returns the ramp it was given, which a pipeline then saves instead of rates).
    static constexpr bool converts_when_skipped = requires(input in, Context& ctx) {
        { S::when_skipped(std::move(in), ctx) } -> std::same_as<output>;
    };
    static constexpr bool skippable = std::is_same_v<input, output> || converts_when_skipped;
};

template <Step S> using step_input_t = typename step_traits<S>::input;
template <Step S> using step_output_t = typename step_traits<S>::output;

/// Compile-time validation with one message per broken rule. The failing
/// instantiation `check_step<YourStep>` names the step in the diagnostic.
template <class S>
constexpr bool check_step() {
    static_assert(detail::has_name<S>, "orrery: step has no `static constexpr std::string_view name` (the alias users type)");
    static_assert(detail::has_params_type<S>, "orrery: step has no nested `Params` type (use `using Params = orrery::NoParams;`)");
    static_assert(!(detail::has_static_process<S> && detail::has_row_functions<S>),
                  "orrery: a row step defines prepare / process_rows (/ finish) and no `process`: the framework derives "
                  "process from them (remove it)");
    static_assert(detail::has_static_process<S> || detail::has_row_functions<S>,
                  "orrery: step has no static `process(In, const Params&, orrery::Context&) -> Out` function "
                  "(nor, for a row step, `RowState`, `prepare` and `process_rows`)");
    if constexpr (detail::has_name<S> && detail::has_params_type<S> && detail::has_row_functions<S> && !detail::has_static_process<S>) {
        using sig = detail::prepare_signature<decltype(&S::prepare)>;
        static_assert(sig::valid, "orrery: a row step's `prepare` must have the signature `static RowState prepare(T&, const Params&, orrery::Context&)`");
        if constexpr (sig::valid) {
            static_assert(std::is_same_v<typename sig::state, typename S::RowState>, "orrery: a row step's `prepare` must return its RowState");
            static_assert(std::is_same_v<typename sig::params, typename S::Params>,
                          "orrery: a row step's `prepare` must take `const Params&` of the step's own Params type");
            static_assert(std::is_move_constructible_v<typename sig::data>, "orrery: a row step's data type must be move-constructible");
        }
        static_assert(detail::valid_step_name(S::name), "orrery: step name must be non-empty and use only letters, digits, '_' or '.'");
        static_assert(check_params<typename S::Params>(), "orrery: step Params field names must be identifiers and every field needs a help line");
    }
    if constexpr (detail::has_name<S> && detail::has_params_type<S> && detail::has_static_process<S> && !detail::has_row_functions<S>) {
        using sig = detail::process_signature<decltype(&S::process)>;
        static_assert(sig::valid, "orrery: step `process` must have the signature `static Out process(In, const Params&, orrery::Context&)`");
        if constexpr (sig::valid) {
            static_assert(std::is_same_v<typename sig::params, typename S::Params>,
                          "orrery: step `process` must take `const Params&` of the step's own Params type");
            static_assert(!std::is_void_v<typename sig::output>, "orrery: step `process` must return its output (not void)");
            static_assert(std::is_move_constructible_v<typename sig::input> && std::is_move_constructible_v<typename sig::output>,
                          "orrery: step input and output types must be move-constructible");
        }
        static_assert(detail::valid_step_name(S::name), "orrery: step name must be non-empty and use only letters, digits, '_' or '.'");
        static_assert(check_params<typename S::Params>(), "orrery: step Params field names must be identifiers and every field needs a help line");
    }
    return Step<S>;
}

}  // namespace orrery
