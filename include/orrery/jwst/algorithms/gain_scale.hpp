#pragma once
// gain_scale (docs/algorithms/gain_scale.md): rescale the rate products by GAINFACT for exposures
// taken with a non-standard detector gain.

#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/models.hpp"

#include <optional>

namespace orrery::jwst {

/// stpipe GainScaleStep has no parameters of its own.
struct GainScaleParams {};

namespace detail {
template <class Array>
inline void scale_array(Array& a, float factor) {
    for (float& v : a) v *= factor;
}

/// SCI, ERR *= gf; VAR_POISSON, VAR_RNOISE *= gf^2 (gf and gf^2 rounded to float32, as
/// numpy does for a float32 array times a Python float); records GAINFACT.
template <class Model>
inline StepOutcome gain_scale_model(Model& model, const GainRef* gain) {
    std::optional<double> factor = model.meta.gain_factor;
    if (!factor && gain) factor = gain->gain_factor;
    if (!factor) return StepOutcome::skip(gain ? "GAINFACT not found in gain reference file" : "no gain factor and no GAIN reference");
    const double gf = *factor;
    scale_array(model.sci, static_cast<float>(gf));
    scale_array(model.err, static_cast<float>(gf));
    if constexpr (requires { model.var_poisson; }) {  // a ramp has no variances
        scale_array(model.var_poisson, static_cast<float>(gf * gf));  // empty arrays: nothing to do
        scale_array(model.var_rnoise, static_cast<float>(gf * gf));
    }
    model.meta.gain_factor = gf;
    model.primary.set("GAINFACT", gf);
    return StepOutcome::complete();
}
}  // namespace detail

/// Scales the rate product in place. The factor is meta.gain_factor (set by ramp_fit from the
/// GAIN reference) or else `gain->gain_factor`; with neither (or gain == nullptr, "N/A") the
/// step is skipped and nothing changes.
inline StepOutcome apply_gain_scale(RateModel& model, const GainRef* gain, const GainScaleParams& /*params*/ = {}) {
    return detail::gain_scale_model(model, gain);
}

/// The same for the per-integration product.
inline StepOutcome apply_gain_scale(RateIntsModel& model, const GainRef* gain, const GainScaleParams& /*params*/ = {}) {
    return detail::gain_scale_model(model, gain);
}

/// The same for a calibrated ramp (ramp_fit skipped): SCI and ERR.
inline StepOutcome apply_gain_scale(RampModel& model, const GainRef* gain, const GainScaleParams& /*params*/ = {}) {
    return detail::gain_scale_model(model, gain);
}

}  // namespace orrery::jwst
