#pragma once
// ramp_fit, OLS_C with optimal weighting (docs/algorithms/ramp_fit.md): count rates from
// calibrated ramps, as the rate (2-D) and rateints (3-D) products, plus the
// optional fitopt product.
//
//   RampFitResult fit_ramps(const RampModel&, const GainRef&, const ReadnoiseRef&,
//                           const RampFitParams&);                  // ramp.average_dark_current
//   RampFitResult fit_ramps(..., const RampFitParams&, const AverageDarkCurrent&);  // explicit
//
// The ramp is not modified (firstgroup/lastgroup and one-group suppression are
// applied to per-pixel copies of the group flags). Errors: algorithm "LIKELY" ->
// NotSupportedError; another algorithm -> ParameterError; inconsistent shapes or
// timing -> InputError; nothing to fit (every pixel saturated in group 0 of every
// integration, or MIRI ramps with < 2 usable groups) -> NoScienceError, which is
// where the reference returns no product.
//
// For parallel runs: make_ramp_fit_plan + allocate_ramp_fit_outputs once, then
// fit_ramp_rows (the reference) or fit_ramp_rows_fast (same bits, vectorised clean
// pixels) on disjoint row ranges [y0, y1) (each call owns its scratch); fit_ramps is
// the serial reference.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/ramp_fit/exposure_plan.hpp"
#include "orrery/jwst/algorithms/ramp_fit/fitopt_model.hpp"
#include "orrery/jwst/algorithms/ramp_fit/params.hpp"
#include "orrery/jwst/algorithms/ramp_fit/pixel_fit.hpp"
#include "orrery/jwst/algorithms/ramp_fit/rows.hpp"
#include "orrery/jwst/models.hpp"
#include "orrery/array/ndarray.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace orrery::jwst {

/// What fit_ramps returns.
struct RampFitResult {
    RateProducts products;              // rate + rateints
    std::optional<FitOptModel> fitopt;  // only with save_opt
    std::vector<std::string> notes;     // warnings for the log (ignored group selectors, ...)
};

