#pragma once
/// The adapters of one run, owned RAII-style: built from the graph file's
/// `adapters:` mapping ({name: config, ...}), it creates and configures every
/// adapter (nothing is initialized if any configuration is wrong), initializes them
/// in order, and cleans up the initialized ones in reverse order when destroyed, or
/// at once when a later initialize throws.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/workflow/adapter.hpp"
#include "orrery/workflow/adapter_registry.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::workflow {

class AdapterSet {
public:
    AdapterSet() = default;
    /// Adapters in the order given (initialization order). Relative paths in their
    /// configurations start at `base_dir` (the graph file's directory) when given.
    AdapterSet(const std::vector<std::pair<std::string, nlohmann::json>>& adapters, Context& ctx, const std::filesystem::path& base_dir = {}) {
        start(adapters, ctx, base_dir);
    }
    /// From a JSON object, in its iteration order (nlohmann::json sorts keys: pass the
    /// list form when the order written in the file matters).
    static AdapterSet from_json(const nlohmann::json& adapters, Context& ctx, const std::filesystem::path& base_dir = {}) {
        if (adapters.is_null()) return AdapterSet();
        if (!adapters.is_object()) throw ConfigError("adapters: expected a mapping {name: config}, got " + adapters.dump());
        std::vector<std::pair<std::string, nlohmann::json>> list;
        for (const auto& [name, config] : adapters.items()) list.emplace_back(name, config);
        return AdapterSet(list, ctx, base_dir);
    }
    ~AdapterSet() { cleanup_all(); }
    AdapterSet(const AdapterSet&) = delete;
    AdapterSet& operator=(const AdapterSet&) = delete;
    AdapterSet(AdapterSet&& other) noexcept : adapters_(std::exchange(other.adapters_, {})) {}
    AdapterSet& operator=(AdapterSet&& other) noexcept {
        if (this != &other) {
            cleanup_all();
            adapters_ = std::exchange(other.adapters_, {});
        }
        return *this;
    }

    [[nodiscard]] Adapter* find(std::string_view name) const {
        for (const auto& a : adapters_)
            if (a->name() == name) return a.get();
        return nullptr;
    }
    /// The configured adapter `name`; a ConfigError with close names otherwise.
    [[nodiscard]] Adapter& get(std::string_view name) const {
        if (Adapter* a = find(name)) return *a;
        throw ConfigError("adapter '" + std::string(name) + "' is not configured in this run" + did_you_mean(name, names()));
    }
    /// `${adapter.<name>.<key>}`; a ConfigError for an unconfigured adapter or an unknown key.
    [[nodiscard]] std::string value(std::string_view name, std::string_view key) const {
        if (auto v = get(name).value(key)) return *v;
        throw ConfigError("adapter '" + std::string(name) + "' has no value '" + std::string(key) + "'");
    }
    [[nodiscard]] std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& a : adapters_) out.push_back(a->name());
        return out;
    }
    [[nodiscard]] std::size_t size() const noexcept { return adapters_.size(); }

private:
    void start(const std::vector<std::pair<std::string, nlohmann::json>>& adapters, Context& ctx, const std::filesystem::path& base_dir) {
        std::vector<std::shared_ptr<Adapter>> configured;
        for (const auto& [name, config] : adapters) {
            auto adapter = adapter_registry().create(name);
            if (adapter->name() != name)  // value() and find() go by name(): a mismatch would hide the adapter
                throw InternalError("adapter registered as '" + name + "' calls itself '" + adapter->name() + "'");
            adapter->configure(with_base_dir(*adapter, config, base_dir));
            configured.push_back(std::move(adapter));
        }
        for (auto& adapter : configured) {
            try {
                adapter->initialize(ctx);
            } catch (const Error&) {
                cleanup_all();
                throw;
            } catch (const std::exception& e) {
                cleanup_all();
                throw ConfigError("adapter '" + adapter->name() + "': initialize failed: " + e.what());
            }
            adapters_.push_back(adapter);  // initialized: owes a cleanup
        }
    }
    void cleanup_all() noexcept {
        while (!adapters_.empty()) {
            adapters_.back()->cleanup();
            adapters_.pop_back();
        }
    }

    std::vector<std::shared_ptr<Adapter>> adapters_;  // initialized, in initialization order
};

}  // namespace orrery::workflow
