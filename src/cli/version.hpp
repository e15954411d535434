#pragma once
// `--version`: the library version, the plug-in layers the program was built
// with, and what each package put in the registry. Layers and extra dependency
// versions are declared by the program (orrery/cli.hpp).

#include "orrery/cli.hpp"

#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace orrery::cli {

/// The layers declared with register_layer, in order of declaration.
std::vector<LayerInfo> layers();

/// The dependencies declared with register_dependency: {name, version}.
std::vector<std::pair<std::string, std::string>> registered_dependencies();

/// Registered packages: name -> {steps, pipelines}.
std::map<std::string, std::pair<int, int>> registry_packages();

void print_version(std::ostream& out);

}  // namespace orrery::cli