namespace rampfit {

inline std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

/// Throws unless `params.algorithm` selects OLS_C.
inline void check_algorithm(const RampFitParams& params) {
    const std::string a = upper(params.algorithm);
    if (a == "LIKELY")
        throw NotSupportedError("ramp_fit: algorithm 'LIKELY' is not supported in this version; use OLS_C");
    if (a != "OLS_C")
        throw ParameterError("algorithm", "", "must be 'OLS_C' or 'LIKELY', got '" + params.algorithm + "'");
}

/// Throws InputError when the ramp, references or dark current (may be empty) do not fit together.
inline void check_inputs(const RampModel& ramp, const NdArray<float, 2>& gain, const NdArray<float, 2>& readnoise,
                         const NdArray<float, 2>& dark) {
    const auto& s = ramp.sci.shape();
    const std::string where = "ramp_fit: " + (ramp.filename.empty() ? std::string("input ramp") : ramp.filename);
    if (ramp.sci.empty()) throw InputError(where + ": SCI is empty");
    if (ramp.groupdq.shape() != s)
        throw InputError(where + ": GROUPDQ shape " + shape_text(ramp.groupdq.shape()) + " differs from SCI " + shape_text(s));
    const std::array<std::size_t, 2> plane{s[2], s[3]};
    if (ramp.pixeldq.shape() != plane)
        throw InputError(where + ": PIXELDQ shape " + shape_text(ramp.pixeldq.shape()) + ", expected " + shape_text(plane));
    if (gain.shape() != plane)
        throw InputError(where + ": GAIN SCI shape " + shape_text(gain.shape()) + ", expected " + shape_text(plane));
    if (readnoise.shape() != plane)
        throw InputError(where + ": READNOISE SCI shape " + shape_text(readnoise.shape()) + ", expected " + shape_text(plane));
    if (!dark.empty() && dark.shape() != plane)
        throw InputError(where + ": average dark current shape " + shape_text(dark.shape()) + ", expected " + shape_text(plane));
    if (ramp.zeroframe) {
        const std::array<std::size_t, 3> cube{s[0], s[2], s[3]};
        if (ramp.zeroframe->shape() != cube)
            throw InputError(where + ": ZEROFRAME shape " + shape_text(ramp.zeroframe->shape()) + ", expected " + shape_text(cube));
    }
    if (!(ramp.meta.tgroup > 0.0)) throw InputError(where + ": TGROUP must be > 0, got " + std::to_string(ramp.meta.tgroup));
    if (ramp.meta.nframes < 1) throw InputError(where + ": NFRAMES must be >= 1, got " + std::to_string(ramp.meta.nframes));
    if (ramp.meta.nframes + ramp.meta.groupgap < 1)
        throw InputError(where + ": NFRAMES + GROUPGAP must be >= 1");
}

/// Largest segment and jump counts of any ramp in rows [y0, y1) (sizes the fitopt arrays).
inline void count_fitopt_rows(const RampFitPlan& plan, const RampFitSources& src, std::size_t y0, std::size_t y1,
                              int& max_segments, int& max_crs) {
    PixelRampFitter fitter(plan);
    for (std::size_t y = y0; y < y1; ++y)
        for (std::size_t x = 0; x < plan.nx; ++x) fitter.count(src, y, x, max_segments, max_crs);
}

/// Allocate the products: metadata copied from the ramp. The rate/rateints arrays are left
/// unfilled (the row fits write every element; first touch then happens in the parallel
/// fit); the fitopt arrays are zeroed (unused segment slots stay 0).
/// `max_segments` / `max_crs` size the fitopt arrays (ignored without save_opt).
inline void allocate_ramp_fit_outputs(const RampFitPlan& plan, const RampModel& ramp, const GainRef& gain,
                                      RampFitResult& out, int max_segments = 1, int max_crs = 0) {
    const std::size_t ni = plan.nints, ny = plan.ny, nx = plan.nx;
    RateModel& rate = out.products.rate;
    RateIntsModel& ints = out.products.rateints;
    static_cast<ModelBase&>(rate) = static_cast<const ModelBase&>(ramp);
    static_cast<ModelBase&>(ints) = static_cast<const ModelBase&>(ramp);
    if (gain.gain_factor) rate.meta.gain_factor = ints.meta.gain_factor = gain.gain_factor;
    for (auto* a : {&rate.sci, &rate.err, &rate.var_poisson, &rate.var_rnoise}) a->resize_uninitialized({ny, nx});
    rate.dq.resize_uninitialized({ny, nx});
    for (auto* a : {&ints.sci, &ints.err, &ints.var_poisson, &ints.var_rnoise}) a->resize_uninitialized({ni, ny, nx});
    ints.dq.resize_uninitialized({ni, ny, nx});
    if (!plan.save_opt) return;
    FitOptModel& opt = out.fitopt.emplace();
    static_cast<ModelBase&>(opt) = static_cast<const ModelBase&>(out.products.rateints);
    const std::size_t ns = static_cast<std::size_t>(std::max(1, max_segments));
    for (auto* a : {&opt.slope, &opt.sigslope, &opt.var_poisson, &opt.var_rnoise, &opt.yint, &opt.sigyint, &opt.weights})
        a->resize({ni, ns, ny, nx});
    opt.pedestal.resize({ni, ny, nx});
    opt.crmag.resize({ni, static_cast<std::size_t>(std::max(0, max_crs)), ny, nx});
}

inline RampFitResult fit_ramps_with(const RampModel& ramp, const GainRef& gain, const ReadnoiseRef& readnoise,
                                    const RampFitParams& params, const NdArray<float, 2>& dark_array,
                                    DarkCurrentView dark) {
    check_algorithm(params);
    check_inputs(ramp, gain.sci, readnoise.sci, dark_array);
    RampFitPlan plan = make_ramp_fit_plan(ramp, params);
    const RampFitSources src{ramp, gain.sci, readnoise.sci, dark};

    RampFitResult result;
    int max_segments = 0, max_crs = 0;
    if (plan.save_opt) count_fitopt_rows(plan, src, 0, plan.ny, max_segments, max_crs);
    allocate_ramp_fit_outputs(plan, ramp, gain, result, max_segments, max_crs);

    RampFitOutputs out{result.products.rate, result.products.rateints, result.fitopt ? &*result.fitopt : nullptr};
    fit_ramp_rows(plan, src, 0, plan.ny, out);
    result.notes = std::move(plan.notes);
    return result;
}

}  // namespace rampfit

/// Fit every pixel's ramps (serially), with the ramp's own average_dark_current
/// (empty: 0 everywhere). See the file comment for errors.
inline RampFitResult fit_ramps(const RampModel& ramp, const GainRef& gain, const ReadnoiseRef& readnoise,
                               const RampFitParams& params) {
    return rampfit::fit_ramps_with(ramp, gain, readnoise, params, ramp.average_dark_current,
                                   rampfit::DarkCurrentView::of(ramp.average_dark_current));
}

/// As above with an explicit average dark current (a (ny, nx) array or one value), which
/// replaces ramp.average_dark_current.
inline RampFitResult fit_ramps(const RampModel& ramp, const GainRef& gain, const ReadnoiseRef& readnoise,
                               const RampFitParams& params, const AverageDarkCurrent& dark) {
    return rampfit::fit_ramps_with(ramp, gain, readnoise, params, dark.per_pixel, rampfit::DarkCurrentView::of(dark));
}

}  // namespace orrery::jwst
