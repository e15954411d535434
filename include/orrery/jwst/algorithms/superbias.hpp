#pragma once
// superbias (docs/algorithms/superbias.md): subtract the superbias image from every group, NaN bias
// counting as 0, and propagate the bias DQ into PIXELDQ.

#include "orrery/jwst/algorithms/reference_shape.hpp"
#include "orrery/jwst/models.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace orrery::jwst {

/// stpipe SuperBiasStep has no parameters of its own.
struct SuperbiasParams {};

namespace detail {
inline float clean_bias(float b) { return std::isnan(b) ? 0.0f : b; }

/// Rows [y0, y1): PIXELDQ |= bias DQ; SCI -= bias (float32); ZEROFRAME likewise, zeros stay 0.
inline void subtract_superbias_rows(RampModel& model, const SuperbiasRef& bias, std::size_t y0, std::size_t y1) {
    const std::size_t nx = model.nx();
    const std::size_t k0 = y0 * nx, k1 = y1 * nx;
    const float* b = bias.sci.data();
    for (std::size_t k = k0; k < k1; ++k) model.pixeldq[k] |= bias.dq[k];
    const std::size_t planes = model.nints() * model.ngroups();
    for (std::size_t p = 0; p < planes; ++p) {
        float* s = model.sci.plane(p);
        for (std::size_t k = k0; k < k1; ++k) s[k] -= clean_bias(b[k]);
    }
    if (model.meta.zeroframe && model.zeroframe) {
        for (std::size_t i = 0; i < model.zeroframe->extent(0); ++i) {
            float* z = model.zeroframe->plane(i);
            for (std::size_t k = k0; k < k1; ++k)
                z[k] = z[k] == 0.0f ? 0.0f : z[k] - clean_bias(b[k]);  // 0 marks bad ZEROFRAME data
        }
    }
}
}  // namespace detail

/// Throws InputError when the superbias SCI/DQ or ZEROFRAME is not (.., ny, nx).
/// Row blocks: check_superbias once, then detail::subtract_superbias_rows on any row ranges.
inline void check_superbias(const RampModel& model, const SuperbiasRef& bias) {
    detail::require_science_plane("SUPERBIAS", bias, "SCI", bias.sci, model);
    detail::require_science_plane("SUPERBIAS", bias, "DQ", bias.dq, model);
    detail::require_zeroframe_shape("superbias", model);
}

inline void subtract_superbias(RampModel& model, const SuperbiasRef& bias, const SuperbiasParams& /*params*/ = {}) {
    check_superbias(model, bias);
    detail::subtract_superbias_rows(model, bias, 0, model.ny());
}

}  // namespace orrery::jwst
