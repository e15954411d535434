#pragma once
// How the framework treats a data type that flows through steps: whether it can
// be saved (save_results, hooks), how a step status is recorded on it, and which
// file name it came from. Specialise orrery::product_traits<T> for your types;
// the defaults mean "cannot be saved, records no status".

#include "orrery/core/events.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace orrery {

class OutputNamer;

template <class T>
struct product_traits {
    static constexpr bool saveable = false;
    static constexpr bool loadable = false;
    /// Read a value from a file (the CLI's input); throw InputError naming the file on failure.
    static T load(const std::filesystem::path&) = delete;
    /// Write `value` using `namer` (e.g. namer.path(suffix)); return the paths written.
    static std::vector<std::filesystem::path> save(const T&, const OutputNamer&, std::string_view /*suffix*/) { return {}; }
    /// Record a step status under `key` (e.g. a status keyword in a file header) on the value.
    static void record_status(T&, std::string_view /*key*/, StepStatus) {}
    /// Record a reference file used by a step (its type and path).
    static void record_reference(T&, std::string_view /*reftype*/, std::string_view /*path*/) {}
    /// The file name the value came from (output_use_model); empty if unknown.
    static std::string filename(const T&) { return {}; }
    // Optional: `static constexpr std::string_view extension = ".fits";` — the file type
    // a saved product gets when output_ext is not set (otherwise the input's own).
};

}  // namespace orrery

namespace orrery {
/// Whether product_traits<T> says T can be saved / loaded (a specialisation may omit the flags).
template <class T>
concept Saveable = requires { requires product_traits<T>::saveable; };
template <class T>
concept Loadable = requires { requires product_traits<T>::loadable; };

/// The extension product_traits<T> declares for saved products, or "" (then the input's).
template <class T>
constexpr std::string_view product_extension() {
    if constexpr (requires { product_traits<T>::extension; }) return product_traits<T>::extension;
    else return {};
}

/// One-line human summary of a product, if product_traits<T> provides `summary(const T&)`.
template <class T>
std::string product_summary(const T& value) {
    if constexpr (requires { product_traits<T>::summary(value); }) return product_traits<T>::summary(value);
    else return {};
}
}  // namespace orrery
