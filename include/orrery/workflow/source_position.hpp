#pragma once
/// From a JSON pointer (what JsonSchema reports) back to a line and column in the
/// file the user wrote, YAML or JSON, so that a schema error reads
/// "graph.yaml:14:5: /stages/2/retyr: unknown key 'retyr'". When the pointer names
/// something the file does not have (a missing required key), the position is that
/// of the deepest part of the path the file does have.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace orrery::workflow {

struct SourcePosition {
    std::size_t line = 1;    // 1-based
    std::size_t column = 1;  // 1-based
};

/// "/a~1b/0" -> {"a/b", "0"}.
inline std::vector<std::string> split_json_pointer(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) return tokens;
    std::size_t i = pointer[0] == '/' ? 1 : 0;
    std::string token;
    for (; i <= pointer.size(); ++i) {
        if (i == pointer.size() || pointer[i] == '/') {
            tokens.push_back(token);
            token.clear();
        } else if (pointer[i] == '~' && i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
            token += pointer[i + 1] == '0' ? '~' : '/';
            ++i;
        } else {
            token += pointer[i];
        }
    }
    return tokens;
}

/// Position in a YAML document (as loaded by yaml-cpp, which keeps marks). An
/// object member is located at its key, an array element at the element.
inline SourcePosition yaml_position(const YAML::Node& root, std::string_view pointer) {
    const auto at = [](const YAML::Mark& m) {
        return m.is_null() ? SourcePosition{} : SourcePosition{static_cast<std::size_t>(m.line) + 1, static_cast<std::size_t>(m.column) + 1};
    };
    SourcePosition found = at(root.Mark());
    YAML::Node node = root;
    for (const auto& token : split_json_pointer(pointer)) {
        YAML::Node next;
        bool located = false;
        if (node.IsMap()) {
            for (const auto& item : node)
                if (item.first.IsScalar() && item.first.Scalar() == token) {
                    found = at(item.first.Mark());
                    next.reset(item.second);
                    located = true;
                    break;
                }
        } else if (node.IsSequence() && !token.empty() && token.find_first_not_of("0123456789") == std::string::npos) {
            const std::size_t index = std::stoul(token);
            if (index < node.size()) {
                next.reset(node[index]);
                found = at(next.Mark());
                located = true;
            }
        }
        if (!located) break;
        node.reset(next);  // reset(): rebinding; assignment would write into the document
    }
    return found;
}

namespace position_detail {

/// A cursor over JSON text that counts lines and columns; only as much of a JSON
/// parser as walking one path needs (the document was parsed before, so it is valid).
class JsonCursor {
public:
    explicit JsonCursor(std::string_view text) : text_(text) {}

    [[nodiscard]] SourcePosition position() const { return {line_, column_}; }
    [[nodiscard]] char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    [[nodiscard]] bool done() const { return pos_ >= text_.size(); }

    void advance() {
        if (done()) return;
        if (text_[pos_] == '\n') {
            ++line_;
            column_ = 1;
        } else if ((static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) {
            ++column_;  // count characters, not UTF-8 continuation bytes
        }
        ++pos_;
    }

    void skip_space() {
        while (!done() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) advance();
    }

    /// Reads a string (cursor on its opening quote), decoding the common escapes.
    std::string read_string() {
        std::string out;
        advance();
        while (!done() && peek() != '"') {
            if (peek() == '\\') {
                advance();
                const char c = peek();
                advance();
                switch (c) {
                    case 'n': out += '\n'; break;
                    case 't': out += '\t'; break;
                    case 'r': out += '\r'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'u': out += read_unicode_escape(); break;
                    default: out += c;  // \" \\ \/
                }
            } else {
                out += peek();
                advance();
            }
        }
        advance();
        return out;
    }

    void skip_value() {
        skip_space();
        const char c = peek();
        if (c == '"') {
            read_string();
        } else if (c == '{' || c == '[') {
            int depth = 0;
            do {
                if (peek() == '"') {
                    read_string();
                    continue;
                }
                if (peek() == '{' || peek() == '[') ++depth;
                if (peek() == '}' || peek() == ']') --depth;
                advance();
            } while (!done() && depth > 0);
        } else {
            while (!done() && peek() != ',' && peek() != '}' && peek() != ']' && peek() != ' ' && peek() != '\n' && peek() != '\t' && peek() != '\r') advance();
        }
    }

private:
    std::string read_unicode_escape() {
        unsigned code = 0;
        for (int i = 0; i < 4 && !done(); ++i) {
            const char h = peek();
            code = code * 16 + static_cast<unsigned>(h >= '0' && h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            advance();
        }
        std::string out;  // BMP only: a key needing a surrogate pair merely fails to match
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
        return out;
    }

    std::string_view text_;
    std::size_t pos_ = 0, line_ = 1, column_ = 1;
};

}  // namespace position_detail

/// Position in JSON text. An object member is located at its key, an array
/// element at the element.
inline SourcePosition json_position(std::string_view text, std::string_view pointer) {
    position_detail::JsonCursor cursor(text);
    cursor.skip_space();
    SourcePosition found = cursor.position();
    for (const auto& token : split_json_pointer(pointer)) {
        cursor.skip_space();
        bool located = false;
        if (cursor.peek() == '{') {
            cursor.advance();
            for (;;) {
                cursor.skip_space();
                if (cursor.peek() != '"') break;  // '}' or not JSON
                const SourcePosition key_at = cursor.position();
                const std::string key = cursor.read_string();
                cursor.skip_space();
                if (cursor.peek() == ':') cursor.advance();
                if (key == token) {
                    found = key_at;
                    located = true;
                    break;
                }
                cursor.skip_value();
                cursor.skip_space();
                if (cursor.peek() != ',') break;
                cursor.advance();
            }
        } else if (cursor.peek() == '[' && !token.empty() && token.find_first_not_of("0123456789") == std::string::npos) {
            const std::size_t index = std::stoul(token);
            cursor.advance();
            for (std::size_t i = 0;; ++i) {
                cursor.skip_space();
                if (cursor.peek() == ']' || cursor.done()) break;
                if (i == index) {
                    found = cursor.position();
                    located = true;
                    break;
                }
                cursor.skip_value();
                cursor.skip_space();
                if (cursor.peek() != ',') break;
                cursor.advance();
            }
        }
        if (!located) break;
    }
    return found;
}

}  // namespace orrery::workflow
