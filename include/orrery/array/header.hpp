#pragma once
// A FITS header kept card for card (80-character records, in order), so that the
// primary header of an input reaches the outputs unchanged apart from the
// keywords the pipeline adds. Typed getters parse on demand.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace orrery {

class Header {
public:
    /// Raw 80-character cards, in file order (no END card).
    [[nodiscard]] const std::vector<std::string>& cards() const noexcept { return cards_; }
    void append_card(std::string card) {
        card.resize(80, ' ');
        cards_.push_back(std::move(card));
    }

    [[nodiscard]] bool contains(std::string_view key) const { return find(key) != npos; }

    /// The value text of a keyword: strings unquoted and right-trimmed, others trimmed.
    [[nodiscard]] std::optional<std::string> raw(std::string_view key) const {
        const auto i = find(key);
        if (i == npos) return std::nullopt;
        return parse_value(cards_[i]);
    }
    [[nodiscard]] std::optional<std::string> get_string(std::string_view key) const { return raw(key); }
    [[nodiscard]] std::optional<long long> get_int(std::string_view key) const {
        auto v = raw(key);
        if (!v || v->empty()) return std::nullopt;
        long long out = 0;
        const auto* b = v->data();
        const auto* e = v->data() + v->size();
        if (*b == '+') ++b;
        auto [p, ec] = std::from_chars(b, e, out);
        if (ec != std::errc{} || p != e) {
            // Integers written as reals ("2.0") still count when integral.
            if (auto d = get_double(key); d && *d == static_cast<double>(static_cast<long long>(*d)))
                return static_cast<long long>(*d);
            return std::nullopt;
        }
        return out;
    }
    [[nodiscard]] std::optional<double> get_double(std::string_view key) const {
        auto v = raw(key);
        if (!v || v->empty()) return std::nullopt;
        std::string s = *v;
        std::replace(s.begin(), s.end(), 'D', 'E');  // FITS allows D exponents
        try {
            std::size_t used = 0;
            double d = std::stod(s, &used);
            if (used != s.size()) return std::nullopt;
            return d;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    [[nodiscard]] std::optional<bool> get_bool(std::string_view key) const {
        auto v = raw(key);
        if (!v) return std::nullopt;
        if (*v == "T") return true;
        if (*v == "F") return false;
        return std::nullopt;
    }

    /// Set (replace in place, or append) a keyword. Strings are quoted FITS-style.
    void set(std::string_view key, std::string_view value, std::string_view comment = {}) {
        std::string quoted = "'";
        for (char c : value) {
            quoted += c;
            if (c == '\'') quoted += '\'';
        }
        while (quoted.size() < 9) quoted += ' ';  // FITS: at least 8 chars inside quotes
        quoted += '\'';
        put(key, quoted, comment, /*right_align=*/false);
    }
    void set(std::string_view key, const char* value, std::string_view comment = {}) { set(key, std::string_view(value), comment); }
    void set(std::string_view key, long long value, std::string_view comment = {}) {
        put(key, std::to_string(value), comment, true);
    }
    void set(std::string_view key, int value, std::string_view comment = {}) { set(key, static_cast<long long>(value), comment); }
    void set(std::string_view key, double value, std::string_view comment = {}) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17G", value);
        std::string s = buf;
        if (s.find_first_of(".E") == std::string::npos) s += ".0";
        put(key, s, comment, true);
    }
    void set(std::string_view key, bool value, std::string_view comment = {}) { put(key, value ? "T" : "F", comment, true); }

    void erase(std::string_view key) {
        const auto i = find(key);
        if (i != npos) cards_.erase(cards_.begin() + static_cast<std::ptrdiff_t>(i));
    }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    /// Index of the card for `key` (exact keyword, case-insensitive), or npos.
    [[nodiscard]] std::size_t find(std::string_view key) const {
        for (std::size_t i = 0; i < cards_.size(); ++i)
            if (keyword_of(cards_[i]) == upper(key)) return i;
        return npos;
    }

    static std::string keyword_of(std::string_view card) {
        std::string k(card.substr(0, std::min<std::size_t>(8, card.size())));
        while (!k.empty() && k.back() == ' ') k.pop_back();
        return k;
    }

private:
    static std::string upper(std::string_view s) {
        std::string u(s);
        for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return u;
    }
    static std::optional<std::string> parse_value(std::string_view card) {
        if (card.size() < 10 || card.substr(8, 2) != "= ") return std::nullopt;
        std::string_view rest = card.substr(10);
        std::size_t p = rest.find_first_not_of(' ');
        if (p == std::string_view::npos) return std::string{};
        rest = rest.substr(p);
        if (rest.front() == '\'') {
            std::string out;
            for (std::size_t i = 1; i < rest.size(); ++i) {
                if (rest[i] == '\'') {
                    if (i + 1 < rest.size() && rest[i + 1] == '\'') {
                        out += '\'';
                        ++i;
                        continue;
                    }
                    break;
                }
                out += rest[i];
            }
            while (!out.empty() && out.back() == ' ') out.pop_back();
            return out;
        }
        auto slash = rest.find('/');
        std::string v(rest.substr(0, slash));
        while (!v.empty() && v.back() == ' ') v.pop_back();
        return v;
    }
    void put(std::string_view key, const std::string& value, std::string_view comment, bool right_align) {
        std::string card = upper(key);
        card.resize(8, ' ');
        card += "= ";
        if (right_align && value.size() < 20) card += std::string(20 - value.size(), ' ');
        card += value;
        if (!comment.empty()) {
            card += " / ";
            card += comment;
        }
        card.resize(80, ' ');
        const auto i = find(key);
        if (i == npos)
            cards_.push_back(std::move(card));
        else
            cards_[i] = std::move(card);
    }

    std::vector<std::string> cards_;
};

}  // namespace orrery
