#pragma once
/// A stage's `when:` condition: a small expression over references and words,
/// evaluated just before the stage would run.
///
///   when: ${params.publish}                       truthy unless "", 0, false, no, off, null
///   when: ${config.mode} == release and not ${params.dry}
///   when: exists ${stages.fetch.outputs.pages}    a file or directory exists
///
/// Operators: `==`, `!=`, `not`, `and`, `or`, parentheses; operands are references,
/// quoted strings or bare words. References are resolved as whole operands, so a
/// value with spaces or operators in it is still one value.

#include "orrery/core/errors.hpp"
#include "orrery/workflow/substitution.hpp"

#include <cctype>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::workflow {

inline bool truthy(std::string_view v) {
    std::string s;
    for (char c : v) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return !(s.empty() || s == "0" || s == "false" || s == "no" || s == "off" || s == "null");
}

class Condition {
public:
    /// Parse `text`; syntax errors name `where`. References are checked by the loader.
    Condition(std::string text, std::string where) : text_(std::move(text)), where_(std::move(where)) {
        tokenize();
        pos_ = 0;
        Resolver none = [](const Reference&) { return std::optional<std::string>(""); };
        resolve_ = &none;
        (void)parse_or(false);
        if (pos_ != tokens_.size()) fail("unexpected '" + tokens_[pos_].text + "'");
        resolve_ = nullptr;
    }

    [[nodiscard]] const std::string& text() const { return text_; }

    /// The references it reads (for the loader's checks and implicit dependencies).
    [[nodiscard]] std::vector<Reference> references() const {
        std::vector<Reference> out;
        for (const auto& t : tokens_)
            if (t.kind == Token::reference) out.push_back(t.ref);
        return out;
    }

    /// Evaluate; `base_dir` anchors relative paths of `exists`.
    [[nodiscard]] bool evaluate(const Resolver& resolve, const std::filesystem::path& base_dir = {}) const {
        pos_ = 0;
        resolve_ = &resolve;
        base_dir_ = base_dir;
        const bool v = truthy(parse_or(true));
        resolve_ = nullptr;
        return v;
    }

private:
    struct Token {
        enum Kind { word, quoted, reference, op } kind = word;
        std::string text{};
        Reference ref{};
    };

    [[noreturn]] void fail(const std::string& what) const {
        throw ConfigError(where_ + ": condition '" + text_ + "': " + what);
    }

    void tokenize() {
        std::size_t i = 0;
        const std::string& s = text_;
        while (i < s.size()) {
            const char c = s[i];
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++i;
            } else if (c == '(' || c == ')') {
                tokens_.push_back({Token::op, std::string(1, c), {}});
                ++i;
            } else if ((c == '=' || c == '!') && i + 1 < s.size() && s[i + 1] == '=') {
                tokens_.push_back({Token::op, s.substr(i, 2), {}});
                i += 2;
            } else if (c == '"' || c == '\'') {
                const auto close = s.find(c, i + 1);
                if (close == std::string::npos) fail("unterminated quote");
                tokens_.push_back({Token::quoted, s.substr(i + 1, close - i - 1), {}});
                i = close + 1;
            } else if (s.compare(i, 2, "${") == 0) {
                const auto close = s.find('}', i);
                if (close == std::string::npos) fail("unterminated reference");
                auto refs = find_references(s.substr(i, close - i + 1), where_);
                tokens_.push_back({Token::reference, s.substr(i, close - i + 1), refs.front()});
                i = close + 1;
            } else {
                std::size_t j = i;
                while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != '(' && s[j] != ')' && s.compare(j, 2, "==") != 0 &&
                       s.compare(j, 2, "!=") != 0 && s.compare(j, 2, "${") != 0)
                    ++j;
                const std::string w = s.substr(i, j - i);
                const bool keyword = w == "and" || w == "or" || w == "not" || w == "exists";
                tokens_.push_back({keyword ? Token::op : Token::word, w, {}});
                i = j;
            }
        }
        if (tokens_.empty()) fail("empty");
    }

    bool at_op(std::string_view op) const { return pos_ < tokens_.size() && tokens_[pos_].kind == Token::op && tokens_[pos_].text == op; }

    std::string parse_or(bool eval) const {
        std::string v = parse_and(eval);
        while (at_op("or")) {
            ++pos_;
            const std::string rhs = parse_and(eval);
            v = (truthy(v) || truthy(rhs)) ? "true" : "false";
        }
        return v;
    }
    std::string parse_and(bool eval) const {
        std::string v = parse_not(eval);
        while (at_op("and")) {
            ++pos_;
            const std::string rhs = parse_not(eval);
            v = (truthy(v) && truthy(rhs)) ? "true" : "false";
        }
        return v;
    }
    std::string parse_not(bool eval) const {
        if (at_op("not")) {
            ++pos_;
            return truthy(parse_not(eval)) ? "false" : "true";
        }
        if (at_op("exists")) {
            ++pos_;
            const std::string path = parse_operand(eval);
            if (!eval) return "true";
            std::filesystem::path p(path);
            if (p.is_relative() && !base_dir_.empty()) p = base_dir_ / p;
            std::error_code ec;
            return std::filesystem::exists(p, ec) ? "true" : "false";
        }
        return parse_comparison(eval);
    }
    std::string parse_comparison(bool eval) const {
        std::string lhs = parse_operand(eval);
        if (at_op("==") || at_op("!=")) {
            const bool equal = tokens_[pos_].text == "==";
            ++pos_;
            const std::string rhs = parse_operand(eval);
            return ((lhs == rhs) == equal) ? "true" : "false";
        }
        return lhs;
    }
    std::string parse_operand(bool eval) const {
        if (pos_ >= tokens_.size()) fail("expected a value at the end");
        const Token& t = tokens_[pos_++];
        if (t.kind == Token::op) {
            if (t.text == "(") {
                std::string v = parse_or(eval);
                if (!at_op(")")) fail("missing ')'");
                ++pos_;
                return v;
            }
            fail("expected a value before '" + t.text + "'");
        }
        if (t.kind == Token::reference) {
            if (!eval) return {};
            auto v = (*resolve_)(t.ref);
            if (!v) throw ConfigError(where_ + ": unknown reference " + t.ref.text);
            return *v;
        }
        return t.text;
    }

    std::string text_, where_;
    std::vector<Token> tokens_;
    mutable std::size_t pos_ = 0;
    mutable const Resolver* resolve_ = nullptr;
    mutable std::filesystem::path base_dir_;
};

}  // namespace orrery::workflow
