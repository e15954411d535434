#pragma once
// Binary dilation of a 2-D mask with a (2n+1)x(2n+1) square (8-connectivity for n = 1),
// pixels outside the image counting as false: the "grow saturation" neighbourhood of
// stcal's _adjacent_pixels. Separable: a row pass then a column pass, each a sliding
// window count, so the cost does not depend on n.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace orrery::jwst::detail {

/// Row y of the dilation of `in` (out[y][x] = 1 if any in[y'][x'] != 0 with |y'-y| <= n and
/// |x'-x| <= n, pixels outside counting as 0) into out[0, nx). Reads rows [y - n, y + n] of `in` only.
/// Returns false, leaving `out` untouched, when the row's dilation is empty (the common
/// case: saturated pixels are sparse), so callers can skip it. `column` is scratch.
inline bool dilate_square_row(const std::uint8_t* in, std::uint8_t* out, std::size_t ny, std::size_t nx, std::size_t n,
                              std::size_t y, std::vector<std::uint8_t>& column) {
    // Vertical pass: OR of rows [y - n, y + n] inside the image, into a buffer padded with
    // n zeros on each side so the horizontal pass needs no bounds tests.
    column.assign(nx + 2 * n, 0);
    std::uint8_t* col = column.data() + n;
    const std::size_t lo = y >= n ? y - n : 0, hi = std::min(ny - 1, y + n);
    std::uint8_t any = 0;
    for (std::size_t r = lo; r <= hi; ++r) {
        const std::uint8_t* src = in + r * nx;
        for (std::size_t x = 0; x < nx; ++x) col[x] |= src[x];
    }
    for (std::size_t x = 0; x < nx; ++x) any |= col[x];
    if (!any) return false;
    // Horizontal pass over [x - n, x + n]: shifted ORs for small n (vectorised), a sliding
    // count beyond (cost independent of n).
    if (n <= 8) {
        for (std::size_t x = 0; x < nx; ++x) out[x] = column[x] != 0;
        for (std::size_t j = 1; j <= 2 * n; ++j) {
            const std::uint8_t* c = column.data() + j;
            for (std::size_t x = 0; x < nx; ++x) out[x] = static_cast<std::uint8_t>(out[x] | (c[x] != 0));
        }
        return true;
    }
    std::size_t count = 0;
    for (std::size_t x = 0; x < std::min(n, nx); ++x) count += col[x] != 0;
    for (std::size_t x = 0; x < nx; ++x) {
        if (x + n < nx) count += col[x + n] != 0;
        if (x > n) count -= col[x - n - 1] != 0;
        out[x] = count != 0;
    }
    return true;
}

/// Rows [y0, y1) of the dilation of `in` (any n >= 0; n = 0 copies in != 0), written to
/// out[(y - y0) * nx + x]. Reads rows [y0 - n, y1 + n) of `in` only, so disjoint row ranges
/// can run concurrently once the whole mask is final. `column` is scratch.
inline void dilate_square_rows(const std::uint8_t* in, std::uint8_t* out, std::size_t ny, std::size_t nx, std::size_t n,
                               std::size_t y0, std::size_t y1, std::vector<std::uint8_t>& column) {
    for (std::size_t y = y0; y < y1; ++y) {
        std::uint8_t* dst = out + (y - y0) * nx;
        if (!dilate_square_row(in, dst, ny, nx, n, y, column)) std::fill_n(dst, nx, std::uint8_t{0});
    }
}

}  // namespace orrery::jwst::detail
