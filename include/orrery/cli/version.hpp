#pragma once
// `--version`: the library version, the plug-in layers the program was built
// with, and what each package put in the registry.

#include "orrery/core/any_step.hpp"  // the registry with its entries' complete types
#include "orrery/core/registry.hpp"
#include "orrery/core/version.hpp"

#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace orrery::cli {

struct LayerInfo {
    std::string name;     // "jwst"
    std::string version;  // "0.1.0"
    std::string detail;   // e.g. "CCfits 2.6, cfitsio 4.2.0"
};

namespace detail {
struct LayerList {
    std::mutex mutex;
    std::vector<LayerInfo> layers;
};
inline LayerList& layer_list() {
    static LayerList l;
    return l;
}
}  // namespace detail

/// Declare a plug-in layer linked into this program (main() does this).
inline void register_layer(LayerInfo layer) {
    auto& l = detail::layer_list();
    std::lock_guard lock(l.mutex);
    for (auto& existing : l.layers)
        if (existing.name == layer.name) {
            existing = std::move(layer);
            return;
        }
    l.layers.push_back(std::move(layer));
}

inline std::vector<LayerInfo> layers() {
    auto& l = detail::layer_list();
    std::lock_guard lock(l.mutex);
    return l.layers;
}

/// Registered packages: name -> {steps, pipelines}.
inline std::map<std::string, std::pair<int, int>> registry_packages() {
    std::map<std::string, std::pair<int, int>> out;
    for (const auto& e : Registry::instance().all()) {
        auto& c = out[e.package.empty() ? std::string("(no package)") : e.package];
        (e.kind == StepKind::pipeline ? c.second : c.first)++;
    }
    return out;
}

inline void print_version(std::ostream& out) {
    out << "orrery " << version_string << " (plugin ABI " << plugin_abi_version << ")\n";
    out << "layers:\n  core " << version_string << "\n";
    for (const auto& l : layers()) out << "  " << l.name << " " << l.version << (l.detail.empty() ? "" : " (" + l.detail + ")") << "\n";
    const auto packages = registry_packages();
    if (!packages.empty()) {
        out << "registered packages:\n";
        for (const auto& [name, counts] : packages)
            out << "  " << name << ": " << counts.first << (counts.first == 1 ? " step, " : " steps, ") << counts.second
                << (counts.second == 1 ? " pipeline" : " pipelines") << "\n";
    }
}

}  // namespace orrery::cli
