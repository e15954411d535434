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
#include "orrery/workflow/named_registry.hpp"

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

class AdapterRegistry : public NamedRegistry<AdapterInfo> {
public:
    AdapterRegistry() : NamedRegistry("adapter") {}
    /// A new, unconfigured instance.
    [[nodiscard]] std::shared_ptr<Adapter> create(std::string_view name) const { return get(name).factory(); }
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
