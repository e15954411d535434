#pragma once
// refpix: remove bias drifts measured in the reference pixels (NIR "median" algorithm).
// Planes are corrected in place and in parallel. Not a row step: a plane's correction
// needs its reference rows and columns first.

#include "orrery/jwst/algorithms/refpix.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct RefPixStep {
    static constexpr std::string_view name = "refpix";
    static constexpr std::string_view class_name = "jwst.refpix.RefPixStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.refpix.refpix_step.RefPixStep", "jwst.step.RefPixStep"};
    static constexpr std::string_view description = "Subtract reference-pixel drifts (per-amplifier odd/even means, side running median)";
    static constexpr std::string_view status_key = "refpix";
    // Only the IRS2 and SIRS paths (not supported in this version) read these.
    static constexpr std::array<std::string_view, 2> reference_types{"refpix", "sirskernel"};
    using Params = RefPixParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        auto for_planes = [&](std::size_t n, const auto& body) { ctx.parallel_for(n, body); };
        report_outcome(ctx, subtract_reference_pixels(model, p, for_planes));
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::RefPixParams,
    (odd_even_columns, "Compute reference signal separately for even and odd columns"),
    (use_side_ref_pixels, "Use side reference pixels for reference signal for each row"),
    (side_smoothing_length, "Median window smoothing height for side reference signal", orrery::min(1)),
    (side_gain, "Multiplicative factor for side reference signal before subtracting from rows"),
    (odd_even_rows, "Compute reference signal separately for even- and odd-numbered rows (MIRI)"),
    (ovr_corr_mitigation_ftr, "Factor to avoid overcorrection of intermittently bad reference pixels (IRS2)"),
    (preserve_irs2_refpix, "Preserve reference pixels in output (IRS2)"),
    (irs2_mean_subtraction, "Apply a mean offset subtraction before IRS2 correction"),
    (refpix_algorithm, "The ref pixel algorithm to use for full-frame NIR data", orrery::one_of("median|sirs")),
    (sigreject, "Number of sigmas to reject as outliers (SIRS)"),
    (gaussmooth, "Width of Gaussian smoothing kernel to use as a low-pass filter (SIRS)"),
    (halfwidth, "Half-width of convolution kernel to build (SIRS)"),
    (siglimit, "Sigma-clipping limit for the reference-pixel means"))
ORRERY_REGISTER_STEP(orrery::jwst::RefPixStep)
