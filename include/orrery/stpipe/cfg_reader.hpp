#pragma once
// Reading legacy `.cfg` parameter files (configobj INI syntax, as stpipe reads
// them) into the merged-tree form:
//
//   name = "foo_pipeline"          # comments after values are allowed
//   class = "steps.FooPipeline"
//   threshold = 24.0
//   [steps]
//     [[make_list]]                # one more bracket per level of nesting
//     config_file = makelist.cfg   # resolved by param_file.hpp
//
// Values: 'single' or "double" quoted (kept verbatim, marked quoted), '''triple'''
// quoted (may span lines), or unquoted (trimmed). An unquoted comma makes a list
// ("a, b" -> [a, b]; "1500," -> [1500]; "," -> []). `key =` is the empty string.
// Indentation is not significant. Every node's source is "file:line".

#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::stpipe {

namespace detail {

inline std::string_view cfg_trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

/// A value split into its items; `list` when an unquoted comma was seen.
struct CfgValue {
    std::vector<ParamNode> items;
    bool list = false;
};

/// configobj's value syntax (its _handle_value): items separated by unquoted commas,
/// each 'single' or "double" quoted (unquoted, marked quoted) or bare (trimmed); an
/// unquoted '#' starts a comment. `fail` reports a malformed value and must not return.
template <class Fail>
CfgValue split_configobj_value(std::string_view raw, const std::string& src, Fail&& fail) {
    CfgValue out;
    std::size_t i = 0;
    bool pending = false;  // an item has started since the last comma
    auto skip_space = [&] {
        while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) ++i;
    };
    while (true) {
        skip_space();
        if (i >= raw.size() || raw[i] == '#') break;
        if (raw[i] == ',') {
            if (!pending) {
                // configobj: a lone "," is the empty list
                std::size_t k = i + 1;
                while (k < raw.size() && (raw[k] == ' ' || raw[k] == '\t')) ++k;
                if (!out.items.empty() || (k < raw.size() && raw[k] != '#')) fail("empty item in the list value");
                out.list = true;
                i = k;
                continue;
            }
            out.list = true;
            pending = false;
            ++i;
            continue;
        }
        if (pending) fail("expected ',' between list items");
        if (raw[i] == '"' || raw[i] == '\'') {
            const char q = raw[i];
            auto end = raw.find(q, i + 1);
            if (end == std::string_view::npos) fail("unterminated quoted value");
            out.items.push_back(ParamNode::scalar(std::string(raw.substr(i + 1, end - i - 1)), src, true));
            i = end + 1;
        } else {
            std::size_t j = i;
            while (j < raw.size() && raw[j] != ',' && raw[j] != '#') ++j;
            out.items.push_back(ParamNode::scalar(std::string(cfg_trim(raw.substr(i, j - i))), src, false));
            i = j;
        }
        pending = true;
    }
    return out;
}

class CfgParser {
public:
    CfgParser(std::string_view text, std::string file) : file_(std::move(file)) {
        std::size_t start = 0;
        while (start < text.size()) {
            auto nl = text.find('\n', start);
            if (nl == std::string_view::npos) {
                lines_.emplace_back(text.substr(start));
                break;
            }
            lines_.emplace_back(text.substr(start, nl - start));
            start = nl + 1;
        }
    }

    ParamNode parse() {
        ParamNode root = ParamNode::map(file_);
        std::vector<ParamNode*> stack{&root};  // stack[d] is the section at depth d
        for (line_ = 0; line_ < lines_.size(); ++line_) {
            const std::string_view line = cfg_trim(lines_[line_]);
            if (line.empty() || line.front() == '#') continue;
            if (line.front() == '[') {
                section(line, stack);
                continue;
            }
            key_value(line, *stack.back());
        }
        return root;
    }

private:
    [[nodiscard]] std::string where() const { return file_ + ":" + std::to_string(line_ + 1); }
    [[noreturn]] void fail(const std::string& what) const { throw ConfigError("parameter file " + where() + ": " + what); }

