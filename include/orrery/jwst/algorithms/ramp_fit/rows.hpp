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

/// Group flags of row y OR-ed over every group of every integration, plane by plane
/// (sequential reads): 0 marks a pixel with no flag anywhere in its ramps.
inline void or_row_flags(const RampFitPlan& plan, const RampModel& ramp, std::size_t y, std::uint8_t* flags) noexcept {
    const std::size_t plane = plan.ny * plan.nx, nx = plan.nx;
    const std::uint8_t* row = ramp.groupdq.data() + y * nx;
    for (std::size_t x = 0; x < nx; ++x) flags[x] = row[x];
    for (std::size_t g = 1; g < plan.nints * plan.ngroups_in; ++g) {
        const std::uint8_t* r = row + g * plane;
        for (std::size_t x = 0; x < nx; ++x) flags[x] |= r[x];
    }
}

/// fit_ramp_rows with the clean pixels on the CleanRampBlock kernel (same products bit
/// for bit): per row, the group flags are OR-ed plane by plane, then blocks of adjacent
/// pixels with at least one eligible pixel go through the kernel, and every pixel the
/// kernel did not take (flags, PIXELDQ, gain, NaN differences, odd last column) through
/// PixelRampFitter.
inline void fit_ramp_rows_fast(const RampFitPlan& plan, const RampFitSources& src, std::size_t y0, std::size_t y1,
                               const RampFitOutputs& out) {
    using Kernel = CleanRampBlock;
    if (out.fitopt || !Kernel::applies(plan)) return fit_ramp_rows(plan, src, y0, y1, out);
    Kernel kernel(plan);
    PixelRampFitter fitter(plan);
    const std::size_t nx = plan.nx, plane = plan.ny * nx, planes = plan.nints * plan.ngroups_in;
    std::vector<std::uint8_t> flags(nx);
    for (std::size_t y = y0; y < y1; ++y) {
        or_row_flags(plan, src.ramp, y, flags.data());
        for (std::size_t x = 0; x < nx; x += Kernel::block) {
            // One stream per group plane: fetch a block ahead (no effect on results).
            if (x + 2 * Kernel::block <= nx)
                for (std::size_t g = 0; g < planes; ++g)
                    for (std::size_t c = 0; c < Kernel::block; c += 16)
                        __builtin_prefetch(src.ramp.sci.data() + g * plane + y * nx + x + Kernel::block + c);
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
                    fitter.fit(src, y, x + k);
                    store_pixel(plan, fitter, p + k, out);
                }
        }
    }
}

}  // namespace orrery::jwst::rampfit
