#pragma once
/// `${scope.path}` references in graph-file strings: finding them (to learn a
/// stage's implicit dependencies and check names when the file is loaded) and
/// replacing them before a stage runs. Scopes: params, config, env, stages, adapter.
/// `$${` writes a literal `${`. An unknown reference is an error naming it and
/// where it appeared.

#include "orrery/core/errors.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::workflow {

inline constexpr std::array<std::string_view, 5> reference_scopes{"params", "config", "env", "stages", "adapter"};

struct Reference {
    std::string scope{};          // params | config | env | stages | adapter
    std::string path{};           // what follows "scope."
    std::string text{};           // "${scope.path}" as written
    std::vector<std::string> parts{};  // path split at '.'
};

namespace detail {

inline Reference parse_reference(std::string_view body, std::string_view where) {
    Reference r;
    r.text = "${" + std::string(body) + "}";
    const auto dot = body.find('.');
    r.scope = std::string(body.substr(0, dot));
    bool known = false;
    for (auto s : reference_scopes) known = known || s == r.scope;
    if (!known)
        throw ConfigError(std::string(where) + ": unknown reference " + r.text +
                          " (references start with params., config., env., stages. or adapter.)");
    if (dot == std::string_view::npos || dot + 1 >= body.size())
        throw ConfigError(std::string(where) + ": incomplete reference " + r.text);
    r.path = std::string(body.substr(dot + 1));
    std::size_t start = 0;
    while (true) {
        const auto next = r.path.find('.', start);
        r.parts.push_back(r.path.substr(start, next - start));
        if (r.parts.back().empty()) throw ConfigError(std::string(where) + ": malformed reference " + r.text);
        if (next == std::string::npos) break;
        start = next + 1;
    }
    return r;
}

}  // namespace detail

/// Calls `on_text` for literal pieces and `on_reference` for references, in order.
inline void scan_references(std::string_view text, std::string_view where, const std::function<void(std::string_view)>& on_text,
                            const std::function<void(const Reference&)>& on_reference) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto at = text.find('$', i);
        if (at == std::string_view::npos) {
            on_text(text.substr(i));
            break;
        }
        on_text(text.substr(i, at - i));
        if (text.substr(at, 3) == "$${") {  // escaped
            on_text("${");
            i = at + 3;
        } else if (text.substr(at, 2) == "${") {
            const auto close = text.find('}', at + 2);
            if (close == std::string_view::npos) throw ConfigError(std::string(where) + ": unterminated reference in '" + std::string(text) + "'");
            on_reference(detail::parse_reference(text.substr(at + 2, close - at - 2), where));
            i = close + 1;
        } else {
            on_text("$");
            i = at + 1;
        }
    }
}

inline std::vector<Reference> find_references(std::string_view text, std::string_view where) {
    std::vector<Reference> out;
    scan_references(text, where, [](std::string_view) {}, [&](const Reference& r) { out.push_back(r); });
    return out;
}

/// Every string inside a JSON value (object keys excluded), with its pointer.
inline void for_each_string(const nlohmann::json& v, const std::string& pointer, const std::function<void(const std::string&, const std::string&)>& fn) {
    if (v.is_string()) fn(v.get_ref<const std::string&>(), pointer);
    else if (v.is_array())
        for (std::size_t i = 0; i < v.size(); ++i) for_each_string(v[i], pointer + "/" + std::to_string(i), fn);
    else if (v.is_object())
        for (const auto& [k, item] : v.items()) for_each_string(item, pointer + "/" + k, fn);
}

/// Returns the reference's value, nullopt when it names nothing (or throws its own, better error).
using Resolver = std::function<std::optional<std::string>(const Reference&)>;

/// `text` with every reference replaced; an unresolved one is a ConfigError naming it and `where`.
inline std::string substitute(std::string_view text, const Resolver& resolve, std::string_view where) {
    std::string out;
    scan_references(text, where, [&](std::string_view piece) { out += piece; },
                    [&](const Reference& r) {
                        auto v = resolve(r);
                        if (!v) throw ConfigError(std::string(where) + ": unknown reference " + r.text);
                        out += *v;
                    });
    return out;
}

/// Every string of a JSON value substituted (numbers, booleans and keys untouched).
inline nlohmann::json substitute_json(const nlohmann::json& v, const Resolver& resolve, const std::function<std::string(const std::string&)>& where_of,
                                      const std::string& pointer = {}) {
    if (v.is_string()) return substitute(v.get_ref<const std::string&>(), resolve, where_of(pointer));
    if (v.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(substitute_json(v[i], resolve, where_of, pointer + "/" + std::to_string(i)));
        return out;
    }
    if (v.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, item] : v.items()) out[k] = substitute_json(item, resolve, where_of, pointer + "/" + k);
        return out;
    }
    return v;
}

/// A JSON scalar as the text a substitution inserts.
inline std::optional<std::string> scalar_text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return v.dump();
    if (v.is_null()) return std::string();
    return std::nullopt;  // a mapping or a list is not a value
}

}  // namespace orrery::workflow
