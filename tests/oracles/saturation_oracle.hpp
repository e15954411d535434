#pragma once
// The serial reference of saturation flagging: whole planes, one pass after the other,
// as stcal flag_saturated_pixels reads. The parity tests hold the product's row-block
// kernel (orrery/jwst/algorithms/saturation.hpp) to these bits for any split.

#include "orrery/jwst/algorithms/saturation.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace orrery::jwst::oracle {

namespace saturation_reference {  // its own scope for the kernel's helper names

using namespace orrery::jwst::detail;

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

/// Thresholds as the passes use them: NaN or NO_SAT_CHECK pixels raised to ATOD_LIMIT+1,
/// plus the translated SATURATION DQ with NO_SAT_CHECK added where the threshold is NaN.
struct SaturationThresholds {
    std::vector<float> threshold;
    std::vector<std::uint8_t> no_sat_check;
    std::vector<std::uint32_t> dq;
};

inline SaturationThresholds prepare_thresholds(const SaturationRef& sat) {
    const std::size_t n = sat.sci.size();
    SaturationThresholds t{std::vector<float>(sat.sci.begin(), sat.sci.end()), std::vector<std::uint8_t>(n, 0),
                           std::vector<std::uint32_t>(sat.dq.begin(), sat.dq.end())};
    for (std::size_t k = 0; k < n; ++k) {
        const bool nan = std::isnan(t.threshold[k]);
        if (nan) t.dq[k] |= dq::NO_SAT_CHECK;
        if (dq::has_all(t.dq[k], dq::NO_SAT_CHECK) || nan) {
            t.no_sat_check[k] = 1;
            t.threshold[k] = atod_limit + 1.0f;
        }
    }
    return t;
}

/// OR `bit` into `plane` wherever the (2n+1)^2 dilation of (plane & bit) is set.
inline void grow_flag(std::uint8_t* plane, std::uint8_t bit, std::size_t ny, std::size_t nx, std::size_t n,
                      std::vector<std::uint8_t>& src, std::vector<std::uint8_t>& grown, std::vector<std::uint8_t>& scratch) {
    const std::size_t np = ny * nx;
    src.resize(np);
    grown.resize(np);
    for (std::size_t k = 0; k < np; ++k) src[k] = (plane[k] & bit) != 0;
    dilate_square(src.data(), grown.data(), ny, nx, n, scratch);
    for (std::size_t k = 0; k < np; ++k)
        if (grown[k]) plane[k] |= bit;
}

/// Flags GROUPDQ in place (SATURATED, AD_FLOOR|DO_NOT_USE, DO_NOT_USE from the read-pattern
/// passes), ORs the SATURATION DQ (incl. NO_SAT_CHECK for NaN thresholds) into PIXELDQ and
/// zeroes bad ZEROFRAME pixels. Runs on raw DN: call before superbias. `bias` (nullptr = none,
/// i.e. 0) is the SUPERBIAS SCI used only by the group-2 pass; its NaNs are not cleaned.
/// Throws InputError for a reference not (ny, nx) or NFRAMES < 1 with use_readpatt.
inline void flag_saturation(RampModel& model, const SaturationRef& sat, const SuperbiasRef* bias,
                            const SaturationParams& params = {}) {
    check_saturation_inputs(model, sat, bias, params);
    const std::size_t ny = model.ny(), nx = model.nx(), np = ny * nx;
    const std::size_t nints = model.nints(), ngroups = model.ngroups();
    const std::size_t grow = params.n_pix_grow_sat > 0 ? static_cast<std::size_t>(params.n_pix_grow_sat) : 0;
    const std::size_t nf = params.use_readpatt ? static_cast<std::size_t>(model.meta.nframes) : 1;
    const SaturationThresholds t = prepare_thresholds(sat);
    const float* T = t.threshold.data();

    std::vector<std::uint8_t> ever(np), flag(np), src, grown, scratch;
    for (std::size_t i = 0; i < nints; ++i) {
        // Pass 1 (forward): cumulative threshold crossing, A/D floor in this group only.
        std::fill(ever.begin(), ever.end(), 0);
        for (std::size_t g = 0; g < ngroups; ++g) {
            const float* s = model.sci.plane(i * ngroups + g);
            std::uint8_t* gdq = model.groupdq.plane(i * ngroups + g);
            for (std::size_t k = 0; k < np; ++k) {
                if (s[k] >= T[k]) ever[k] = 1;  // NaN data never trips
                if (ever[k]) gdq[k] |= g_sat;
                if (s[k] <= 0.0f) gdq[k] |= g_floor | g_dnu;
            }
            if (grow > 0) grow_flag(gdq, g_sat, ny, nx, grow, src, grown, scratch);
        }
        if (!params.use_readpatt) continue;

        // Pass 2 (backward): a group whose threshold, diluted by frame averaging, is crossed just
        // before a SATURATED group saturated part-way through; it becomes DO_NOT_USE (not SATURATED).
        for (std::size_t g = ngroups >= 2 ? ngroups - 1 : 0; g-- > 0;) {
            const double dilution = read_pattern_mean(g, nf) / static_cast<double>((g + 1) * nf);
            if (dilution == 1.0) continue;
            const float* s = model.sci.plane(i * ngroups + g);
            std::uint8_t* gdq = model.groupdq.plane(i * ngroups + g);
            const std::uint8_t* next = model.groupdq.plane(i * ngroups + g + 1);
            for (std::size_t k = 0; k < np; ++k) {
                // float32 threshold times a float64 factor: compared in double, as numpy does.
                const double thr = static_cast<double>(T[k]) * (t.no_sat_check[k] ? 1.0 : dilution);
                flag[k] = static_cast<double>(s[k]) >= thr && (gdq[k] & (g_sat | g_dnu)) == 0 && (next[k] & g_sat) != 0;
            }
            if (grow > 0) {
                grown.resize(np);
                dilate_square(flag.data(), grown.data(), ny, nx, grow, scratch);
                flag.swap(grown);
            }
            for (std::size_t k = 0; k < np; ++k)
                if (flag[k]) gdq[k] |= g_dnu;
        }

        // Pass 3: group 2 (index 1) saturating in its last frame. float32 arithmetic throughout: the
        // golden data ran under numpy 1.24, where a float64 scalar does not promote a float32 array.
        if (ngroups > 2) {
            const float mean0 = static_cast<float>(read_pattern_mean(0, nf));
            const float last2 = static_cast<float>(3 * nf);
            const float nframes1 = static_cast<float>(nf);
            const float* s0 = model.sci.plane(i * ngroups + 0);
            const float* s1 = model.sci.plane(i * ngroups + 1);
            std::uint8_t* dq1 = model.groupdq.plane(i * ngroups + 1);
            const std::uint8_t* dq2 = model.groupdq.plane(i * ngroups + 2);
            for (std::size_t k = 0; k < np; ++k) {
                const float b = bias ? bias->sci[k] : 0.0f;
                const bool below = ((s0[k] - b) / mean0) * last2 + b < T[k];
                const bool jump = (s1[k] - s0[k]) > (T[k] - s0[k]) / nframes1;
                const bool sat_next = (dq2[k] & g_sat) != 0 && (dq1[k] & g_sat) == 0;
                if (below && jump && sat_next) dq1[k] |= g_dnu;
            }
        }
    }

    // ZEROFRAME: saturated (grown) or floor pixels become 0.0, the "bad" marker.
    if (model.meta.zeroframe && model.zeroframe) {
        for (std::size_t i = 0; i < nints; ++i) {
            float* z = model.zeroframe->plane(i);
            for (std::size_t k = 0; k < np; ++k)
                flag[k] = static_cast<std::uint8_t>((z[k] >= T[k] ? g_sat : 0) | (z[k] <= 0.0f ? (g_floor | g_dnu) : 0));
            if (grow > 0) grow_flag(flag.data(), g_sat, ny, nx, grow, src, grown, scratch);
            for (std::size_t k = 0; k < np; ++k)
                if (flag[k]) z[k] = 0.0f;
        }
    }

    for (std::size_t k = 0; k < np; ++k) model.pixeldq[k] |= t.dq[k];
}

}  // namespace saturation_reference

using saturation_reference::dilate_square;
using saturation_reference::flag_saturation;

}  // namespace orrery::jwst::oracle
