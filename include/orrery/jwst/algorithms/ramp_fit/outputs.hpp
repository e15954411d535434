#pragma once
// The arrays a ramp-fit row range writes into, and how one pixel's results from the
// general path (PixelRampFitter) are stored there.

#include "orrery/jwst/algorithms/ramp_fit/exposure_plan.hpp"
#include "orrery/jwst/algorithms/ramp_fit/fitopt_model.hpp"
#include "orrery/jwst/algorithms/ramp_fit/pixel_fit.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <cstddef>

namespace orrery::jwst::rampfit {

/// Output arrays a row range writes into (allocated by allocate_ramp_fit_outputs).
struct RampFitOutputs {
    RateModel& rate;
    RateIntsModel& rateints;
    FitOptModel* fitopt = nullptr;  // non-null with save_opt
};

/// Store the results `fitter` holds for flat pixel p (y * nx + x) of the (ny, nx) plane.
inline void store_pixel(const RampFitPlan& plan, const PixelRampFitter& fitter, std::size_t p, const RampFitOutputs& out) {
    const std::size_t plane = plan.ny * plan.nx;
    const RampResult& r = fitter.rate();
    out.rate.sci[p] = static_cast<float>(r.slope);
    out.rate.err[p] = static_cast<float>(r.err);
    out.rate.var_poisson[p] = static_cast<float>(r.var_poisson);
    out.rate.var_rnoise[p] = static_cast<float>(r.var_rnoise);
    out.rate.dq[p] = r.dq;
    for (std::size_t i = 0; i < plan.nints; ++i) {
        const RampResult& ri = fitter.integration(i);
        const std::size_t q = i * plane + p;
        out.rateints.sci[q] = static_cast<float>(ri.slope);
        out.rateints.err[q] = static_cast<float>(ri.err);
        out.rateints.var_poisson[q] = static_cast<float>(ri.var_poisson);
        out.rateints.var_rnoise[q] = static_cast<float>(ri.var_rnoise);
        out.rateints.dq[q] = ri.dq;
    }
    if (!out.fitopt) return;
    FitOptModel& opt = *out.fitopt;
    const std::size_t ns = opt.slope.extent(1), nc = opt.crmag.extent(1);
    for (std::size_t i = 0; i < plan.nints; ++i) {
        opt.pedestal[i * plane + p] = static_cast<float>(fitter.pedestal(i));
        const int nseg = std::min(fitter.segment_count(i), static_cast<int>(ns));
        for (int k = 0; k < nseg; ++k) {
            const SegmentFit& f = fitter.segment_fit(i, k);
            const std::size_t q = (i * ns + static_cast<std::size_t>(k)) * plane + p;
            opt.slope[q] = static_cast<float>(f.slope);
            opt.sigslope[q] = static_cast<float>(f.sigslope);
            opt.var_poisson[q] = static_cast<float>(f.var_p);
            opt.var_rnoise[q] = static_cast<float>(f.var_r);
            opt.yint[q] = static_cast<float>(f.yint);
            opt.sigyint[q] = static_cast<float>(f.sigyint);
            opt.weights[q] = static_cast<float>(f.weight);
        }
        const int ncr = std::min(fitter.cr_count(i), static_cast<int>(nc));
        for (int k = 0; k < ncr; ++k)
            opt.crmag[(i * nc + static_cast<std::size_t>(k)) * plane + p] = static_cast<float>(fitter.crmag(i, k));
    }
}

}  // namespace orrery::jwst::rampfit
