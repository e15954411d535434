#pragma once
/// The process-wide registry of integration adapters, filled at static
/// initialisation by ORRERY_REGISTER_ADAPTER (at global scope, after the class):
///
///   ORRERY_REGISTER_ADAPTER(mylib::JiraAdapter, "jira")
///
/// like ORRERY_REGISTER_STEP: an explicit specialisation of an inline variable, so
/// one registration per program however many translation units include the header.
/// The class may declare `static constexpr std::string_view description`.

#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/workflow/adapter.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery::workflow {

struct AdapterInfo {
    std::string name{};
    std::string description{};
    std::string origin{};  // "file:line" of the registration
    std::function<std::shared_ptr<Adapter>()> factory{};
};

class AdapterRegistry {
public:
    /// Add an adapter. Re-adding from the same origin is ignored; a second adapter of
    /// one name is kept and reported when the name is looked up (registration runs
    /// during static initialisation, where an exception would end the program).
    void add(AdapterInfo info) {
        std::lock_guard lock(mutex_);
        for (const auto& e : entries_)
            if (e.name == info.name && e.origin == info.origin) return;
        entries_.push_back(std::move(info));
    }
    /// The adapter called `name`, or null; a ConfigError naming both origins when two claim it.
    [[nodiscard]] const AdapterInfo* find(std::string_view name) const {
        std::lock_guard lock(mutex_);
        const AdapterInfo* hit = nullptr;
        for (const auto& e : entries_) {
            if (e.name != name) continue;
            if (hit) throw ConfigError("adapter '" + e.name + "' is registered twice: " + hit->origin + " and " + e.origin);
            hit = &e;
        }
        return hit;
    }
    /// The adapter called `name`; a ConfigError with the close names otherwise.
    [[nodiscard]] const AdapterInfo& get(std::string_view name) const {
        if (const auto* e = find(name)) return *e;
        const auto known = names();
        std::string hint = did_you_mean(name, known);
        if (hint.empty()) {
            std::string list;
            for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
            hint = known.empty() ? " (no adapter is registered)" : " (registered: " + list + ")";
        }
        throw ConfigError("unknown adapter '" + std::string(name) + "'" + hint);
    }
    /// A new, unconfigured instance.
    [[nodiscard]] std::shared_ptr<Adapter> create(std::string_view name) const { return get(name).factory(); }
    /// Registered names, sorted.
    [[nodiscard]] std::vector<std::string> names() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& e : entries_) out.push_back(e.name);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }
    [[nodiscard]] std::vector<AdapterInfo> all() const {
        std::lock_guard lock(mutex_);
        std::vector<AdapterInfo> copy(entries_.begin(), entries_.end());
        std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        return copy;
    }

private:
    mutable std::mutex mutex_;
    std::deque<AdapterInfo> entries_;  // deque: add() keeps the references find() handed out valid
};

/// The one registry of the process (constructed on first use).
inline AdapterRegistry& adapter_registry() {
    static AdapterRegistry registry;
    return registry;
}

inline void register_adapter(std::string name, std::string description, std::function<std::shared_ptr<Adapter>()> factory,
                             std::string origin = {}) {
    adapter_registry().add(AdapterInfo{std::move(name), std::move(description), std::move(origin), std::move(factory)});
}

template <class T>
inline const bool adapter_registered = false;

namespace detail {
template <class T>
bool register_adapter_type(const char* name, const char* file, int line) {
    static_assert(std::is_base_of_v<Adapter, T>, "orrery: ORRERY_REGISTER_ADAPTER needs a class derived from orrery::workflow::Adapter");
    static_assert(std::is_default_constructible_v<T>, "orrery: an adapter must be default-constructible (configure() sets it up)");
    std::string description;
    if constexpr (requires { T::description; }) description = std::string(T::description);
    register_adapter(name, std::move(description), [] { return std::shared_ptr<Adapter>(std::make_shared<T>()); },
                     std::string(file) + ":" + std::to_string(line));
    return true;
}
}  // namespace detail

}  // namespace orrery::workflow

#define ORRERY_REGISTER_ADAPTER(Type, adapter_name)                         \
    template <>                                                             \
    inline const bool ::orrery::workflow::adapter_registered<Type> =        \
        ::orrery::workflow::detail::register_adapter_type<Type>(adapter_name, __FILE__, __LINE__);
