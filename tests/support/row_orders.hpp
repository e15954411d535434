#pragma once
// Row loops for tests of row-parallel kernels: `for_rows(n, body(y0, y1))` as the steps'
// parallel loops call it. The scrambled one runs uneven blocks of 1-3 rows, last first,
// so a kernel that depends on block size or order gives other results.

#include <cstddef>
#include <utility>
#include <vector>

namespace orrery::test {

/// The whole range at once, as a serial loop.
inline constexpr auto serial_rows = [](std::size_t n, auto&& body) { body(std::size_t{0}, n); };

/// Blocks of 1-3 rows, in reverse order.
inline constexpr auto scrambled_rows = [](std::size_t n, auto&& body) {
    std::vector<std::pair<std::size_t, std::size_t>> blocks;
    for (std::size_t y = 0, k = 0; y < n; ++k) {
        const std::size_t e = y + 1 + k % 3 < n ? y + 1 + k % 3 : n;
        blocks.emplace_back(y, e);
        y = e;
    }
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) body(it->first, it->second);
};

}  // namespace orrery::test
