#pragma once
// Reflected parameter structs. A step's Params is a plain aggregate with default
// member initializers; ORRERY_PARAMS (at global scope, after the struct) lists
// its fields with a help line and optional rules:
//
//   struct SaturationParams { int n_pix_grow_sat = 1; bool use_readpatt = true; };
//   ORRERY_PARAMS(SaturationParams,
//       (n_pix_grow_sat, "Layers of adjacent pixels to flag", orrery::min(0)),
//       (use_readpatt,   "Use the read pattern to flag earlier groups"))
//
// The field list is a Boost.Hana tuple of (member pointer, name, doc), checked at
// compile time against the aggregate's member count, so a forgotten field is a
// compile error rather than a silently unconfigurable parameter.

#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/param_value.hpp"

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/preprocessor/seq/for_each.hpp>
#include <boost/preprocessor/stringize.hpp>
#include <boost/preprocessor/tuple/elem.hpp>
#include <boost/preprocessor/tuple/pop_front.hpp>
#include <boost/preprocessor/tuple/rem.hpp>
#include <boost/preprocessor/tuple/size.hpp>
#include <boost/preprocessor/variadic/to_seq.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery {

/// One rule on a parameter: lower/upper bound (numbers; list length for lists)
/// or an enumerated set of options ("OLS_C|LIKELY").
struct param_rule {
    enum class Kind { none, min, max, one_of } kind = Kind::none;
    double bound = 0;
    std::string_view options;
};
constexpr param_rule min(double v) { return {param_rule::Kind::min, v, {}}; }
constexpr param_rule max(double v) { return {param_rule::Kind::max, v, {}}; }
constexpr param_rule one_of(std::string_view bar_separated) { return {param_rule::Kind::one_of, 0, bar_separated}; }

/// Documentation of one field: help line and up to three rules.
struct param_doc {
    std::string_view help;
    std::array<param_rule, 3> rules{};
    constexpr param_doc(std::string_view h, param_rule a = {}, param_rule b = {}, param_rule c = {}) : help(h), rules{a, b, c} {}
    [[nodiscard]] constexpr std::optional<double> lower() const {
        for (auto r : rules) if (r.kind == param_rule::Kind::min) return r.bound;
        return std::nullopt;
    }
    [[nodiscard]] constexpr std::optional<double> upper() const {
        for (auto r : rules) if (r.kind == param_rule::Kind::max) return r.bound;
        return std::nullopt;
    }
    [[nodiscard]] constexpr std::string_view options() const {
        for (auto r : rules) if (r.kind == param_rule::Kind::one_of) return r.options;
        return {};
    }
};

/// A reflected field: member pointer, name, documentation.
template <class Owner, class T>
struct param_field {
    using owner_type = Owner;
    using value_type = T;
    T Owner::*member;
    std::string_view name;
    param_doc doc;
};
template <class Owner, class T>
constexpr param_field<Owner, T> make_param_field(T Owner::*m, std::string_view name, param_doc doc) {
    return {m, name, doc};
}

/// Specialised by ORRERY_PARAMS (or found through ORRERY_REFLECT); `fields()`
/// returns a hana::tuple of param_field.
template <class P>
struct params_reflection;
template <class P>
    requires requires { P::orrery_fields(); }
struct params_reflection<P> {
    static constexpr auto fields() { return P::orrery_fields(); }
};

template <class P>
concept ReflectedParams = requires { params_reflection<P>::fields(); };

/// Parameters of a step that has none.
struct NoParams {};
template <>
struct params_reflection<NoParams> {
    static constexpr auto fields() { return boost::hana::make_tuple(); }
};

namespace detail {
// Aggregate arity: the largest N such that P{any, any, ...(N)} compiles.
struct any_init {
    template <class T>
    operator T() const;  // never defined: only used in unevaluated context
};
template <class P, std::size_t... I>
constexpr bool brace_constructible(std::index_sequence<I...>) {
    return requires { P{(static_cast<void>(I), any_init{})...}; };
}
template <class P, std::size_t N = 0>
constexpr std::size_t aggregate_arity() {
    if constexpr (N > 64) return N;
    else if constexpr (!brace_constructible<P>(std::make_index_sequence<N + 1>{})) return N;
    else return aggregate_arity<P, N + 1>();
}

constexpr bool valid_param_name(std::string_view n) {
    if (n.empty()) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}
}  // namespace detail

