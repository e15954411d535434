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

/// out[y][x] = 1 if any in[y'][x'] != 0 with |y'-y| <= n and |x'-x| <= n (n >= 1).
/// `in` and `out` are (ny, nx) row-major and may not alias; `scratch` is resized as needed.
inline void dilate_square(const std::uint8_t* in, std::uint8_t* out, std::size_t ny, std::size_t nx, std::size_t n,
                          std::vector<std::uint8_t>& scratch) {
    scratch.assign(ny * nx, 0);
    // Row pass: scratch[y][x] = any(in[y][x-n .. x+n]).
    for (std::size_t y = 0; y < ny; ++y) {
        const std::uint8_t* src = in + y * nx;
        std::uint8_t* dst = scratch.data() + y * nx;
        std::size_t count = 0;  // set pixels in the window [x-n, x+n] ∩ [0, nx)
        for (std::size_t x = 0; x < std::min(n, nx); ++x) count += src[x] != 0;
        for (std::size_t x = 0; x < nx; ++x) {
            if (x + n < nx) count += src[x + n] != 0;
            if (x > n) count -= src[x - n - 1] != 0;
            dst[x] = count != 0;
        }
    }
    // Column pass over the row-dilated mask.
    std::vector<std::size_t> count(nx, 0);
    for (std::size_t y = 0; y < std::min(n, ny); ++y)
        for (std::size_t x = 0; x < nx; ++x) count[x] += scratch[y * nx + x];
    for (std::size_t y = 0; y < ny; ++y) {
        if (y + n < ny)
            for (std::size_t x = 0; x < nx; ++x) count[x] += scratch[(y + n) * nx + x];
        if (y > n)
            for (std::size_t x = 0; x < nx; ++x) count[x] -= scratch[(y - n - 1) * nx + x];
        std::uint8_t* dst = out + y * nx;
        for (std::size_t x = 0; x < nx; ++x) dst[x] = count[x] != 0;
    }
}

}  // namespace orrery::jwst::detail
