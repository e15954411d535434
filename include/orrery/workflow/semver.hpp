#pragma once
/// Semantic versions (semver.org 2.0): MAJOR.MINOR.PATCH[-prerelease][+build],
/// parsed strictly (no leading zeros, no missing parts) and bumped by part.

#include "orrery/core/errors.hpp"

#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::workflow {

struct Semver {
    unsigned long long major = 0, minor = 0, patch = 0;
    std::string prerelease{};  // after '-', without it
    std::string build{};       // after '+', without it

    [[nodiscard]] std::string to_string() const {
        std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
        if (!prerelease.empty()) s += "-" + prerelease;
        if (!build.empty()) s += "+" + build;
        return s;
    }

    /// The version, or nullopt when `text` is not a semantic version.
    static std::optional<Semver> parse(std::string_view text) {
        Semver v;
        if (const auto plus = text.find('+'); plus != std::string_view::npos) {
            v.build = std::string(text.substr(plus + 1));
            text = text.substr(0, plus);
            if (!identifiers_ok(v.build, false)) return std::nullopt;
        }
        if (const auto dash = text.find('-'); dash != std::string_view::npos) {
            v.prerelease = std::string(text.substr(dash + 1));
            text = text.substr(0, dash);
            if (!identifiers_ok(v.prerelease, true)) return std::nullopt;
        }
        unsigned long long* parts[] = {&v.major, &v.minor, &v.patch};
        for (int i = 0; i < 3; ++i) {
            const auto dot = text.find('.');
            if ((i < 2) == (dot == std::string_view::npos)) return std::nullopt;
            const auto number = text.substr(0, dot);
            if (!numeric(number)) return std::nullopt;
            std::from_chars(number.data(), number.data() + number.size(), *parts[i]);
            text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
        }
        return v;
    }
    /// Parse or throw a ConfigError naming `where`.
    static Semver parse_or_throw(std::string_view text, const std::string& where) {
        if (auto v = parse(text)) return *v;
        throw ConfigError(where + ": '" + std::string(text) + "' is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])");
    }

    /// The next version: "major" -> X+1.0.0, "minor" -> X.Y+1.0, "patch" -> X.Y.Z+1
    /// (a prerelease of X.Y.Z becomes X.Y.Z itself); prerelease and build are dropped.
    [[nodiscard]] Semver bumped(std::string_view part) const {
        Semver next{major, minor, patch, {}, {}};
        if (part == "major") next = {major + 1, 0, 0, {}, {}};
        else if (part == "minor") next = {major, minor + 1, 0, {}, {}};
        else if (part == "patch") {
            if (prerelease.empty()) next.patch = patch + 1;
        } else throw ConfigError("version part '" + std::string(part) + "' is not one of major, minor, patch");
        return next;
    }

private:
    static bool numeric(std::string_view s) {
        if (s.empty() || s.size() > 18 || (s.size() > 1 && s.front() == '0')) return false;
        for (char c : s)
            if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        return true;
    }
    static bool identifiers_ok(std::string_view s, bool no_leading_zero_numbers) {
        if (s.empty()) return false;
        while (true) {
            const auto dot = s.find('.');
            const auto id = s.substr(0, dot);
            if (id.empty()) return false;
            bool all_digits = true;
            for (char c : id) {
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
                all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
            }
            if (no_leading_zero_numbers && all_digits && id.size() > 1 && id.front() == '0') return false;
            if (dot == std::string_view::npos) return true;
            s = s.substr(dot + 1);
        }
    }
};

}  // namespace orrery::workflow