template <ReflectedParams P>
constexpr std::size_t param_count() {
    return decltype(boost::hana::length(params_reflection<P>::fields()))::value;
}

/// Compile-time checks on a Params type; returns true so it can sit in a static_assert.
template <class P>
constexpr bool check_params() {
    static_assert(ReflectedParams<P>,
                  "orrery: a step's Params type is not reflected: add ORRERY_PARAMS(YourParams, (field, \"help\"), ...) "
                  "at global scope after its definition (or use orrery::NoParams)");
    if constexpr (ReflectedParams<P>) {
        static_assert(std::is_aggregate_v<P> && std::is_default_constructible_v<P>,
                      "orrery: Params must be a default-constructible aggregate with default member initializers");
        static_assert(detail::aggregate_arity<P>() == param_count<P>(),
                      "orrery: ORRERY_PARAMS does not list every member of the Params struct (or lists too many)");
        bool ok = true;
        boost::hana::for_each(params_reflection<P>::fields(), [&](auto f) {
            static_assert(is_param_type_v<typename decltype(f)::value_type>,
                          "orrery: unsupported parameter type (use bool, integers, floating point, std::string, "
                          "std::optional or std::vector of those)");
            ok = ok && detail::valid_param_name(f.name) && !f.doc.help.empty();
        });
        return ok;
    }
    return false;
}

/// Run-time description of one parameter (for --help, describe, --save-parameters).
struct ParamSchema {
    std::string name;
    std::string type;        // configobj-style: integer, float, boolean, string, float_list, ...
    ParamNode default_value; // the code default
    std::string help;
    std::optional<double> lower, upper;
    std::vector<std::string> options;
    bool optional = false;   // None allowed
    bool builtin = false;    // one of stpipe's built-in parameters

    [[nodiscard]] std::string default_text() const { return default_value.to_string(); }
};

namespace detail {
inline std::vector<std::string> split_options(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        auto bar = s.find('|');
        out.emplace_back(s.substr(0, bar));
        if (bar == std::string_view::npos) break;
        s.remove_prefix(bar + 1);
    }
    return out;
}

template <class T>
void check_rules(const T& value, const param_doc& doc, const std::string& key, const std::string& source) {
    if constexpr (is_optional<T>::value) {
        if (value) check_rules(*value, doc, key, source);
    } else if constexpr (is_vector<T>::value) {
        const auto n = static_cast<double>(value.size());
        auto items = [](double bound) { return std::to_string(static_cast<long long>(bound)) + (bound == 1 ? " item" : " items"); };
        if (auto lo = doc.lower(); lo && n < *lo) throw ParameterError(key, source, "the list is too short (at least " + items(*lo) + ")");
        if (auto hi = doc.upper(); hi && n > *hi) throw ParameterError(key, source, "the list is too long (at most " + items(*hi) + ")");
    } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        const auto v = static_cast<double>(value);
        if (auto lo = doc.lower(); lo && v < *lo)
            throw ParameterError(key, source, "the value " + scalar_to_text(value) + " is below the minimum " + detail::format_double(*lo));
        if (auto hi = doc.upper(); hi && v > *hi)
            throw ParameterError(key, source, "the value " + scalar_to_text(value) + " is above the maximum " + detail::format_double(*hi));
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (auto opts = doc.options(); !opts.empty()) {
            for (const auto& o : split_options(opts))
                if (o == value) return;
            std::string list;
            for (const auto& o : split_options(opts)) list += (list.empty() ? "'" : ", '") + o + "'";
            throw ParameterError(key, source, "the value \"" + value + "\" is not one of " + list);
        }
    }
}
}  // namespace detail

/// Schema of every field of P, in declaration order.
template <ReflectedParams P>
std::vector<ParamSchema> params_schema() {
    std::vector<ParamSchema> out;
    const P defaults{};
    boost::hana::for_each(params_reflection<P>::fields(), [&](auto f) {
        using T = typename decltype(f)::value_type;
        ParamSchema s;
        s.name = std::string(f.name);
        s.type = param_type_name<T>();
        s.default_value = to_node(defaults.*(f.member));
        s.help = std::string(f.doc.help);
        s.lower = f.doc.lower();
        s.upper = f.doc.upper();
        if (!f.doc.options().empty()) {
            s.options = detail::split_options(f.doc.options());
            s.type = "option";
        }
        s.optional = is_optional<T>::value;
        out.push_back(std::move(s));
    });
    return out;
}

