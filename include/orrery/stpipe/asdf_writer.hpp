#pragma once
// Writing a step_config-1.0.0 ASDF parameter file, as stpipe's
// --save-parameters / export_config does, so that both orrery and stpipe can
// read it back:
//
//   #ASDF 1.0.0
//   #ASDF_STANDARD 1.5.0
//   %YAML 1.1
//   %TAG ! tag:stsci.edu:asdf/
//   --- !core/asdf-1.1.0
//   asdf_library: !core/software-1.0.0 {name: orrery, version: 0.1.0}
//   class: hello.HelloPipeline
//   meta: {...CRDS template, fields '<SPECIFY>'...}
//   name: hello
//   parameters: {...}
//   steps:
//   - class: hello.Tokenize
//     name: tokenize
//     parameters: {...}
//   ...
//
// Values: null -> null, booleans -> true/false, numbers as numbers (floats
// always with a '.', as YAML 1.1 requires), strings plain when that cannot be
// misread and single-quoted otherwise, lists in flow style.

#include "orrery/stpipe/asdf_reader.hpp"
#include "orrery/stpipe/step_config.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/version.hpp"

#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace orrery::stpipe {

namespace detail {

inline bool is_yaml_int(std::string_view s) {
    std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i >= s.size()) return false;
    for (; i < s.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
}

/// A C number text ("1.5", "1e+20", "-3") as a YAML 1.1 float/int, or "" if it is not a number.
inline std::string yaml_number(std::string_view s) {
    if (s == "nan" || s == "NaN") return ".nan";
    if (s == "inf" || s == "+inf") return ".inf";
    if (s == "-inf") return "-.inf";
    if (is_yaml_int(s)) return std::string(s);
    std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    std::size_t digits = 0, dot = std::string_view::npos, exp = std::string_view::npos;
    for (std::size_t k = i; k < s.size(); ++k) {
        const char c = s[k];
        if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
        else if (c == '.' && dot == std::string_view::npos && exp == std::string_view::npos) dot = k;
        else if ((c == 'e' || c == 'E') && exp == std::string_view::npos && digits > 0) exp = k;
        else if ((c == '-' || c == '+') && exp != std::string_view::npos && k == exp + 1) continue;
        else return {};
    }
    if (digits == 0) return {};
    std::string out(s);
    if (exp != std::string_view::npos) {
        if (exp + 1 >= out.size()) return {};
        if (out[exp + 1] != '-' && out[exp + 1] != '+') out.insert(exp + 1, "+");
        if (dot == std::string_view::npos) out.insert(exp, ".0");
    } else if (dot == std::string_view::npos) {
        out += ".0";
    }
    if (out[i] == '.') out.insert(i, "0");
    return out;
}

/// Can this string be written without quotes and read back as the same string?
inline bool plain_safe(std::string_view s) {
    if (s.empty()) return false;
    const char c0 = s[0];
    if (!(std::isalpha(static_cast<unsigned char>(c0)) || c0 == '_' || c0 == '/' || c0 == '<')) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '-' || c == '<' || c == '>'))
            return false;
    if (yaml11_bool(s) >= 0) return false;
    for (auto word : {"null", "Null", "NULL", "None", "none", "y", "Y", "n", "N", "nan", "NaN", "inf"})
        if (s == word) return false;
    return true;
}

inline std::string yaml_quote(std::string_view s) {
    bool control = false;
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20) control = true;
    if (!control) {
        std::string out = "'";
        for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
        return out + "'";
    }
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

inline std::string yaml_string(std::string_view s) { return plain_safe(s) ? std::string(s) : yaml_quote(s); }

inline std::string yaml_key(std::string_view k) {
    for (char c : k)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return yaml_quote(k);
    return k.empty() || yaml11_bool(k) >= 0 ? yaml_quote(k) : std::string(k);
}

/// One value in flow style.
inline std::string yaml_flow(const ParamNode& n) {
    switch (n.kind()) {
        case ParamNode::Kind::null: return "null";
        case ParamNode::Kind::scalar: {
            if (n.quoted()) return yaml_string(n.text());
            if (const int b = yaml11_bool(n.text()); b >= 0) return b ? "true" : "false";
            if (auto num = yaml_number(n.text()); !num.empty()) return num;
            return yaml_string(n.text());
        }
        case ParamNode::Kind::list: {
            std::string s = "[";
            for (std::size_t i = 0; i < n.items().size(); ++i) s += (i ? ", " : "") + yaml_flow(n.items()[i]);
            return s + "]";
        }
        case ParamNode::Kind::map: {
            std::string s = "{";
            bool first = true;
            for (const auto& [k, v] : n.children()) {
                s += (first ? "" : ", ") + yaml_key(k) + ": " + yaml_flow(v);
                first = false;
            }
            return s + "}";
        }
    }
    return "null";
}

