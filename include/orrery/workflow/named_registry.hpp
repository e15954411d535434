#pragma once
/// A process-wide list of named entries (adapters, workflow types) filled by
/// self-registration during static initialisation. Entries have `name` and `origin`
/// ("file:line"). A name claimed twice is kept and reported when it is looked up,
/// naming both origins: an exception during static initialisation would end the
/// program before it could say anything.

#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::workflow {

template <class Entry>
class NamedRegistry {
public:
    explicit NamedRegistry(std::string kind) : kind_(std::move(kind)) {}

    /// Add an entry; re-adding one from the same origin is ignored.
    void add(Entry entry) {
        std::lock_guard lock(mutex_);
        for (const auto& e : entries_)
            if (e.name == entry.name && e.origin == entry.origin) return;
        entries_.push_back(std::move(entry));
    }
    /// The entry called `name`, or null; a ConfigError naming both origins when two claim it.
    [[nodiscard]] const Entry* find(std::string_view name) const {
        std::lock_guard lock(mutex_);
        const Entry* hit = nullptr;
        for (const auto& e : entries_) {
            if (e.name != name) continue;
            if (hit) throw ConfigError(kind_ + " '" + e.name + "' is registered twice: " + hit->origin + " and " + e.origin);
            hit = &e;
        }
        return hit;
    }
    /// The entry called `name`; a ConfigError with the close names (or the registered ones) otherwise.
    [[nodiscard]] const Entry& get(std::string_view name) const {
        if (const auto* e = find(name)) return *e;
        const auto known = names();
        std::string hint = did_you_mean(name, known);
        if (hint.empty()) {
            std::string list;
            for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
            hint = known.empty() ? " (no " + kind_ + " is registered)" : " (registered: " + list + ")";
        }
        throw ConfigError("unknown " + kind_ + " '" + std::string(name) + "'" + hint);
    }
    /// Registered names, sorted.
    [[nodiscard]] std::vector<std::string> names() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& e : entries_) out.push_back(e.name);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }
    /// Every entry, sorted by name.
    [[nodiscard]] std::vector<Entry> all() const {
        std::lock_guard lock(mutex_);
        std::vector<Entry> copy(entries_.begin(), entries_.end());
        std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        return copy;
    }

private:
    std::string kind_;
    mutable std::mutex mutex_;
    std::deque<Entry> entries_;  // deque: add() keeps the references find() handed out valid
};

}  // namespace orrery::workflow
