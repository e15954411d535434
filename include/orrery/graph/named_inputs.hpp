#pragma once
/// A stage with several inputs receives them as one value with named fields: a
/// struct reflected with BOOST_HANA_DEFINE_STRUCT (or BOOST_HANA_ADAPT_STRUCT at
/// global scope). Each field is filled from the stage of the same name in its
/// from<...> / needs list; a field of type std::optional<T> takes the output of a
/// conditional stage and is nullopt when that stage was skipped.
///
///   struct MacroInputs {
///       BOOST_HANA_DEFINE_STRUCT(MacroInputs, (Profile, profile), (std::optional<Lyrics>, lyrics));
///   };

#include "orrery/core/any_value.hpp"
#include "orrery/core/errors.hpp"

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/adapt_struct.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <typeindex>
#include <utility>
#include <vector>

namespace orrery {

/// A finished stage's output, shared read-only by the stages that consume it.
using StageValue = std::shared_ptr<AnyValue>;

template <class T>
concept NamedInputs = boost::hana::Struct<T>::value;

template <class T>
struct optional_value {
    static constexpr bool is_optional = false;
    using type = T;
};
template <class T>
struct optional_value<std::optional<T>> {
    static constexpr bool is_optional = true;
    using type = T;
};

/// One field of a NamedInputs struct: its name, the type it takes (without the
/// std::optional), and whether it accepts an absent input.
struct NamedField {
    std::string name;
    std::type_index type = typeid(void);
    std::string type_name;
    bool accepts_absent = false;
};

namespace detail {
template <class T, class Pair>
using named_field_t = std::remove_cvref_t<decltype(boost::hana::second(std::declval<Pair>())(std::declval<T&>()))>;
}  // namespace detail

template <NamedInputs T>
std::vector<NamedField> named_fields() {
    std::vector<NamedField> out;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
        using F = detail::named_field_t<T, decltype(pair)>;
        using V = typename optional_value<F>::type;
        out.push_back({boost::hana::to<const char*>(boost::hana::first(pair)), typeid(V), type_name<V>(), optional_value<F>::is_optional});
    });
    return out;
}

/// The value a stage reads from a shared output: moved out when it is the last
/// reader, else copied.
template <class T>
T take_stage_value(const StageValue& v, bool may_move, std::string_view what) {
    if (!v || !v->has_value()) throw InternalError(std::string(what) + ": the input is absent");
    T* p = v->get<T>();
    if (!p) throw InternalError(std::string(what) + ": the input holds " + v->type_text() + ", not " + type_name<T>());
    if (may_move) return std::move(*p);
    if constexpr (std::is_copy_constructible_v<T>) return *p;
    else throw InternalError(std::string(what) + ": " + type_name<T>() + " is move-only and has several readers");
}

/// T built from its fields' values, given in field order (null = absent: nullopt
/// for an optional field, an error for another).
template <NamedInputs T>
T assemble_named_inputs(std::span<const StageValue> values, bool may_move) {
    static_assert(std::is_default_constructible_v<T>, "orrery: a NamedInputs struct must be default-constructible");
    T out{};
    std::size_t i = 0;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
        using F = detail::named_field_t<T, decltype(pair)>;
        const char* name = boost::hana::to<const char*>(boost::hana::first(pair));
        auto& field = boost::hana::second(pair)(out);
        const StageValue& v = i < values.size() ? values[i] : StageValue{};
        ++i;
        if constexpr (optional_value<F>::is_optional) {
            if (v && v->has_value()) field = take_stage_value<typename optional_value<F>::type>(v, may_move, name);
            else field = std::nullopt;
        } else {
            field = take_stage_value<F>(v, may_move, name);
        }
    });
    return out;
}

}  // namespace orrery
