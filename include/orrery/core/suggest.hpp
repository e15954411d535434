#pragma once
/// "Did you mean" for unknown names: the candidates within a small edit distance
/// of what the user typed, closest first. Used by messages that must not name a
/// program (the core cannot know whether it runs in `orrery`, a user's own tool or
/// a notebook).

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace orrery {

/// Levenshtein distance with adjacent transpositions (optimal string alignment).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t substitution = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitution});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        prev2.swap(prev);
        prev.swap(cur);
    }
    return prev[m];
}

/// Candidates close to `typed` (distance at most a third of its length, at least
/// 1), closest first, ties in the candidates' order.
inline std::vector<std::string> close_names(std::string_view typed, const std::vector<std::string>& candidates) {
    const std::size_t limit = std::max<std::size_t>(1, typed.size() / 3);
    std::vector<std::pair<std::size_t, std::string>> hits;
    for (const auto& c : candidates)
        if (const std::size_t d = edit_distance(typed, c); d <= limit) hits.emplace_back(d, c);
    std::stable_sort(hits.begin(), hits.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (auto& h : hits) out.push_back(std::move(h.second));
    return out;
}

/// " (did you mean 'x'?)", " (did you mean 'x' or 'y'?)", or "" when nothing is close.
inline std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates) {
    const auto near = close_names(typed, candidates);
    if (near.empty()) return {};
    std::string out = " (did you mean '" + near[0] + "'";
    for (std::size_t i = 1; i < near.size() && i < 3; ++i) out += (i + 1 == near.size() || i == 2 ? " or '" : ", '") + near[i] + "'";
    return out + "?)";
}

}  // namespace orrery