/// A mapping in block style at `indent` spaces; nested maps stay in block style.
inline void emit_block_map(std::string& out, const ParamNode& map, int indent) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    for (const auto& [k, v] : map.children()) {
        if (v.is_map() && !v.children().empty()) {
            out += pad + yaml_key(k) + ":\n";
            emit_block_map(out, v, indent + 2);
        } else {
            out += pad + yaml_key(k) + ": " + yaml_flow(v) + "\n";
        }
    }
}

inline void emit_entry_body(std::string& out, const StepConfigDoc& doc, int indent, bool first_line_done);

/// `steps:` as a block list of entries.
inline void emit_steps(std::string& out, const std::vector<StepConfigDoc>& steps, int indent) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    out += pad + "steps:\n";
    for (const auto& s : steps) {
        out += pad + "- ";
        emit_entry_body(out, s, indent + 2, true);
    }
}

/// class / name / parameters / steps of an entry (the first key goes on the current line if first_line_done).
inline void emit_entry_body(std::string& out, const StepConfigDoc& doc, int indent, bool first_line_done) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    bool first = first_line_done;
    auto line = [&](const std::string& text) {
        out += (first ? "" : pad) + text + "\n";
        first = false;
    };
    line("class: " + yaml_string(doc.class_name));
    line("name: " + yaml_string(doc.name));
    if (doc.parameters.children().empty()) {
        line("parameters: {}");
    } else {
        line("parameters:");
        emit_block_map(out, doc.parameters, indent + 2);
    }
    if (!doc.steps.empty()) emit_steps(out, doc.steps, indent);
}

inline std::string utc_now_iso() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
}

}  // namespace detail

/// The ASDF text of a document. With `include_metadata`, adds stpipe's CRDS
/// `meta` template (fields to fill in marked '<SPECIFY>').
inline std::string to_asdf(const StepConfigDoc& doc, bool include_metadata = true) {
    std::string out =
        "#ASDF 1.0.0\n"
        "#ASDF_STANDARD 1.5.0\n"
        "%YAML 1.1\n"
        "%TAG ! tag:stsci.edu:asdf/\n"
        "--- !core/asdf-1.1.0\n";
    out += std::string("asdf_library: !core/software-1.0.0 {author: orrery, name: orrery, version: ") + version_string + "}\n";
    out += "class: " + detail::yaml_string(doc.class_name) + "\n";
    if (include_metadata) {
        const std::string spec = "<SPECIFY>";
        out += "meta:\n";
        out += "  author: " + spec + "\n";
        out += "  date: " + detail::yaml_quote(detail::utc_now_iso()) + "\n";
        out += "  description: " + detail::yaml_quote("Parameters for calibration step " + doc.class_name) + "\n";
        out += "  instrument:\n    name: " + spec + "\n";
        out += "  origin: " + spec + "\n";
        out += "  pedigree: " + spec + "\n";
        out += "  reftype: " + spec + "\n";
        out += "  telescope: " + spec + "\n";
        out += "  useafter: " + spec + "\n";
    }
    out += "name: " + detail::yaml_string(doc.name) + "\n";
    if (doc.parameters.children().empty()) {
        out += "parameters: {}\n";
    } else {
        out += "parameters:\n";
        detail::emit_block_map(out, doc.parameters, 2);
    }
    if (!doc.steps.empty()) detail::emit_steps(out, doc.steps, 0);
    out += "...\n";
    return out;
}

/// Write the ASDF file atomically (temporary file + rename); creates the directory.
inline void write_asdf_file(const StepConfigDoc& doc, const std::filesystem::path& path, bool include_metadata = true) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const auto tmp = std::filesystem::path(path.string() + ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ConfigError("--save-parameters: cannot write " + path.string());
        out << to_asdf(doc, include_metadata);
        if (!out.flush()) throw ConfigError("--save-parameters: cannot write " + path.string());
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw ConfigError("--save-parameters: cannot write " + path.string());
    }
}

}  // namespace orrery::stpipe
