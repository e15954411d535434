#pragma once
// Row loops of OLS_C ramp fitting: rows [y0, y1) into the outputs. Rows are
// independent, so disjoint ranges may run concurrently.
//
//   fit_ramp_rows       every pixel through the general PixelRampFitter: the reference.
//   fit_ramp_rows_fast  the same products bit for bit: clean pixels (no group flag; the
//                       vast majority) on the vectorised CleanRampLanes kernel, every
//                       other pixel through PixelRampFitter.

#include "orrery/jwst/algorithms/ramp_fit/clean_lanes.hpp"
#include "orrery/jwst/algorithms/ramp_fit/exposure_plan.hpp"
#include "orrery/jwst/algorithms/ramp_fit/outputs.hpp"
#include "orrery/jwst/algorithms/ramp_fit/pixel_fit.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace orrery::jwst::rampfit {

/// Fit rows [y0, y1) into `out`, every pixel through the general path.
inline void fit_ramp_rows(const RampFitPlan& plan, const RampFitSources& src, std::size_t y0, std::size_t y1,
                          const RampFitOutputs& out) {
    PixelRampFitter fitter(plan);
    const std::size_t plane = plan.ny * plan.nx;
    const std::size_t planes = plan.nints * plan.ngroups_in;
    for (std::size_t y = y0; y < y1; ++y) {
        for (std::size_t x = 0; x < plan.nx; ++x) {
            // A pixel reads every group plane: too many streams for the hardware prefetchers,
            // so fetch the next cache lines of each plane ahead (no effect on results).
            if (x % 16 == 0 && x + 64 < plan.nx)
                for (std::size_t g = 0; g < planes; ++g) {
                    __builtin_prefetch(src.ramp.sci.data() + g * plane + y * plan.nx + x + 64);
                    if (x % 64 == 0) __builtin_prefetch(src.ramp.groupdq.data() + g * plane + y * plan.nx + x + 64);
                }
            fitter.fit(src, y, x);
            store_pixel(plan, fitter, y * plan.nx + x, out);
        }
    }
}

/// Group flags of row y OR-ed and AND-ed over every group of every integration, plane by
/// plane (sequential reads): any == 0 marks a pixel with no flag anywhere in its ramps,
/// any == all == DO_NOT_USE one whose every group is exactly DO_NOT_USE.
inline void row_flags(const RampFitPlan& plan, const RampModel& ramp, std::size_t y, std::uint8_t* any, std::uint8_t* all) noexcept {
    const std::size_t plane = plan.ny * plan.nx, nx = plan.nx;
    const std::uint8_t* row = ramp.groupdq.data() + y * nx;
    for (std::size_t x = 0; x < nx; ++x) any[x] = all[x] = row[x];
    for (std::size_t g = 1; g < plan.nints * plan.ngroups_in; ++g) {
        const std::uint8_t* r = row + g * plane;
        for (std::size_t x = 0; x < nx; ++x) {
            any[x] |= r[x];
            all[x] &= r[x];
        }
    }
}

/// What PixelRampFitter gives a pixel whose every group is exactly DO_NOT_USE (reference
/// pixels; no ZEROFRAME stand-in): no segment, so every integration and the exposure are
/// DO_NOT_USE with NaN slope and zero variances and error; DQ = PIXELDQ (with the bad-gain
/// flags) | DO_NOT_USE.
inline void store_all_do_not_use(const RampFitPlan& plan, const RampFitSources& src, std::size_t p, const RampFitOutputs& out) noexcept {
    std::uint32_t dq = src.ramp.pixeldq[p] | dq::DO_NOT_USE;
    const float gain = src.gain[p];
    if (!(gain > 0.0f)) dq |= dq::NO_GAIN_VALUE;  // <= 0 or NaN, as PixelRampFitter::load
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    auto put = [&](auto& model, std::size_t q) {
        model.sci[q] = nan;
        model.err[q] = model.var_poisson[q] = model.var_rnoise[q] = 0.0f;
        model.dq[q] = dq;
    };
    put(out.rate, p);
    for (std::size_t i = 0; i < plan.nints; ++i) put(out.rateints, i * plan.ny * plan.nx + p);
}

/// fit_ramp_rows with the clean pixels on the CleanRampBlock kernel (same products bit
/// for bit): per row, the group flags are OR-ed plane by plane, then blocks of adjacent
/// pixels with at least one eligible pixel go through the kernel; pixels whose groups are
/// all DO_NOT_USE get store_all_do_not_use, and every other pixel the kernel did not take
/// (flags, PIXELDQ, gain, NaN differences, odd last column) goes through PixelRampFitter.
inline void fit_ramp_rows_fast(const RampFitPlan& plan, const RampFitSources& src, std::size_t y0, std::size_t y1,
                               const RampFitOutputs& out) {
    using Kernel = CleanRampBlock;
    if (out.fitopt || !Kernel::applies(plan)) return fit_ramp_rows(plan, src, y0, y1, out);
    Kernel kernel(plan);
    PixelRampFitter fitter(plan);
    const std::size_t nx = plan.nx, plane = plan.ny * nx, planes = plan.nints * plan.ngroups_in;
    std::vector<std::uint8_t> flags(nx), all_flags(nx);
    const bool dnu_shortcut = !plan.use_zeroframe;  // else a ZEROFRAME value may stand in for group 0
    for (std::size_t y = y0; y < y1; ++y) {
        row_flags(plan, src.ramp, y, flags.data(), all_flags.data());
        for (std::size_t x = 0; x < nx; x += Kernel::block) {
            // Short runs in many planes defeat the hardware prefetchers (no effect on results):
            // SCI a block ahead in this row, GROUPDQ of the next row (row_flags reads it whole).
            if (x + 2 * Kernel::block <= nx)
                for (std::size_t g = 0; g < planes; ++g)
                    for (std::size_t c = 0; c < Kernel::block; c += 16)
                        __builtin_prefetch(src.ramp.sci.data() + g * plane + y * nx + x + Kernel::block + c);
            if (y + 1 < plan.ny && x % 64 == 0)
                for (std::size_t g = 0; g < planes; ++g) __builtin_prefetch(src.ramp.groupdq.data() + g * plane + (y + 1) * nx + x);
            const std::size_t p = y * nx + x;
            const std::size_t count = std::min(Kernel::block, nx - x) & ~std::size_t{1};
            std::uint64_t take = 0;
            for (std::size_t k = 0; k < count; ++k)
                if (Kernel::eligible(flags[x + k], src.ramp.pixeldq[p + k], src.gain[p + k], src.readnoise[p + k],
                                     src.dark.per_pixel ? src.dark.per_pixel[p + k] : src.dark.value))
                    take |= std::uint64_t{1} << k;
            if (take) take &= kernel.fit(src, p, count, out);
            for (std::size_t k = 0; k < std::min(Kernel::block, nx - x); ++k)
                if (!(take >> k & 1u)) {  // overwrites what the kernel wrote there
                    if (dnu_shortcut && flags[x + k] == dq::DO_NOT_USE && all_flags[x + k] == dq::DO_NOT_USE) {
                        store_all_do_not_use(plan, src, p + k, out);
                        continue;
                    }
                    fitter.fit(src, y, x + k);
                    store_pixel(plan, fitter, p + k, out);
                }
        }
    }
}

}  // namespace orrery::jwst::rampfit
