#pragma once
/// `.env` files (--env-file): one `KEY=VALUE` a line, with an optional `export `
/// prefix; blank lines and `#` comments are skipped. Values:
///   KEY=plain text      trimmed; a ` #comment` after it is removed ("a#b" keeps its '#')
///   KEY='literal'       nothing inside is special
///   KEY="with escapes"  \n \t \" \\ (any other backslash stays as written)
/// A quoted value ends on its line; values are not expanded (${X} stays as text, the
/// orchestrator's substitution is the one place references are resolved). Entries
/// come back in file order; a key given twice appears twice, the later one wins when
/// they are merged into an environment. Errors name `file:line` and the problem.

#include "orrery/core/errors.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace orrery::workflow {

inline constexpr std::uintmax_t env_file_size_limit = 1 << 20;  // an env file is a handful of settings, not data

namespace detail {

inline bool is_env_key(std::string_view key) {
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) return false;
    for (const char c : key)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

/// After a closing quote only blanks or a comment may follow.
inline bool only_comment_left(std::string_view rest) {
    rest = trim_blanks(rest);
    return rest.empty() || rest.front() == '#';
}

}  // namespace detail

inline std::vector<std::pair<std::string, std::string>> read_env_file(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (!std::filesystem::exists(status)) throw ConfigError("env file '" + name + "' does not exist");
    if (!std::filesystem::is_regular_file(status)) throw ConfigError("env file '" + name + "' is not a regular file");
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) throw ConfigError("env file '" + name + "': " + ec.message());
    if (size > env_file_size_limit)
        throw ConfigError("env file '" + name + "' is " + std::to_string(size) + " bytes; env files are limited to 1 MiB");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError("env file '" + name + "' cannot be read");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    std::vector<std::pair<std::string, std::string>> entries;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t eol = text.find('\n', pos);
        std::string_view line = detail::trim_blanks(std::string_view(text).substr(pos, eol == std::string::npos ? std::string::npos : eol - pos));
        pos = eol == std::string::npos ? text.size() : eol + 1;
        ++line_no;
        const auto fail = [&](const std::string& what) { return ConfigError(name + ":" + std::to_string(line_no) + ": " + what); };
        if (line.empty() || line.front() == '#') continue;
        if (line.substr(0, 6) == "export" && line.size() > 6 && detail::is_blank(line[6])) line = detail::trim_blanks(line.substr(7));

        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) throw fail("missing '=' (expected KEY=VALUE): '" + std::string(line) + "'");
        const std::string_view key = detail::trim_blanks(line.substr(0, eq));
        if (!detail::is_env_key(key))
            throw fail("bad key '" + std::string(key) + "' (letters, digits and '_', not starting with a digit)");

        const std::string_view raw = line.substr(eq + 1);
        const std::string_view value = detail::trim_blanks(raw);
        std::string parsed;
        if (!value.empty() && value.front() == '\'') {
            const std::size_t close = value.find('\'', 1);
            if (close == std::string_view::npos) throw fail("unterminated single quote in the value of " + std::string(key));
            if (!detail::only_comment_left(value.substr(close + 1)))
                throw fail("unexpected text after the closing quote of " + std::string(key));
            parsed = value.substr(1, close - 1);
        } else if (!value.empty() && value.front() == '"') {
            std::size_t i = 1;
            bool closed = false;
            for (; i < value.size(); ++i) {
                const char c = value[i];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i + 1 < value.size()) {
                    const char next = value[++i];
                    switch (next) {
                        case 'n': parsed += '\n'; break;
                        case 't': parsed += '\t'; break;
                        case '"': parsed += '"'; break;
                        case '\\': parsed += '\\'; break;
                        default: parsed += '\\'; parsed += next; break;
                    }
                } else {
                    parsed += c;
                }
            }
            if (!closed) throw fail("unterminated double quote in the value of " + std::string(key));
            if (!detail::only_comment_left(value.substr(i + 1)))
                throw fail("unexpected text after the closing quote of " + std::string(key));
        } else {
            std::string_view plain = raw;  // a comment starts at a '#' after a blank
            for (std::size_t i = 1; i < plain.size(); ++i)
                if (plain[i] == '#' && detail::is_blank(plain[i - 1])) {
                    plain = plain.substr(0, i);
                    break;
                }
            parsed = detail::trim_blanks(plain);
        }
        entries.emplace_back(std::string(key), std::move(parsed));
    }
    return entries;
}

}  // namespace orrery::workflow
