#pragma once
/// JSON Schema (draft 7, as far as valijson implements it) for graph files and
/// artifacts. valijson reports every failure with a chain of wrapper errors
/// ("Failed to validate against schema associated with property name ...") and a
/// context like <root>[stages][2][retry]; users need one line per actual problem
/// with a JSON pointer to the offending value, so this wrapper keeps the innermost
/// errors, turns the context into a pointer (resolved against the document, which
/// tells an array index from an object key) and rewrites the messages, looking up
/// in the schema what valijson leaves out (the allowed enum values and types, the
/// keys an object may have).

// valijson aborts the process on a bad schema unless it may throw.
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif
#if !VALIJSON_USE_EXCEPTIONS
#error "orrery/workflow/json_schema.hpp needs VALIJSON_USE_EXCEPTIONS=1"
#endif

#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"

namespace orrery::workflow {

struct SchemaError {
    std::string pointer{};  // JSON pointer of the offending value ("" = the document)
    std::string message{};  // one line
};

namespace schema_detail {

inline std::string escape_pointer_token(std::string_view token) {
    std::string out;
    for (char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

/// A value for a message: JSON text, shortened.
inline std::string show(const nlohmann::json& value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

inline std::string type_name(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null: return "null";
        case nlohmann::json::value_t::boolean: return "boolean";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned: return "integer";
        case nlohmann::json::value_t::number_float: return "number";
        case nlohmann::json::value_t::string: return "string";
        case nlohmann::json::value_t::array: return "array";
        case nlohmann::json::value_t::object: return "object";
        default: return "value";
    }
}

/// One step of a path through the document: an object key or an array index.
struct Step {
    std::string key{};
    std::size_t index = 0;
    bool is_index = false;
};

/// Finds, in the schema, the subschemas that apply at a place in the document:
/// follows properties / patternProperties / additionalProperties / items, local
/// $refs and the allOf / anyOf / oneOf / then / else branches. Used only to word
/// messages, so what it cannot follow (remote $refs) it leaves out.
class SchemaLocator {
public:
    explicit SchemaLocator(const nlohmann::json& root) : root_(root) {}

    [[nodiscard]] std::vector<const nlohmann::json*> at(const std::vector<Step>& path) const {
        std::vector<const nlohmann::json*> current;
        expand(&root_, current, 0);
        for (const auto& step : path) {
            std::vector<const nlohmann::json*> next;
            for (const auto* s : current) descend(*s, step, next);
            current = std::move(next);
        }
        return current;
    }

private:
    void expand(const nlohmann::json* s, std::vector<const nlohmann::json*>& out, int depth) const {
        if (depth > 32 || !s->is_object()) return;  // a $ref cycle, or `true`/`false` schemas
        out.push_back(s);
        if (const auto ref = s->find("$ref"); ref != s->end() && ref->is_string()) {
            const std::string& target = ref->get_ref<const std::string&>();
            if (!target.empty() && target[0] == '#') {
                try {
                    const nlohmann::json::json_pointer pointer(target.substr(1));
                    if (root_.contains(pointer)) expand(&root_.at(pointer), out, depth + 1);
                } catch (const nlohmann::json::exception&) {  // not a pointer: an $id anchor, not followed
                }
            }
        }
        for (const char* combinator : {"allOf", "anyOf", "oneOf"})
            if (const auto it = s->find(combinator); it != s->end() && it->is_array())
                for (const auto& branch : *it) expand(&branch, out, depth + 1);
        for (const char* branch : {"then", "else"})
            if (const auto it = s->find(branch); it != s->end()) expand(&*it, out, depth + 1);
    }

    void descend(const nlohmann::json& s, const Step& step, std::vector<const nlohmann::json*>& out) const {
        if (step.is_index) {
            const auto items = s.find("items");
            if (items == s.end()) return;
            if (items->is_array()) {
                if (step.index < items->size()) expand(&(*items)[step.index], out, 0);
                else if (const auto more = s.find("additionalItems"); more != s.end()) expand(&*more, out, 0);
            } else {
                expand(&*items, out, 0);
            }
            return;
        }
        bool matched = false;
        if (const auto props = s.find("properties"); props != s.end() && props->is_object())
            if (const auto it = props->find(step.key); it != props->end()) {
                expand(&*it, out, 0);
                matched = true;
            }
        if (const auto patterns = s.find("patternProperties"); patterns != s.end() && patterns->is_object())
            for (const auto& [pattern, sub] : patterns->items())
                if (key_matches(pattern, step.key)) {
                    expand(&sub, out, 0);
                    matched = true;
                }
        if (!matched)
            if (const auto extra = s.find("additionalProperties"); extra != s.end()) expand(&*extra, out, 0);
    }

public:
    /// Whether `key` is declared by `s` (properties or patternProperties).
    static bool declares(const nlohmann::json& s, const std::string& key) {
        if (const auto props = s.find("properties"); props != s.end() && props->is_object() && props->contains(key)) return true;
        if (const auto patterns = s.find("patternProperties"); patterns != s.end() && patterns->is_object())
            for (const auto& item : patterns->items())
                if (key_matches(item.key(), key)) return true;
        return false;
    }

    static bool key_matches(const std::string& pattern, const std::string& key) {
        try {
            return std::regex_search(key, std::regex(pattern, std::regex::ECMAScript));
        } catch (const std::regex_error&) {
            return false;
        }
    }

private:
    const nlohmann::json& root_;
};

/// valijson's context (<root>, [stages], [2], ...) resolved against the document.
/// Returns the steps and the value they lead to (null when the path leaves the document).
inline std::pair<std::vector<Step>, const nlohmann::json*> resolve_context(const std::vector<std::string>& context,
                                                                           const nlohmann::json& doc) {
    std::vector<Step> steps;
    const nlohmann::json* node = &doc;
    for (const auto& raw : context) {
        if (raw == "<root>") continue;
        std::string token = raw;
        if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
        Step step;
        const bool numeric = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
        if (node != nullptr && node->is_array() && numeric) {
            step.is_index = true;
            step.index = static_cast<std::size_t>(std::stoull(token));
            node = step.index < node->size() ? &(*node)[step.index] : nullptr;
        } else {
            step.key = token;
            if (node != nullptr && node->is_object()) {
                const auto it = node->find(token);
                node = it != node->end() ? &*it : nullptr;
            } else {
                node = nullptr;
            }
        }
        steps.push_back(std::move(step));
    }
    return {std::move(steps), node};
}

inline std::string to_pointer(const std::vector<Step>& steps) {
    std::string out;
    for (const auto& s : steps) out += "/" + (s.is_index ? std::to_string(s.index) : escape_pointer_token(s.key));
    return out;
}

inline bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

/// The quoted name in "... 'name'." (valijson's required / additionalProperties messages).
inline std::string quoted_tail(const std::string& description) {
    const auto end = description.rfind('\'');
    if (end == std::string::npos || end == 0) return {};
    const auto begin = description.rfind('\'', end - 1);
    if (begin == std::string::npos) return {};
    return description.substr(begin + 1, end - begin - 1);
}

/// valijson prints numbers with std::to_string: "1.000000" -> "1", "0.500000" -> "0.5".
inline std::string tidy_numbers(std::string text) {
    static const std::regex trailing_zeros(R"((\d+)\.(\d*?)0+\b)");
    text = std::regex_replace(text, trailing_zeros, "$1.$2");
    static const std::regex bare_point(R"((\d+)\.(\D|$))");
    return std::regex_replace(text, bare_point, "$1$2");
}

/// A wrapper error repeats, for a parent, a failure reported in full below it.
inline bool is_wrapper(const std::string& description) {
    return starts_with(description, "Failed to validate") && !starts_with(description, "Failed to validate against exactly one");
}

}  // namespace schema_detail

class JsonSchema {
public:
    /// Parses a draft-7 schema; `origin` (a file name) names it in errors.
    static JsonSchema parse(const nlohmann::json& schema, std::string_view origin) {
        auto state = std::make_shared<State>();
        state->document = schema;
        state->origin = std::string(origin);
        if (!schema.is_object() && !schema.is_boolean())
            throw ConfigError(state->origin + ": not a JSON Schema (expected an object, got " + schema_detail::type_name(schema) + ")");
        try {
            valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
            const valijson::adapters::NlohmannJsonAdapter adapter(state->document);
            parser.populateSchema(adapter, state->schema);
        } catch (const std::exception& e) {
            throw ConfigError(state->origin + ": not a usable JSON Schema: " + e.what());
        }
        JsonSchema out;
        out.state_ = std::move(state);
        return out;
    }

    /// Every problem with `doc`, innermost first as found; empty when it is valid.
    /// Safe to call from many threads at once (each call has its own validator).
    [[nodiscard]] std::vector<SchemaError> validate(const nlohmann::json& doc) const {
        valijson::Validator validator(valijson::Validator::kStrongTypes);
        valijson::ValidationResults results;
        const valijson::adapters::NlohmannJsonAdapter target(doc);
        if (validator.validate(state_->schema, target, &results)) return {};

        struct Raw {
            std::vector<schema_detail::Step> steps{};
            const nlohmann::json* value = nullptr;
            std::string pointer{}, description{};
        };
        std::vector<Raw> raw;
        valijson::ValidationResults::Error error;
        while (results.popError(error)) {
            auto [steps, value] = schema_detail::resolve_context(error.context, doc);
            std::string pointer = schema_detail::to_pointer(steps);
            raw.push_back({std::move(steps), value, std::move(pointer), std::move(error.description)});
        }

        const schema_detail::SchemaLocator locator(state_->document);
        std::vector<SchemaError> out;
        const auto add = [&out](std::string pointer, std::string message) {
            for (const auto& e : out)
                if (e.pointer == pointer && e.message == message) return;  // anyOf branches repeat themselves
            out.push_back({std::move(pointer), std::move(message)});
        };
        for (const auto& r : raw) {
            if (schema_detail::is_wrapper(r.description)) {
                const bool explained = std::any_of(raw.begin(), raw.end(), [&r](const Raw& other) {
                    return !schema_detail::is_wrapper(other.description) &&
                           (other.pointer == r.pointer || schema_detail::starts_with(other.pointer, r.pointer + "/"));
                });
                if (!explained) add(r.pointer, plain(r.description));
                continue;
            }
            if (schema_detail::starts_with(r.description, "Missing required property")) {
                add(r.pointer, "missing required key '" + schema_detail::quoted_tail(r.description) + "'");
            } else if (schema_detail::starts_with(r.description, "Object contains a property that could not be validated")) {
                unknown_keys(locator, r.steps, r.value, schema_detail::quoted_tail(r.description), r.pointer, add);
            } else if (schema_detail::starts_with(r.description, "Failed to match against any enum values")) {
                std::string allowed;
                for (const auto* s : locator.at(r.steps))
                    if (const auto it = s->find("enum"); it != s->end() && it->is_array())
                        for (const auto& v : *it) allowed += (allowed.empty() ? "" : ", ") + schema_detail::show(v);
                add(r.pointer, (r.value ? schema_detail::show(*r.value) + " is not one of the allowed values" : std::string("not one of the allowed values")) +
                                   (allowed.empty() ? "" : ": " + allowed));
            } else if (schema_detail::starts_with(r.description, "Value type not permitted")) {
                std::vector<std::string> types;
                for (const auto* s : locator.at(r.steps))
                    if (const auto it = s->find("type"); it != s->end()) {
                        if (it->is_string()) types.push_back(it->get<std::string>());
                        else if (it->is_array())
                            for (const auto& t : *it)
                                if (t.is_string()) types.push_back(t.get<std::string>());
                    }
                // The schemas at this place may be several anyOf branches: a type the
                // value has is not the one this error is about.
                const auto accepts_value = [&r](const std::string& t) {
                    if (r.value == nullptr) return false;
                    const std::string actual = schema_detail::type_name(*r.value);
                    return t == actual || (t == "number" && actual == "integer");
                };
                std::string expected;
                for (const auto& t : types)
                    if (!accepts_value(t) && (" or " + expected + " or ").find(" or " + t + " or ") == std::string::npos) expected += (expected.empty() ? "" : " or ") + t;
                add(r.pointer, "expected " + (expected.empty() ? std::string("another type") : expected) +
                                   (r.value ? ", got " + schema_detail::type_name(*r.value) : std::string()));
            } else if (schema_detail::starts_with(r.description, "Failed to match regex")) {
                std::string pattern;
                for (const auto* s : locator.at(r.steps))
                    if (const auto it = s->find("pattern"); it != s->end() && it->is_string()) pattern = it->get<std::string>();
                add(r.pointer, (r.value ? schema_detail::show(*r.value) + " does not match" : std::string("does not match")) +
                                   (pattern.empty() ? " the pattern" : " the pattern '" + pattern + "'"));
            } else if (schema_detail::starts_with(r.description, "Failed to validate against exactly one")) {
                add(r.pointer, "matches more than one of the 'oneOf' alternatives");
            } else if (schema_detail::starts_with(r.description, "Failed to any values against subschema in 'contains'")) {
                add(r.pointer, "no item matches the 'contains' schema");
            } else {
                std::string message = schema_detail::tidy_numbers(plain(r.description));
                if (r.value != nullptr && !r.value->is_structured()) message += " (got " + schema_detail::show(*r.value) + ")";
                add(r.pointer, std::move(message));
            }
        }
        return out;
    }

    [[nodiscard]] const std::string& origin() const noexcept { return state_->origin; }
    /// The schema as parsed (for documentation and `describe`).
    [[nodiscard]] const nlohmann::json& document() const noexcept { return state_->document; }

private:
    struct State {
        nlohmann::json document{};
        std::string origin{};
        valijson::Schema schema{};
    };

    JsonSchema() = default;

    /// valijson's sentence as a message: no final period, lower-case start.
    static std::string plain(std::string text) {
        while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
        if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' && !(text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z'))
            text[0] = static_cast<char>(text[0] - 'A' + 'a');
        return text;
    }

