// `--version` and the program's declared layers and dependencies (see version.hpp).

#include "version.hpp"

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

namespace {

// Declared before main() runs, possibly from static initialisers: guarded.
struct Declarations {
    std::mutex mutex;
    std::vector<LayerInfo> layers;
    std::vector<std::pair<std::string, std::string>> dependencies;
};

Declarations& declarations() {
    static Declarations d;
    return d;
}

}  // namespace

void register_layer(LayerInfo layer) {
    auto& d = declarations();
    std::lock_guard lock(d.mutex);
    for (auto& existing : d.layers)
        if (existing.name == layer.name) {
            existing = std::move(layer);
            return;
        }
    d.layers.push_back(std::move(layer));
}

void register_dependency(std::string name, std::string version) {
    auto& d = declarations();
    std::lock_guard lock(d.mutex);
    for (auto& existing : d.dependencies)
        if (existing.first == name) {
            existing.second = std::move(version);
            return;
        }
    d.dependencies.emplace_back(std::move(name), std::move(version));
}

std::vector<LayerInfo> layers() {
    auto& d = declarations();
    std::lock_guard lock(d.mutex);
    return d.layers;
}

std::vector<std::pair<std::string, std::string>> registered_dependencies() {
    auto& d = declarations();
    std::lock_guard lock(d.mutex);
    return d.dependencies;
}

std::map<std::string, std::pair<int, int>> registry_packages() {
    std::map<std::string, std::pair<int, int>> out;
    for (const auto& e : Registry::instance().all()) {
        auto& c = out[e.package.empty() ? std::string("(no package)") : e.package];
        (e.kind == StepKind::pipeline ? c.second : c.first)++;
    }
    return out;
}

void print_version(std::ostream& out) {
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