    void section(std::string_view line, std::vector<ParamNode*>& stack) {
        std::size_t open = 0;
        while (open < line.size() && line[open] == '[') ++open;
        auto close_at = line.find(']', open);
        if (close_at == std::string_view::npos) fail("section header without closing ']'");
        std::size_t close = 0;
        while (close_at + close < line.size() && line[close_at + close] == ']') ++close;
        if (open != close) fail("section header has " + std::to_string(open) + " '[' but " + std::to_string(close) + " ']'");
        std::string_view rest = cfg_trim(line.substr(close_at + close));
        if (!rest.empty() && rest.front() != '#') fail("unexpected text after section header");
        std::string name(cfg_trim(line.substr(open, close_at - open)));
        if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') && name.back() == name.front())
            name = name.substr(1, name.size() - 2);
        if (name.empty()) fail("empty section name");
        if (open > stack.size()) fail("section '" + name + "' is nested too deeply (" + std::to_string(open) + " brackets under a section of depth " +
                                      std::to_string(stack.size() - 1) + ")");
        stack.resize(open);
        ParamNode& parent = *stack.back();
        if (parent.contains(name)) fail("section '" + name + "' appears twice");
        stack.push_back(&parent.set(name, ParamNode::map(where())));
    }

    void key_value(std::string_view line, ParamNode& section) {
        std::string key;
        std::size_t eq;
        if (line.front() == '"' || line.front() == '\'') {
            auto endq = line.find(line.front(), 1);
            if (endq == std::string_view::npos) fail("unterminated quoted key");
            key = std::string(line.substr(1, endq - 1));
            eq = line.find('=', endq + 1);
            if (eq == std::string_view::npos || !cfg_trim(line.substr(endq + 1, eq - endq - 1)).empty()) fail("expected '=' after the key");
        } else {
            eq = line.find('=');
            if (eq == std::string_view::npos) fail("expected 'key = value' or a [section] header, got '" + std::string(line) + "'");
            key = std::string(cfg_trim(line.substr(0, eq)));
        }
        if (key.empty()) fail("missing key before '='");
        if (section.contains(key)) fail("key '" + key + "' appears twice in the same section");
        const std::string src = where();
        std::string_view raw = cfg_trim(line.substr(eq + 1));

        // '''triple''' / """triple""" quoting, possibly over several lines.
        if (raw.size() >= 3 && (raw.substr(0, 3) == "'''" || raw.substr(0, 3) == "\"\"\"")) {
            const std::string_view q = raw.substr(0, 3);
            std::string value;
            std::string_view rest = raw.substr(3);
            while (true) {
                auto end = rest.find(q);
                if (end != std::string_view::npos) {
                    value += std::string(rest.substr(0, end));
                    auto tail = cfg_trim(rest.substr(end + 3));
                    if (!tail.empty() && tail.front() != '#') fail("unexpected text after the closing " + std::string(q));
                    break;
                }
                value += std::string(rest) + "\n";
                if (++line_ >= lines_.size()) {
                    line_ = lines_.size() - 1;
                    fail("unterminated " + std::string(q) + " value for '" + key + "'");
                }
                rest = lines_[line_];
            }
            section.set(key, ParamNode::scalar(value, src, true));
            return;
        }

        CfgValue v = split_value(raw);
        if (v.list) {
            section.set(key, ParamNode::list(std::move(v.items), src));
        } else if (v.items.empty()) {
            section.set(key, ParamNode::scalar("", src, false));
        } else {
            section.set(key, std::move(v.items.front()));
        }
    }

    CfgValue split_value(std::string_view raw) const {
        return split_configobj_value(raw, where(), [this](const std::string& what) { fail(what); });
    }

    std::string file_;
    std::vector<std::string_view> lines_;
    std::size_t line_ = 0;
};

}  // namespace detail

/// One value as configobj reads it (strun passes every command-line value through this,
/// so `--override_linearity='x.fits'` is x.fits and "1500," a one-element list):
/// a scalar, or a list when an unquoted comma was seen. Malformed: ConfigError naming `source`.
inline ParamNode read_configobj_value(std::string_view raw, const std::string& source) {
    auto v = detail::split_configobj_value(raw, source, [&](const std::string& what) -> void {
        throw ConfigError(source + ": malformed value '" + std::string(raw) + "': " + what);
    });
    if (v.list) return ParamNode::list(std::move(v.items), source);
    if (v.items.empty()) return ParamNode::scalar("", source, false);
    return std::move(v.items.front());
}

/// Parse configobj text into the merged-tree form; throws ConfigError naming file:line.
inline ParamNode read_cfg_text(std::string_view text, const std::string& file) {
    return detail::CfgParser(text, file).parse();
}

inline ParamNode read_cfg_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("parameter file " + path.string() + ": cannot be opened");
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    return read_cfg_text(text, path.string());
}

}  // namespace orrery::stpipe
