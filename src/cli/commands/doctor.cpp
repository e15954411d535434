// `orrery doctor [--ref-dir DIR] [--output_dir DIR]`: what this program was
// built with and whether its environment works — library and dependency
// versions, compiler, threads, registered steps, plug-in path, reference
// directory readable, output directory writable. Exit 0 when every check
// passes, 2 otherwise. Dependency versions: the library's own (from the headers
// it was compiled with), then those the program declares (register_dependency).

#include "commands.hpp"
#include "exit_codes.hpp"
#include "version.hpp"

#include "orrery/core/any_step.hpp"  // the registry with its entries' complete types
#include "orrery/core/errors.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/version.hpp"

#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include <oneapi/tbb/version.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace orrery::cli {

namespace {

std::string compiler_text() {
#if defined(__clang__)
    return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
    return "GCC " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." + std::to_string(__GNUC_PATCHLEVEL__);
#else
    return "unknown";
#endif
}

std::string boost_text() {
    return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100);
}

std::vector<std::pair<std::string, std::string>> dependency_versions() {
    std::vector<std::pair<std::string, std::string>> d;
    d.emplace_back("Boost (Hana)", boost_text());
#ifdef ORRERY_YAML_CPP_VERSION
    d.emplace_back("yaml-cpp", ORRERY_YAML_CPP_VERSION);
#else
    d.emplace_back("yaml-cpp", "linked (version not recorded at build time)");
#endif
    d.emplace_back("nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                        std::to_string(NLOHMANN_JSON_VERSION_PATCH));
    d.emplace_back("oneTBB", std::to_string(TBB_VERSION_MAJOR) + "." + std::to_string(TBB_VERSION_MINOR));
    for (auto& dep : registered_dependencies()) d.push_back(std::move(dep));  // the program's layers' (e.g. cfitsio)
    return d;
}

bool directory_readable(const std::filesystem::path& p, std::string& why) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) return why = "does not exist", false;
    if (!std::filesystem::is_directory(p, ec)) return why = "is not a directory", false;
    DIR* d = ::opendir(p.c_str());
    if (!d) return why = "cannot be read", false;
    ::closedir(d);
    return true;
}

bool directory_writable(const std::filesystem::path& p, std::string& why) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) return why = "does not exist (it would be created)", ::access(p.parent_path().empty() ? "." : p.parent_path().c_str(), W_OK) == 0;
    if (!std::filesystem::is_directory(p, ec)) return why = "is not a directory", false;
    const auto probe = p / (".orrery-doctor-" + std::to_string(::getpid()));
    {
        std::ofstream f(probe);
        if (!f) return why = "is not writable", false;
    }
    std::filesystem::remove(probe, ec);
    return true;
}
}  // namespace

int doctor_command(std::span<const std::string> args, Streams io) {
    std::optional<std::string> ref_dir, output_dir;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const std::string& flag) -> std::string {
            if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0) return a.substr(flag.size() + 1);
            if (i + 1 >= args.size()) throw UsageError("doctor: " + flag + " needs a value");
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            io.out << "usage: orrery doctor [--ref-dir DIR] [--output_dir DIR]\n";
            return exit_success;
        }
        if (a.rfind("--ref-dir", 0) == 0) ref_dir = value("--ref-dir");
        else if (a.rfind("--output_dir", 0) == 0) output_dir = value("--output_dir");
        else throw UsageError("doctor: unknown argument '" + a + "'");
    }

    bool ok = true;
    auto row = [&](const std::string& name, const std::string& value) { io.out << "  " << name << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') << value << "\n"; };
    io.out << "orrery doctor\n";
    row("orrery", std::string(version_string) + " (plugin ABI " + std::to_string(plugin_abi_version) + ")");
    for (const auto& l : layers()) row("layer " + l.name, l.version + (l.detail.empty() ? "" : " (" + l.detail + ")"));
    row("compiler", compiler_text() + ", C++ " + std::to_string(__cplusplus));
    for (const auto& [name, v] : dependency_versions()) row(name, v);
    row("threads", std::to_string(std::thread::hardware_concurrency()) + " hardware threads");
    int steps = 0, pipelines = 0;
    for (const auto& e : Registry::instance().all()) (e.kind == StepKind::pipeline ? pipelines : steps)++;
    row("registry", std::to_string(steps) + " steps, " + std::to_string(pipelines) + " pipelines");

    const char* plugin_path = std::getenv("ORRERY_PLUGIN_PATH");
    if (!plugin_path || !*plugin_path) {
        row("plugin path", "ORRERY_PLUGIN_PATH not set (steps are linked into this program)");
    } else {
        std::string p = plugin_path, why;
        row("plugin path", p);
        for (std::size_t start = 0; start <= p.size();) {
            auto colon = p.find(':', start);
            const std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            if (!dir.empty()) {
                const bool readable = directory_readable(dir, why);
                row("", dir + (readable ? ": ok" : ": FAIL, " + why));
                ok = ok && readable;
            }
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }

    std::string ref = ref_dir.value_or("");
    std::string origin = "--ref-dir";
    if (ref.empty()) {
        if (const char* env = std::getenv("ORRERY_REF_DIR"); env && *env) ref = env, origin = "ORRERY_REF_DIR";
    }
    if (ref.empty()) {
        row("reference dir", "not set (--ref-dir DIR or ORRERY_REF_DIR): steps need override_<reftype> parameters");
    } else {
        std::string why;
        const bool readable = directory_readable(ref, why);
        row("reference dir", ref + " (" + origin + "): " + (readable ? "ok, readable" : "FAIL, " + why));
        ok = ok && readable;
    }
    std::error_code ec;
    const std::string out_dir = output_dir.value_or(std::filesystem::current_path(ec).string());
    std::string why;
    const bool writable = directory_writable(out_dir, why);
    row("output dir", out_dir + ": " + (writable ? (why.empty() ? "ok, writable" : "ok, " + why) : "FAIL, " + why));
    ok = ok && writable;
    io.out << (ok ? "all checks passed\n" : "some checks FAILED\n");
    return ok ? exit_success : exit_usage;
}

}  // namespace orrery::cli