    /// valijson names only the first undeclared key of an object; name them all,
    /// each at its own pointer (so a loader can point at its line), with a suggestion.
    template <class Add>
    static void unknown_keys(const schema_detail::SchemaLocator& locator, const std::vector<schema_detail::Step>& steps,
                             const nlohmann::json* object, const std::string& first, const std::string& pointer, Add& add) {
        const auto schemas = locator.at(steps);
        std::vector<std::string> declared;
        for (const auto* s : schemas)
            if (const auto props = s->find("properties"); props != s->end() && props->is_object())
                for (const auto& item : props->items()) declared.push_back(item.key());
        std::vector<std::string> unknown;
        if (object != nullptr && object->is_object() && !schemas.empty()) {
            for (const auto& item : object->items()) {
                const bool known = std::any_of(schemas.begin(), schemas.end(),
                                               [&item](const nlohmann::json* s) { return schema_detail::SchemaLocator::declares(*s, item.key()); });
                if (!known) unknown.push_back(item.key());
            }
        }
        if (unknown.empty()) unknown.push_back(first);
        for (const auto& key : unknown)
            add(pointer + "/" + schema_detail::escape_pointer_token(key), "unknown key '" + key + "'" + did_you_mean(key, declared));
    }

    std::shared_ptr<const State> state_;
};

}  // namespace orrery::workflow
