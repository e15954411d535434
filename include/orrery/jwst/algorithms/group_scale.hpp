#pragma once
// group_scale (docs/algorithms/group_scale.md): rescale every group by FRMDIVSR/NFRAMES when the
// on-board frame averaging divided by a power of two other than NFRAMES.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/models.hpp"

#include <cstddef>
#include <string>

namespace orrery::jwst {

/// stpipe GroupScaleStep has no parameters of its own.
struct GroupScaleParams {};

namespace detail {
/// SCI rows [y0, y1) of every integration and group times `scale` (float32 multiply).
inline void scale_ramp_rows(RampModel& model, float scale, std::size_t y0, std::size_t y1) {
    const std::size_t nx = model.nx();
    const std::size_t planes = model.nints() * model.ngroups();
    for (std::size_t p = 0; p < planes; ++p) {
        float* row = model.sci.plane(p) + y0 * nx;
        for (std::size_t k = 0, n = (y1 - y0) * nx; k < n; ++k) row[k] *= scale;
    }
}
}  // namespace detail

/// What group_scale will do: skip (with the reason) or multiply SCI by `scale`.
/// Throws InputError when NFRAMES is not positive (see apply_group_scale).
struct GroupScalePlan {
    StepOutcome outcome;
    float scale = 1.0f;
};
inline GroupScalePlan plan_group_scale(const RampModel& model) {
    const bool header_known = !model.primary.cards().empty();
    if (header_known && !model.primary.contains("NFRAMES")) return {StepOutcome::skip("NFRAMES value not found")};
    const int nframes = model.meta.nframes;
    if (!model.meta.frmdivsr) {
        const bool power_of_two = nframes > 0 && (nframes & (nframes - 1)) == 0;
        return {StepOutcome::skip(power_of_two ? "NFRAMES=" + std::to_string(nframes) + " is a power of 2; correction not needed"
                                               : "FRMDIVSR not found; NFRAMES=" + std::to_string(nframes) + " is not a power of 2")};
    }
    const int divisor = *model.meta.frmdivsr;
    if (nframes == divisor) return {StepOutcome::skip("NFRAMES and FRMDIVSR are equal; correction not needed")};
    if (nframes <= 0) throw InputError("group_scale: NFRAMES=" + std::to_string(nframes) + " in the science header is not positive");
    // numpy: float32 array *= Python float -> the scale is rounded to float32 first.
    return {StepOutcome::complete(), static_cast<float>(static_cast<double>(divisor) / nframes)};
}

/// Multiplies SCI in place by float(FRMDIVSR / NFRAMES); DQ untouched.
/// Returns skipped (data unchanged) when NFRAMES or FRMDIVSR is missing or they are equal.
/// NFRAMES counts as missing only when the model carries a primary header without it
/// (a synthetic model with an empty header uses meta.nframes).
/// Throws InputError when NFRAMES is not positive.
/// Row blocks: plan_group_scale once, then detail::scale_ramp_rows on any row ranges.
inline StepOutcome apply_group_scale(RampModel& model, const GroupScaleParams& /*params*/ = {}) {
    const GroupScalePlan plan = plan_group_scale(model);
    if (plan.outcome.skipped) return plan.outcome;
    detail::scale_ramp_rows(model, plan.scale, 0, model.ny());
    return StepOutcome::complete();
}

}  // namespace orrery::jwst
