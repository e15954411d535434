#pragma once
// A compile-time string usable as a template argument: pipeline<"name">(...),
// graph<"name">(...), stage<"id">(...). Diagnostics show it as fixed_string<N>{"text"}.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace orrery {

template <std::size_t N>
struct fixed_string {
    char text[N]{};
    constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, text); }
    [[nodiscard]] constexpr std::string_view view() const { return {text, N - 1}; }
};

}  // namespace orrery
