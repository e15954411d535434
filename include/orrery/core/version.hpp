#pragma once
// Library version (kept in step with CMakeLists.txt's project(VERSION)).

#define ORRERY_VERSION_MAJOR 0
#define ORRERY_VERSION_MINOR 1
#define ORRERY_VERSION_PATCH 0

namespace orrery {
inline constexpr const char* version_string = "0.1.0";
/// Plugin ABI: bumped when AnyStep/StepInfo/Registry change incompatibly.
inline constexpr int plugin_abi_version = 1;
}  // namespace orrery
