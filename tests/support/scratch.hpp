#pragma once
// A scratch directory per test program, unique per run, under the system temp dir.

#include <chrono>
#include <filesystem>
#include <string>

namespace orrery::test {

inline std::filesystem::path scratch_dir(const std::string& prefix) {
    static const std::filesystem::path dir = [&] {
        auto d = std::filesystem::temp_directory_path() /
                 (prefix + "_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

}  // namespace orrery::test
