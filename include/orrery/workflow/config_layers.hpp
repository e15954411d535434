#pragma once
/// Where `${config.x}` comes from: layers searched from the highest precedence down —
/// run parameters (--param), the graph file's `config`, the workflow type's and
/// adapters' defaults, the global config file (`orrery.yaml` beside the graph file or
/// in the working directory, else `$XDG_CONFIG_HOME/orrery/orrery.yaml`), and last
/// the environment (`ORRERY_<KEY>`, dots and dashes as underscores). Each answer
/// says which layer gave it, for dry runs and `describe`.

#include "orrery/workflow/document.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::workflow {

struct ConfigLayer {
    std::string name{};    // "--param", "graph file", "workflow release", "orrery.yaml", "environment"
    std::string origin{};  // a file, or empty
    nlohmann::json values = nlohmann::json::object();
};

struct ConfigValue {
    nlohmann::json value{};
    std::string layer{};
    std::string origin{};
};

/// The environment variable that backs config key `dotted` ("out.dir" -> ORRERY_OUT_DIR).
inline std::string config_env_name(std::string_view dotted) {
    std::string out = "ORRERY_";
    for (char c : dotted) out += (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

class ConfigLayers {
public:
    /// Layers are added from the highest precedence to the lowest.
    void add(ConfigLayer layer) { layers_.push_back(std::move(layer)); }
    [[nodiscard]] const std::vector<ConfigLayer>& layers() const { return layers_; }

    /// The value of a dotted key from the first layer that has it, then the environment.
    [[nodiscard]] std::optional<ConfigValue> find(std::string_view dotted) const {
        for (const auto& layer : layers_) {
            const nlohmann::json* v = &layer.values;
            std::size_t start = 0;
            while (v && start <= dotted.size()) {
                const auto dot = dotted.find('.', start);
                const std::string key(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
                if (!v->is_object() || !v->contains(key)) {
                    v = nullptr;
                    break;
                }
                v = &(*v)[key];
                if (dot == std::string_view::npos) break;
                start = dot + 1;
            }
            if (v) return ConfigValue{*v, layer.name, layer.origin};
        }
        const std::string env = config_env_name(dotted);
        if (const char* e = std::getenv(env.c_str())) return ConfigValue{std::string(e), "environment", env};
        return std::nullopt;
    }

    /// Every top-level key known to some layer (for "did you mean").
    [[nodiscard]] std::vector<std::string> keys() const {
        std::vector<std::string> out;
        for (const auto& layer : layers_)
            if (layer.values.is_object())
                for (const auto& [k, v] : layer.values.items()) out.push_back(k);
        return out;
    }

private:
    std::vector<ConfigLayer> layers_;
};

/// The global configuration file: `orrery.yaml` in `project_dir`, else in the working
/// directory, else `$XDG_CONFIG_HOME/orrery/orrery.yaml` (default ~/.config).
inline std::optional<std::filesystem::path> find_global_config(const std::filesystem::path& project_dir) {
    std::error_code ec;
    for (const auto& dir : {project_dir, std::filesystem::current_path(ec)}) {
        if (dir.empty()) continue;
        const auto p = dir / "orrery.yaml";
        if (std::filesystem::is_regular_file(p, ec)) return p;
    }
    std::filesystem::path xdg;
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) xdg = x;
    else if (const char* h = std::getenv("HOME"); h && *h) xdg = std::filesystem::path(h) / ".config";
    if (!xdg.empty()) {
        const auto p = xdg / "orrery" / "orrery.yaml";
        if (std::filesystem::is_regular_file(p, ec)) return p;
    }
    return std::nullopt;
}

/// The global file's `config:` mapping (or the whole file when it has no such key).
inline ConfigLayer load_global_config(const std::filesystem::path& path) {
    Document doc = load_document(path);
    if (!doc.value.is_object() && !doc.value.is_null()) throw ConfigError(doc.where("") + ": the global configuration must be a mapping");
    nlohmann::json values = doc.value.is_null() ? nlohmann::json::object() : doc.value;
    if (values.contains("config")) values = values["config"];
    if (!values.is_object()) throw ConfigError(doc.where("/config") + ": 'config' must be a mapping");
    return ConfigLayer{"orrery.yaml", path.string(), std::move(values)};
}

}  // namespace orrery::workflow
