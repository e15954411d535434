#pragma once
// ParamNode: the one merged parameter tree of a run. Values keep their text
// (as typed on the command line or in a file) and where they came from, so a
// bad value can be reported as "parameter 'x' (from file.asdf:12)".

#include "orrery/core/errors.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery {

class ParamNode {
public:
    enum class Kind { null, scalar, list, map };

    ParamNode() = default;
    static ParamNode null(std::string source = {}) { return ParamNode(Kind::null, {}, std::move(source)); }
    /// A scalar; `quoted` marks a value that was a string literal in its source (YAML quoting).
    static ParamNode scalar(std::string text, std::string source = {}, bool quoted = false) {
        ParamNode n(Kind::scalar, std::move(text), std::move(source));
        n.quoted_ = quoted;
        return n;
    }
    static ParamNode list(std::vector<ParamNode> items = {}, std::string source = {}) {
        ParamNode n(Kind::list, {}, std::move(source));
        n.items_ = std::move(items);
        return n;
    }
    static ParamNode map(std::string source = {}) { return ParamNode(Kind::map, {}, std::move(source)); }

    [[nodiscard]] Kind kind() const noexcept { return kind_; }
    [[nodiscard]] bool is_null() const noexcept { return kind_ == Kind::null; }
    [[nodiscard]] bool is_scalar() const noexcept { return kind_ == Kind::scalar; }
    [[nodiscard]] bool is_list() const noexcept { return kind_ == Kind::list; }
    [[nodiscard]] bool is_map() const noexcept { return kind_ == Kind::map; }
    [[nodiscard]] bool quoted() const noexcept { return quoted_; }

    [[nodiscard]] const std::string& text() const noexcept { return text_; }
    [[nodiscard]] const std::string& source() const noexcept { return source_; }
    void set_source(std::string s) { source_ = std::move(s); }
    /// Set the source on this node and every node below it.
    void set_source_recursive(const std::string& s) {
        source_ = s;
        for (auto& i : items_) i.set_source_recursive(s);
        for (auto& [k, v] : children_) v.set_source_recursive(s);
    }

    [[nodiscard]] const std::vector<ParamNode>& items() const noexcept { return items_; }
    [[nodiscard]] std::vector<ParamNode>& items() noexcept { return items_; }

    /// Map children in insertion order.
    [[nodiscard]] const std::vector<std::pair<std::string, ParamNode>>& children() const noexcept { return children_; }

    [[nodiscard]] const ParamNode* find(std::string_view key) const {
        for (const auto& [k, v] : children_)
            if (k == key) return &v;
        return nullptr;
    }
    [[nodiscard]] ParamNode* find(std::string_view key) {
        for (auto& [k, v] : children_)
            if (k == key) return &v;
        return nullptr;
    }
    [[nodiscard]] bool contains(std::string_view key) const { return find(key) != nullptr; }

    /// Insert or replace a child (turns a null node into a map).
    ParamNode& set(std::string_view key, ParamNode value) {
        if (kind_ == Kind::null) kind_ = Kind::map;
        if (kind_ != Kind::map) throw ConfigError("parameter tree: cannot set '" + std::string(key) + "' inside a non-map value");
        if (auto* existing = find(key)) {
            *existing = std::move(value);
            return *existing;
        }
        children_.emplace_back(std::string(key), std::move(value));
        return children_.back().second;
    }
    /// The child map at `key`, created empty if absent.
    ParamNode& child(std::string_view key, const std::string& source = {}) {
        if (auto* existing = find(key)) {
            if (existing->is_null()) *existing = map(source);
            return *existing;
        }
        return set(key, map(source));
    }
    bool erase(std::string_view key) {
        auto it = std::find_if(children_.begin(), children_.end(), [&](const auto& kv) { return kv.first == key; });
        if (it == children_.end()) return false;
        children_.erase(it);
        return true;
    }

    /// Dotted path lookup: "steps.jump.rejection_threshold".
    [[nodiscard]] const ParamNode* find_path(std::string_view dotted) const {
        const ParamNode* node = this;
        while (node) {
            auto dot = dotted.find('.');
            node = node->find(dotted.substr(0, dot));
            if (dot == std::string_view::npos) return node;
            dotted.remove_prefix(dot + 1);
        }
        return nullptr;
    }
    /// Set a value at a dotted path, creating intermediate maps.
    ParamNode& set_path(std::string_view dotted, ParamNode value) {
        ParamNode* node = this;
        for (auto dot = dotted.find('.'); dot != std::string_view::npos; dot = dotted.find('.')) {
            node = &node->child(dotted.substr(0, dot), value.source());
            dotted.remove_prefix(dot + 1);
        }
        return node->set(dotted, std::move(value));
    }

    /// Overlay `higher` onto this tree: maps merge key by key, anything else replaces.
    void merge(const ParamNode& higher) {
        if (higher.is_map() && (is_map() || is_null())) {
            if (is_null()) {
                kind_ = Kind::map;
                source_ = higher.source_;
            }
            for (const auto& [k, v] : higher.children_) {
                if (auto* mine = find(k); mine && mine->is_map() && v.is_map())
                    mine->merge(v);
                else
                    set(k, v);
            }
            return;
        }
        *this = higher;
    }

    /// Structural equality (values and shape, not sources).
    [[nodiscard]] bool same_values(const ParamNode& o) const {
        if (kind_ != o.kind_ || text_ != o.text_ || items_.size() != o.items_.size() || children_.size() != o.children_.size())
            return false;
        for (std::size_t i = 0; i < items_.size(); ++i)
            if (!items_[i].same_values(o.items_[i])) return false;
        for (const auto& [k, v] : children_) {
            const auto* other = o.find(k);
            if (!other || !v.same_values(*other)) return false;
        }
        return true;
    }

    /// Compact one-line rendering for logs and digests: {a: 1, b: [x, y]}.
    [[nodiscard]] std::string to_string() const {
        switch (kind_) {
            case Kind::null: return "None";
            case Kind::scalar: return text_;
            case Kind::list: {
                std::string s = "[";
                for (std::size_t i = 0; i < items_.size(); ++i) s += (i ? ", " : "") + items_[i].to_string();
                return s + "]";
            }
            case Kind::map: {
                std::string s = "{";
                bool first = true;
                for (const auto& [k, v] : children_) {
                    s += (first ? "" : ", ") + k + ": " + v.to_string();
                    first = false;
                }
                return s + "}";
            }
        }
        return {};
    }

private:
    ParamNode(Kind k, std::string text, std::string source) : kind_(k), text_(std::move(text)), source_(std::move(source)) {}

    Kind kind_ = Kind::null;
    bool quoted_ = false;
    std::string text_;
    std::string source_;
    std::vector<ParamNode> items_;
    std::vector<std::pair<std::string, ParamNode>> children_;
};

}  // namespace orrery
