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
//   asdf_library: !core/software-1.0.0 {author: orrery, name: orrery, version: 0.1.0}
//   history:
//     entries:
//       - !core/history_entry-1.0.0 {description: ..., software: !core/software-1.0.0 {...}}
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
// The YAML is written by yaml-cpp's emitter; the ASDF header lines and the
// `--- !core/asdf-1.1.0` document start are fixed text around it. Values: null
// -> null, booleans -> true/false, numbers as numbers (floats always with a '.',
// as YAML 1.1 requires), strings plain when that cannot be misread by a YAML 1.1
// reader (PyYAML, hence stpipe) and quoted otherwise, lists in flow style.

#include "orrery/stpipe/asdf_reader.hpp"
#include "orrery/stpipe/step_config.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/version.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
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

/// Can this string be written without quotes and read back (by PyYAML, YAML 1.1) as the same string?
/// yaml-cpp's own check follows YAML 1.2, where yes/no/on/off are strings; PyYAML reads them as booleans.
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

/// A string: plain when plain_safe, else single-quoted, or double-quoted (escapes) when it holds control characters.
inline void emit_string(YAML::Emitter& out, std::string_view s) {
    const bool control = std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (plain_safe(s)) out << std::string(s);
    else out << (control ? YAML::DoubleQuoted : YAML::SingleQuoted) << std::string(s);
}

/// One value: null, booleans and numbers as YAML 1.1 reads them, lists in flow style, maps in block style.
inline void emit_value(YAML::Emitter& out, const ParamNode& n) {
    switch (n.kind()) {
        case ParamNode::Kind::null: out << YAML::Null; return;
        case ParamNode::Kind::scalar: {
            if (n.quoted()) return emit_string(out, n.text());
            if (const int b = yaml11_bool(n.text()); b >= 0) {
                out << (b == 1);
                return;
            }
            if (auto num = yaml_number(n.text()); !num.empty()) {
                out << num;
                return;
            }
            return emit_string(out, n.text());
        }
        case ParamNode::Kind::list:
            out << YAML::Flow << YAML::BeginSeq;
            for (const auto& item : n.items()) emit_value(out, item);
            out << YAML::EndSeq;
            return;
        case ParamNode::Kind::map:
            if (n.children().empty()) out << YAML::Flow;
            out << YAML::BeginMap;
            for (const auto& [k, v] : n.children()) {
                out << YAML::Key;
                emit_string(out, k);
                out << YAML::Value;
                emit_value(out, v);
            }
            out << YAML::EndMap;
            return;
    }
}

/// {class, name, parameters, steps} of one entry.
inline void emit_entry(YAML::Emitter& out, const StepConfigDoc& doc);

inline void emit_steps(YAML::Emitter& out, const std::vector<StepConfigDoc>& steps) {
    out << YAML::BeginSeq;
    for (const auto& s : steps) emit_entry(out, s);
    out << YAML::EndSeq;
}

inline void emit_entry(YAML::Emitter& out, const StepConfigDoc& doc) {
    out << YAML::BeginMap << YAML::Key << "class" << YAML::Value;
    emit_string(out, doc.class_name);
    out << YAML::Key << "name" << YAML::Value;
    emit_string(out, doc.name);
    out << YAML::Key << "parameters" << YAML::Value;
    emit_value(out, doc.parameters);
    if (!doc.steps.empty()) {
        out << YAML::Key << "steps" << YAML::Value;
        emit_steps(out, doc.steps);
    }
    out << YAML::EndMap;
}

/// The emitter's text; a yaml-cpp emitter error is a bug here, reported as such.
inline std::string emitted(const YAML::Emitter& out) {
    if (!out.good()) throw InternalError("ASDF writer: yaml-cpp emitter error: " + out.GetLastError());
    return std::string(out.c_str(), out.size()) + "\n";
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
    YAML::Emitter top;
    top.SetNullFormat(YAML::LowerNull);
    top << YAML::BeginMap;
    top << YAML::Key << "asdf_library" << YAML::Value << YAML::LocalTag("core/software-1.0.0") << YAML::Flow << YAML::BeginMap
        << YAML::Key << "author" << YAML::Value << "orrery" << YAML::Key << "name" << YAML::Value << "orrery" << YAML::Key << "version"
        << YAML::Value << version_string << YAML::EndMap;
    // asdf records history here; orrery uses no ASDF extension, so one entry says what wrote the file.
    top << YAML::Key << "history" << YAML::Value << YAML::BeginMap << YAML::Key << "entries" << YAML::Value << YAML::BeginSeq
        << YAML::LocalTag("core/history_entry-1.0.0") << YAML::Flow << YAML::BeginMap << YAML::Key << "description" << YAML::Value
        << "Step parameters exported by orrery" << YAML::Key << "software" << YAML::Value << YAML::LocalTag("core/software-1.0.0")
        << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "orrery" << YAML::Key << "version" << YAML::Value << version_string
        << YAML::EndMap << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
    top << YAML::Key << "class" << YAML::Value;
    detail::emit_string(top, doc.class_name);
    if (include_metadata) {
        const char* spec = "<SPECIFY>";
        top << YAML::Key << "meta" << YAML::Value << YAML::BeginMap;
        top << YAML::Key << "author" << YAML::Value << spec;
        top << YAML::Key << "date" << YAML::Value << YAML::SingleQuoted << detail::utc_now_iso();
        top << YAML::Key << "description" << YAML::Value << YAML::SingleQuoted << "Parameters for calibration step " + doc.class_name;
        top << YAML::Key << "instrument" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << spec << YAML::EndMap;
        for (const char* key : {"origin", "pedigree", "reftype", "telescope", "useafter"}) top << YAML::Key << key << YAML::Value << spec;
        top << YAML::EndMap;
    }
    top << YAML::Key << "name" << YAML::Value;
    detail::emit_string(top, doc.name);
    top << YAML::Key << "parameters" << YAML::Value;
    detail::emit_value(top, doc.parameters);
    top << YAML::EndMap;

    std::string out =
        "#ASDF 1.0.0\n"
        "#ASDF_STANDARD 1.5.0\n"
        "%YAML 1.1\n"
        "%TAG ! tag:stsci.edu:asdf/\n"
        "--- !core/asdf-1.1.0\n";
    out += detail::emitted(top);
    // `steps` is emitted as a document of its own, at column 0, so the list is not indented
    // under its key: the layout PyYAML (stpipe) writes, and the same YAML either way.
    if (!doc.steps.empty()) {
        YAML::Emitter steps;
        steps.SetNullFormat(YAML::LowerNull);
        detail::emit_steps(steps, doc.steps);
        out += "steps:\n" + detail::emitted(steps);
    }
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
