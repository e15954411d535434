#pragma once
// Typed keyword access with file-naming errors: a keyword that is present but not
// of the expected type (or out of int range) is an input error, not a silent default.

#include "orrery/array/header.hpp"
#include "orrery/array/fits/fits_error.hpp"

#include <climits>
#include <filesystem>
#include <optional>
#include <string>

namespace orrery::fits {

inline std::optional<int> keyword_int(const Header& h, const char* key, const std::filesystem::path& file) {
    if (!h.contains(key)) return std::nullopt;
    const auto v = h.get_int(key);
    if (!v) input_error(file, "keyword " + std::string(key) + " is not an integer ('" + h.raw(key).value_or("") + "')");
    if (*v < INT_MIN || *v > INT_MAX) input_error(file, "keyword " + std::string(key) + " = " + std::to_string(*v) + " is out of range");
    return static_cast<int>(*v);
}

inline std::optional<double> keyword_double(const Header& h, const char* key, const std::filesystem::path& file) {
    if (!h.contains(key)) return std::nullopt;
    const auto v = h.get_double(key);
    if (!v) input_error(file, "keyword " + std::string(key) + " is not a number ('" + h.raw(key).value_or("") + "')");
    return v;
}

inline std::optional<bool> keyword_bool(const Header& h, const char* key, const std::filesystem::path& file) {
    if (!h.contains(key)) return std::nullopt;
    const auto v = h.get_bool(key);
    if (!v) input_error(file, "keyword " + std::string(key) + " is not a logical ('" + h.raw(key).value_or("") + "')");
    return v;
}

inline std::optional<std::string> keyword_string(const Header& h, const char* key) { return h.get_string(key); }

}  // namespace orrery::fits
