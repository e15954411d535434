#pragma once
// Conversion between parameter values and their text / tree form, with the
// configobj rules stpipe users know: booleans True/true/1/yes/on, lists as
// comma-separated text, "None" for an absent optional value.

#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery {

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};

/// Types a parameter may have: bool, integers, floating point, string, and
/// optionals / lists of those.
template <class T>
constexpr bool is_param_scalar_v = std::is_same_v<T, bool> || std::is_integral_v<T> || std::is_floating_point_v<T> ||
                                   std::is_same_v<T, std::string>;
template <class T>
struct is_param_type : std::bool_constant<is_param_scalar_v<T>> {};
template <class T>
struct is_param_type<std::optional<T>> : std::bool_constant<is_param_scalar_v<T> || is_vector<T>::value> {};
template <class T, class A>
struct is_param_type<std::vector<T, A>> : std::bool_constant<is_param_scalar_v<T>> {};
template <class T>
constexpr bool is_param_type_v = is_param_type<T>::value;

/// configobj-style type name shown by --help and describe.
template <class T>
std::string param_type_name() {
    if constexpr (is_optional<T>::value) return param_type_name<typename T::value_type>();
    else if constexpr (is_vector<T>::value) {
        using E = typename T::value_type;
        if constexpr (std::is_same_v<E, bool>) return "bool_list";
        else if constexpr (std::is_integral_v<E>) return "int_list";
        else if constexpr (std::is_floating_point_v<E>) return "float_list";
        else return "string_list";
    } else if constexpr (std::is_same_v<T, bool>) return "boolean";
    else if constexpr (std::is_integral_v<T>) return "integer";
    else if constexpr (std::is_floating_point_v<T>) return "float";
    else return "string";
}

namespace detail {
inline std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}
inline bool is_none_text(std::string_view s) { return s == "None" || s == "none" || s == "null" || s == "~"; }

/// Shortest text that reads back to the same double ("10.0", "0.25", "1e+20").
inline std::string format_double(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, ec == std::errc{} ? end : buf);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}
}  // namespace detail

/// Parse one scalar from text; throws ParameterError naming key and source.
template <class T>
T parse_scalar(std::string_view raw, const std::string& key, const std::string& source) {
    const std::string_view text = detail::trim(raw);
    auto bad = [&](const std::string& what) -> ParameterError {
        return ParameterError(key, source, "the value \"" + std::string(raw) + "\" is not " + what);
    };
    if constexpr (std::is_same_v<T, bool>) {
        const auto t = detail::lower(text);
        if (t == "true" || t == "1" || t == "yes" || t == "on" || t == "y" || t == "t") return true;
        if (t == "false" || t == "0" || t == "no" || t == "off" || t == "n" || t == "f") return false;
        throw bad("a boolean (True/False)");
    } else if constexpr (std::is_integral_v<T>) {
        long long v = 0;
        const char* b = text.data();
        const char* e = text.data() + text.size();
        if (b != e && *b == '+') ++b;
        auto [p, ec] = std::from_chars(b, e, v);
        if (ec == std::errc::result_out_of_range) throw bad("an integer in range");
        if (ec != std::errc{} || p != e || b == e) {
            // "2.0" is accepted for an integer when it is integral (YAML floats written by tools).
            char* end = nullptr;
            const std::string s(text);
            const double d = std::strtod(s.c_str(), &end);
            if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d) && d == std::floor(d) &&
                std::abs(d) < 9.0e15)
                v = static_cast<long long>(d);
            else
                throw bad("an integer");
        }
        if (!std::in_range<T>(v)) throw bad("an integer in range");
        return static_cast<T>(v);
    } else if constexpr (std::is_floating_point_v<T>) {
        const std::string s(text);
        char* end = nullptr;
        const double d = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) throw bad("a number");
        return static_cast<T>(d);
    } else {
        return std::string(raw);
    }
}

template <class T>
std::string scalar_to_text(const T& v) {
    if constexpr (std::is_same_v<T, bool>) return v ? "True" : "False";
    else if constexpr (std::is_integral_v<T>) return std::to_string(v);
    else if constexpr (std::is_floating_point_v<T>) return detail::format_double(static_cast<double>(v));
    else return v;
}

/// Read a parameter value of type T from a tree node.
template <class T>
T from_node(const ParamNode& node, const std::string& key) {
    const std::string& src = node.source();
    if constexpr (is_optional<T>::value) {
        if (node.is_null() || (node.is_scalar() && !node.quoted() && detail::is_none_text(detail::trim(node.text()))))
            return std::nullopt;
        return from_node<typename T::value_type>(node, key);
    } else if constexpr (is_vector<T>::value) {
        using E = typename T::value_type;
        T out;
        if (node.is_null()) return out;
        if (node.is_list()) {
            for (const auto& item : node.items()) {
                if (!item.is_scalar()) throw ParameterError(key, src, "list items must be plain values");
                out.push_back(parse_scalar<E>(item.text(), key, item.source().empty() ? src : item.source()));
            }
            return out;
        }
        if (!node.is_scalar()) throw ParameterError(key, src, "expected a list");
        // configobj: comma-separated; a trailing comma makes a one-element list.
        std::string_view text = node.text();
        if (detail::trim(text).empty()) return out;
        while (true) {
            auto comma = text.find(',');
            auto part = detail::trim(text.substr(0, comma));
            if (!part.empty() || comma != std::string_view::npos) {
                if (!part.empty()) out.push_back(parse_scalar<E>(part, key, src));
            }
            if (comma == std::string_view::npos) break;
            text.remove_prefix(comma + 1);
        }
        return out;
    } else {
        if (node.is_null()) throw ParameterError(key, src, "a value is required (None is not allowed here)");
        if (!node.is_scalar()) throw ParameterError(key, src, "expected a single value, got a " + std::string(node.is_list() ? "list" : "mapping"));
        return parse_scalar<T>(node.text(), key, src);
    }
}

/// Write a parameter value as a tree node (strings are marked quoted).
template <class T>
ParamNode to_node(const T& value, const std::string& source = "default") {
    if constexpr (is_optional<T>::value) {
        if (!value) return ParamNode::null(source);
        return to_node(*value, source);
    } else if constexpr (is_vector<T>::value) {
        std::vector<ParamNode> items;
        for (const auto& v : value) items.push_back(to_node(v, source));
        return ParamNode::list(std::move(items), source);
    } else {
        return ParamNode::scalar(scalar_to_text(value), source, std::is_same_v<T, std::string>);
    }
}

}  // namespace orrery
