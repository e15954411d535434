#pragma once
// gain_scale: rescale rate products taken with a non-standard gain (GAINFACT).

#include "orrery/jwst/algorithms/gain_scale.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct GainScaleStep {
    static constexpr std::string_view name = "gain_scale";
    static constexpr std::string_view class_name = "jwst.gain_scale.GainScaleStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.gain_scale.gain_scale_step.GainScaleStep", "jwst.step.GainScaleStep"};
    static constexpr std::string_view description = "Rescale count rates by the GAINFACT of a non-standard gain setting";
    static constexpr std::string_view status_key = "gain_scale";
    static constexpr std::array<std::string_view, 1> reference_types{"gain"};
    using Params = GainScaleParams;
    static RateProducts process(RateProducts products, const Params& p, Context& ctx) {
        if (products.unfitted) {  // ramp_fit skipped: jwst scales the ramp it passed on
            RampModel& ramp = *products.unfitted;
            std::shared_ptr<const GainRef> gain;
            if (!ramp.meta.gain_factor) gain = load_reference<GainRef>(ctx, "gain", ramp);
            report_outcome(ctx, apply_gain_scale(ramp, gain.get(), p));
            return products;
        }
        std::shared_ptr<const GainRef> gain;
        if (!products.rate.meta.gain_factor) gain = load_reference<GainRef>(ctx, "gain", products.rate);
        const StepOutcome rate = apply_gain_scale(products.rate, gain.get(), p);
        apply_gain_scale(products.rateints, gain.get(), p);
        report_outcome(ctx, rate);
        return products;
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::GainScaleParams)
ORRERY_REGISTER_STEP(orrery::jwst::GainScaleStep)