/// Does P have a field called `key`?
template <ReflectedParams P>
bool has_param(std::string_view key) {
    bool found = false;
    boost::hana::for_each(params_reflection<P>::fields(), [&](auto f) { found = found || f.name == key; });
    return found;
}

/// Set one field from a tree node; false if P has no such field. Validates rules.
template <ReflectedParams P>
bool set_param(P& params, std::string_view key, const ParamNode& node, const std::string& display_key) {
    bool found = false;
    boost::hana::for_each(params_reflection<P>::fields(), [&](auto f) {
        if (found || f.name != key) return;
        using T = typename decltype(f)::value_type;
        T value = from_node<T>(node, display_key);
        detail::check_rules(value, f.doc, display_key, node.source());
        params.*(f.member) = std::move(value);
        found = true;
    });
    return found;
}

/// Validate the current values of every field against its rules (e.g. defaults).
template <ReflectedParams P>
void validate_params(const P& params, const std::string& prefix = {}) {
    boost::hana::for_each(params_reflection<P>::fields(), [&](auto f) {
        detail::check_rules(params.*(f.member), f.doc, prefix + std::string(f.name), "default");
    });
}

/// The values of every field as a map node (in declaration order).
template <ReflectedParams P>
ParamNode params_to_node(const P& params, const std::string& source = "default") {
    ParamNode out = ParamNode::map(source);
    boost::hana::for_each(params_reflection<P>::fields(),
                          [&](auto f) { out.set(f.name, to_node(params.*(f.member), source)); });
    return out;
}

}  // namespace orrery

namespace orrery::detail {
struct fields_end {};
template <class... F>
constexpr auto drop_last(boost::hana::tuple<F...> t) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return boost::hana::make_tuple(boost::hana::at_c<I>(t)...);
    }(std::make_index_sequence<sizeof...(F) - 1>{});
}
// Drops the trailing sentinel that lets the macro emit a comma after every field.
template <class... F>
constexpr auto fields_tuple(F... f) {
    return drop_last(boost::hana::make_tuple(f...));
}
}  // namespace orrery::detail

// ---- the reflection macros ------------------------------------------------------
#define ORRERY_DETAIL_PARAM_FIELD(r, Type, field)                                                     \
    ::orrery::make_param_field(&Type::BOOST_PP_TUPLE_ELEM(0, field),                                    \
                               BOOST_PP_STRINGIZE(BOOST_PP_TUPLE_ELEM(0, field)),                       \
                               ::orrery::param_doc{BOOST_PP_TUPLE_REM_CTOR(BOOST_PP_TUPLE_POP_FRONT(field))}),

/// Reflect a Params aggregate: ORRERY_PARAMS(Type, (member, "help" [, rules...]), ...).
/// Use at global scope, after the struct is complete and before anything checks a
/// step that uses it (or use ORRERY_REFLECT inside the struct instead).
#define ORRERY_PARAMS(Type, ...)                                                                       \
    template <>                                                                                         \
    struct orrery::params_reflection<Type> {                                                            \
        static constexpr auto fields() {                                                                \
            return ::orrery::detail::fields_tuple(                                                      \
                BOOST_PP_SEQ_FOR_EACH(ORRERY_DETAIL_PARAM_FIELD, Type, BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__)) \
                    ::orrery::detail::fields_end{});                                                    \
        }                                                                                               \
    };


/// In-class alternative to ORRERY_PARAMS, usable in any namespace:
///   struct P { int n = 1; ORRERY_REFLECT(P, (n, "help")) };
#define ORRERY_REFLECT(Type, ...)                                                                      \
    static constexpr auto orrery_fields() {                                                             \
        return ::orrery::detail::fields_tuple(                                                          \
            BOOST_PP_SEQ_FOR_EACH(ORRERY_DETAIL_PARAM_FIELD, Type, BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__)) \
                ::orrery::detail::fields_end{});                                                        \
    }

/// Reflect an empty Params struct (a step with no parameters of its own). Global scope.
#define ORRERY_NO_PARAMS(Type)                                                                         \
    template <>                                                                                         \
    struct orrery::params_reflection<Type> {                                                            \
        static constexpr auto fields() { return boost::hana::make_tuple(); }                            \
    };
