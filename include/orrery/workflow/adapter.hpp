#pragma once
/// An integration adapter: a small service (git, the filesystem, an HTTP API) that
/// a graph file configures under `adapters:` and that step handlers find on the
/// Context by the adapter's concrete type. Lifecycle, driven by AdapterSet:
/// configure (validate and keep the config) -> initialize (check the outside world,
/// publish itself on the context) -> ... stages run ... -> cleanup.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/workflow/config_check.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::workflow {

class Adapter : public std::enable_shared_from_this<Adapter> {
public:
    Adapter() = default;
    Adapter(const Adapter&) = delete;
    Adapter& operator=(const Adapter&) = delete;
    virtual ~Adapter() = default;

    /// The name it is registered and configured under ("git").
    [[nodiscard]] virtual std::string name() const = 0;
    /// JSON Schema (draft-07) of its configuration object.
    [[nodiscard]] virtual nlohmann::json config_schema() const = 0;
    /// The configuration used for keys the user leaves out.
    [[nodiscard]] virtual nlohmann::json defaults() const { return nlohmann::json::object(); }

    /// Keys of the configuration that are paths: relative ones start at the graph
    /// file's directory (AdapterSet's base_dir), not at the process's current one.
    [[nodiscard]] virtual std::vector<std::string> path_keys() const { return {}; }

    /// Merge `config` over defaults(), check it against config_schema() and keep it.
    /// Throws ConfigError "adapter '<name>': config.<key>: <problem>". Overrides call
    /// this first, then read config().
    virtual void configure(const nlohmann::json& config) {
        if (!config.is_null() && !config.is_object())
            throw ConfigError("adapter '" + name() + "': the configuration must be a mapping, got " + config.dump());
        nlohmann::json merged = merge_config(defaults(), config);
        const auto problems = check_against_schema(config_schema(), merged, "config");
        if (!problems.empty()) throw ConfigError("adapter '" + name() + "': " + problems.front());
        config_ = std::move(merged);
    }
    /// Check what the adapter needs (a program, a directory) and publish it on the
    /// context (register_as<Concrete>(ctx)). Called once, after configure.
    virtual void initialize(Context& ctx) = 0;
    /// Release what initialize acquired. Called once per successful initialize.
    virtual void cleanup() noexcept {}

    /// `${adapter.<name>.<key>}`: the value of `key`, or nullopt if it has none.
    [[nodiscard]] virtual std::optional<std::string> value(std::string_view key) const {
        (void)key;
        return std::nullopt;
    }

    /// The merged, checked configuration.
    [[nodiscard]] const nlohmann::json& config() const noexcept { return config_; }

protected:
    /// Publish this adapter on `ctx` as a service of type T (its concrete type), so
    /// handlers call ctx.service<T>(). The adapter must be owned by a shared_ptr.
    template <class T>
    void register_as(Context& ctx) {
        auto self = weak_from_this().lock();
        if (!self) throw InternalError("adapter '" + name() + "' must be owned by a std::shared_ptr to be published on a context");
        ctx.set_service<T>(std::static_pointer_cast<T>(std::move(self)));
    }
    /// A string key of the configuration ("" if absent).
    [[nodiscard]] std::string config_string(std::string_view key) const {
        const auto it = config_.find(std::string(key));
        return it != config_.end() && it->is_string() ? it->template get<std::string>() : std::string{};
    }

private:
    nlohmann::json config_ = nlohmann::json::object();
};

/// `config` with the adapter's relative path keys (given or defaulted) made
/// relative to `base_dir`; unchanged when base_dir is empty or config is not a mapping.
inline nlohmann::json with_base_dir(const Adapter& adapter, nlohmann::json config, const std::filesystem::path& base_dir) {
    if (base_dir.empty() || !(config.is_object() || config.is_null())) return config;
    if (config.is_null()) config = nlohmann::json::object();
    const nlohmann::json defaults = adapter.defaults();
    for (const auto& key : adapter.path_keys()) {
        const nlohmann::json& value = config.contains(key) ? config[key] : defaults.value(key, nlohmann::json());
        if (!value.is_string()) continue;  // wrong types are configure()'s to report
        const std::filesystem::path path(value.get<std::string>());
        if (!path.is_relative()) continue;
        auto resolved = (base_dir / path).lexically_normal();
        if (!resolved.has_filename() && resolved != resolved.root_path()) resolved = resolved.parent_path();  // "dir/." -> "dir"
        config[key] = resolved.string();
    }
    return config;
}

}  // namespace orrery::workflow
