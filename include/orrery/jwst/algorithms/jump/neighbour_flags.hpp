#pragma once
// Jump post-processing (stcal twopoint_difference.py flag_four_neighbors, transient_jumps):
// flag the 4 neighbours of significant jumps, and the groups right after large jumps.
// Both use the signed difference d, the pixel's median and sigma from before detection.

#include "orrery/jwst/algorithms/jump/two_point_difference.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace orrery::jwst::jump_detail {

/// Rows [y0, y1) of an (ny, nx) frame: the part of the detector one find_crs call sees.
struct RowSlice {
    std::size_t y0 = 0, y1 = 0, nx = 0;
    [[nodiscard]] std::size_t rows() const { return y1 - y0; }
    [[nodiscard]] std::size_t pixels() const { return rows() * nx; }
};

/// Seeds of difference plane (i, k) for slice rows [r0, r1): JUMP already set on group k+1
/// and min_sigma < |d - median| / sigma < max_sigma (strict both sides). seeds is indexed
/// like `noise`, (y - slice.y0)*nx + x.
inline void neighbour_seeds(const PixelRamp& plane0, const float* gain, const PixelNoise* noise, const RowSlice& slice,
                            std::size_t r0, std::size_t r1, std::size_t i, std::size_t k, double min_sigma,
                            double max_sigma, std::uint8_t* seeds) {
    for (std::size_t y = r0; y < r1; ++y)
        for (std::size_t x = 0; x < slice.nx; ++x) {
            const std::size_t p = y * slice.nx + x, local = (y - slice.y0) * slice.nx + x;
            PixelRamp px = plane0;
            px.sci += p;
            px.gdq += p;
            px.gain = gain[p];
            bool seed = false;
            if (px.dq_after(i, k) & g_jump) {
                const double ratio = std::fabs(first_difference(px, i, k) - noise[local].median) / noise[local].sigma;
                seed = ratio < max_sigma && ratio > min_sigma;
            }
            seeds[local] = seed ? 1 : 0;
        }
}

/// OR JUMP into group plane `groupdq` (the later group of the difference) at every seed and
/// its up/down/left/right neighbours inside the slice, for rows [r0, r1), unless the
/// group is SATURATED or DO_NOT_USE there. Seeds must all be computed first (no cascade).
inline void flag_neighbours(std::uint8_t* groupdq, const std::uint8_t* seeds, const RowSlice& slice, std::size_t r0,
                            std::size_t r1) {
    const std::size_t nx = slice.nx;
    for (std::size_t y = r0; y < r1; ++y) {
        const std::uint8_t* row = seeds + (y - slice.y0) * nx;
        const std::uint8_t* above = y > slice.y0 ? row - nx : nullptr;
        const std::uint8_t* below = y + 1 < slice.y1 ? row + nx : nullptr;
        std::uint8_t* out = groupdq + y * nx;
        for (std::size_t x = 0; x < nx; ++x) {
            const bool hit = row[x] || (x > 0 && row[x - 1]) || (x + 1 < nx && row[x + 1]) || (above && above[x]) ||
                             (below && below[x]);
            if (hit && (out[x] & (g_sat | g_dnu)) == 0) out[x] |= g_jump;
        }
    }
}

/// After-jump settings: jumps with d - median >= e (electrons) flag the next n groups.
struct AfterJumpRule {
    float e = 0;       // after_jump_flag_dn * nanmedian(gain), float32 (numpy 2 scalar rules)
    long long n = 0;   // int(after_jump_flag_time // TGROUP)
};

/// stcal transient_jumps for one pixel (s.d holds its differences): in each integration,
/// a group with JUMP whose difference minus the median reaches rule.e starts a run of
/// JUMP over the next rule.n groups (to the end at most), skipping SATURATED/DO_NOT_USE
/// groups. Seeds are taken from the flags as they were before this pass.
inline void flag_after_jumps(const PixelRamp& px, double median, const AfterJumpRule& r1, const AfterJumpRule& r2,
                             const double* d) {
    const std::size_t nd = px.ndiff();
    const long long last = static_cast<long long>(px.ngroups) - 1;
    for (std::size_t i = 0; i < px.nints; ++i) {
        long long until = -1;  // groups up to here are covered by an earlier seed
        for (std::size_t g = 1; g < px.ngroups; ++g) {
            std::uint8_t& q = px.gdq[px.offset(i, g)];
            if (q & g_jump) {
                const double ejump = d[i * nd + (g - 1)] - median;
                const long long gg = static_cast<long long>(g);
                if (ejump >= static_cast<double>(r1.e)) until = std::max(until, gg + std::max(r1.n, 0LL));
                if (ejump >= static_cast<double>(r2.e)) until = std::max(until, gg + std::max(r2.n, 0LL));
            }
            if (static_cast<long long>(g) <= std::min(until, last) && (q & (g_sat | g_dnu)) == 0) q |= g_jump;
        }
    }
}

}  // namespace orrery::jwst::jump_detail
