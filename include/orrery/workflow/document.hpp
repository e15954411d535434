#pragma once
/// A YAML or JSON file read into a JSON value that remembers where each value came
/// from, so every later error (schema, unknown reference, cycle) can name
/// `file:line`. Both formats go through yaml-cpp (JSON is YAML's flow style), which
/// gives one set of line numbers and one set of budgets: file size, nesting depth
/// and node count are bounded before anything is built, so a small file of nested
/// YAML aliases cannot ask for billions of nodes.

#include "orrery/core/errors.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace orrery::workflow {

struct DocumentBudget {
    std::uintmax_t max_bytes = 16u << 20;  // 16 MiB of text
    std::size_t max_depth = 64;
    std::size_t max_nodes = 200'000;       // after alias expansion
};

struct Document {
    std::filesystem::path path{};
    nlohmann::json value{};
    std::map<std::string, int, std::less<>> lines{};  // JSON pointer -> 1-based line

    /// "file:line" of the value at `pointer`, or of its nearest enclosing value.
    [[nodiscard]] std::string where(std::string_view pointer) const {
        std::string p(pointer);
        while (true) {
            if (auto it = lines.find(p); it != lines.end()) return path.string() + ":" + std::to_string(it->second);
            if (p.empty()) return path.string();
            p.erase(p.rfind('/'));
        }
    }
};

/// "/a~1b" style escaping of one pointer segment.
inline std::string pointer_segment(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

namespace detail {

inline bool yaml_null(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

/// A plain (unquoted) scalar as YAML 1.2's core schema reads it; quoted scalars stay strings.
inline nlohmann::json plain_scalar(const std::string& s) {
    if (yaml_null(s)) return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (s == ".inf" || s == "+.inf" || s == ".Inf" || s == ".INF") return std::numeric_limits<double>::infinity();
    if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
    const char* b = s.c_str();
    char* end = nullptr;
    const bool integer_like = s.find_first_not_of("+-0123456789") == std::string::npos;
    if (integer_like && s.find_first_of("0123456789") != std::string::npos) {
        errno = 0;
        const long long v = std::strtoll(b, &end, 10);
        if (*end == '\0' && errno == 0) return v;
    }
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        errno = 0;
        const long long v = std::strtoll(b + 2, &end, s[1] == 'x' ? 16 : 8);
        if (*end == '\0' && errno == 0) return v;
    }
    if (s.find_first_of("0123456789") != std::string::npos && s.find_first_not_of("+-0123456789.eE") == std::string::npos) {
        errno = 0;
        const double v = std::strtod(b, &end);
        if (*end == '\0' && errno == 0) return v;
    }
    return s;
}

class Converter {
public:
    Converter(Document& doc, const DocumentBudget& budget) : doc_(doc), budget_(budget) {}

    nlohmann::json convert(const YAML::Node& node, const std::string& pointer, std::size_t depth) {
        const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
        if (line > 0) doc_.lines.emplace(pointer, line);
        if (++nodes_ > budget_.max_nodes)
            throw ConfigError(doc_.where(pointer) + ": more than " + std::to_string(budget_.max_nodes) + " values (YAML aliases expand); refusing to read further");
        if (depth > budget_.max_depth)
            throw ConfigError(doc_.where(pointer) + ": nested deeper than " + std::to_string(budget_.max_depth) + " levels");
        switch (node.Type()) {
            case YAML::NodeType::Null:
            case YAML::NodeType::Undefined: return nullptr;
            case YAML::NodeType::Scalar:
                return node.Tag() == "?" ? plain_scalar(node.Scalar()) : nlohmann::json(node.Scalar());
            case YAML::NodeType::Sequence: {
                nlohmann::json out = nlohmann::json::array();
                std::size_t i = 0;
                for (const auto& item : node) out.push_back(convert(item, pointer + "/" + std::to_string(i++), depth + 1));
                return out;
            }
            case YAML::NodeType::Map: {
                nlohmann::json out = nlohmann::json::object();
                for (const auto& kv : node) {
                    if (!kv.first.IsScalar())
                        throw ConfigError(doc_.where(pointer) + ": a mapping key must be a plain name");
                    const std::string key = kv.first.Scalar();
                    const std::string child = pointer + "/" + pointer_segment(key);
                    if (out.contains(key)) {
                        doc_.lines[child] = kv.first.Mark().line + 1;
                        throw ConfigError(doc_.where(child) + ": duplicate key '" + key + "'");
                    }
                    out[key] = convert(kv.second, child, depth + 1);
                }
                return out;
            }
        }
        return nullptr;
    }

private:
    Document& doc_;
    const DocumentBudget& budget_;
    std::size_t nodes_ = 0;
};

}  // namespace detail

/// Parse `text` (YAML or JSON) as if read from `path`.
inline Document parse_document(const std::string& text, const std::filesystem::path& path, const DocumentBudget& budget = {}) {
    if (text.size() > budget.max_bytes)
        throw ConfigError(path.string() + ": file is larger than " + std::to_string(budget.max_bytes >> 20) + " MiB");
    // yaml-cpp recurses per nesting level while parsing: refuse absurd nesting before it does.
    std::size_t depth = 0, deepest = 0;
    for (char c : text) {
        if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
        else if ((c == ']' || c == '}') && depth > 0) --depth;
    }
    if (deepest > budget.max_depth * 4)
        throw ConfigError(path.string() + ": nested deeper than " + std::to_string(budget.max_depth) + " levels");
    Document doc;
    doc.path = path;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw ConfigError(path.string() + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML/JSON: " + e.msg);
    }
    try {
        doc.value = detail::Converter(doc, budget).convert(root, "", 0);
    } catch (const YAML::Exception& e) {
        throw ConfigError(path.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return doc;
}

/// Read and parse a YAML or JSON file; errors name the file (and line).
inline Document load_document(const std::filesystem::path& path, const DocumentBudget& budget = {}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw ConfigError(path.string() + ": no such file");
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > budget.max_bytes)
        throw ConfigError(path.string() + ": file is larger than " + std::to_string(budget.max_bytes >> 20) + " MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path.string() + ": cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_document(ss.str(), path, budget);
}

}  // namespace orrery::workflow
