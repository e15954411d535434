#pragma once
/// Artifacts: the files a stage reads and writes. The orchestrator hashes each one
/// for the ledger and the cache, and validates JSON artifacts against the schema
/// their declaration names.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "orrery/core/errors.hpp"
#include "orrery/workflow/json_schema.hpp"
#include "orrery/workflow/sha256.hpp"
#include "orrery/workflow/yaml_json.hpp"

namespace orrery::workflow {

struct ArtifactRecord {
    std::string name{};
    std::filesystem::path path{};
    std::string sha256{};
    std::uintmax_t bytes = 0;
    bool directory = false;

    /// The ledger's form: {name, path, sha256, bytes[, directory]}.
    [[nodiscard]] nlohmann::json to_json() const {
        nlohmann::json out = {{"name", name}, {"path", path.generic_string()}, {"sha256", sha256}, {"bytes", bytes}};
        if (directory) out["directory"] = true;
        return out;
    }
    static ArtifactRecord from_json(const nlohmann::json& j) {
        ArtifactRecord r;
        r.name = j.value("name", std::string{});
        r.path = j.value("path", std::string{});
        r.sha256 = j.value("sha256", std::string{});
        r.bytes = j.value("bytes", std::uintmax_t{0});
        r.directory = j.value("directory", false);
        return r;
    }
};

/// Hashes a file, or a directory: its regular files' relative names (sorted,
/// '/'-separated, so the digest does not depend on the platform or on directory
/// order) and their contents. A missing artifact is the stage's failure.
inline ArtifactRecord hash_artifact(const std::string& name, const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    ArtifactRecord record;
    record.name = name;
    record.path = path;
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) throw StepError("artifact '" + name + "': " + path.string() + " does not exist");
    if (fs::is_regular_file(status)) {
        record.sha256 = sha256_file(path);
        record.bytes = fs::file_size(path);
        return record;
    }
    if (!fs::is_directory(status)) throw StepError("artifact '" + name + "': " + path.string() + " is neither a file nor a directory");
    record.directory = true;
    std::vector<std::pair<std::string, fs::path>> files;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file()) files.emplace_back(fs::relative(it->path(), path).generic_string(), it->path());
    if (ec) throw StepError("artifact '" + name + "': cannot list " + path.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    Sha256 h;
    for (const auto& [relative, file] : files) {
        // name, NUL, size, NUL, bytes: no two different trees feed the same stream.
        const auto size = fs::file_size(file);
        h.update(relative);
        h.update("\0", 1);
        h.update(std::to_string(size));
        h.update("\0", 1);
        sha256_update_file(h, file);
        record.bytes += size;
    }
    record.sha256 = h.hex_digest();
    return record;
}

namespace artifact_detail {

inline std::string read_text(const std::filesystem::path& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("cannot read " + std::string(what) + " " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// nlohmann's "[json.exception.parse_error.101] parse error at line 3, column 5: x" -> "3:5: x".
inline std::string parse_error_text(const nlohmann::json::parse_error& e) {
    static const std::regex located(R"(at line (\d+), column (\d+): (.*)$)");
    const std::string what = e.what();
    std::smatch m;
    if (std::regex_search(what, m, located)) return m[1].str() + ":" + m[2].str() + ": " + m[3].str();
    const auto bracket = what.find("] ");
    return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

}  // namespace artifact_detail

/// Validates a JSON artifact. Returns one line per problem, each naming the file:
/// "<path>: not JSON: <line>:<column>: <problem>" when it does not parse, else
/// "<path><pointer>: <message>" per schema error; empty when it is valid. An
/// unreadable file throws (InputError).
inline std::vector<std::string> validate_json_artifact(const std::filesystem::path& path, const JsonSchema& schema) {
    const std::string text = artifact_detail::read_text(path, "artifact");
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        return {path.string() + ": not JSON: " + artifact_detail::parse_error_text(e)};
    }
    std::vector<std::string> lines;
    for (const auto& error : schema.validate(doc)) lines.push_back(path.string() + error.pointer + ": " + error.message);
    return lines;
}

/// Loads a JSON Schema from a .json file, or a .yaml / .yml one. Errors are
/// ConfigErrors naming the file (and line:column for syntax errors).
inline JsonSchema load_schema_file(const std::filesystem::path& path) {
    std::string text;
    try {
        text = artifact_detail::read_text(path, "JSON Schema");
    } catch (const InputError& e) {
        throw ConfigError(e.what());
    }
    const std::string ext = path.extension().string();
    nlohmann::json doc;
    if (ext == ".yaml" || ext == ".yml") {
        doc = parse_yaml_as_json(text, path.string());
    } else {
        try {
            doc = nlohmann::json::parse(text);
        } catch (const nlohmann::json::parse_error& e) {
            throw ConfigError(path.string() + ": not JSON: " + artifact_detail::parse_error_text(e));
        }
    }
    return JsonSchema::parse(doc, path.string());
}

}  // namespace orrery::workflow
