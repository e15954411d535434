#pragma once
// linearity: classic polynomial linearity correction from the LINEARITY reference.

#include "orrery/jwst/algorithms/linearity.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct LinearityStep {
    static constexpr std::string_view name = "linearity";
    static constexpr std::string_view class_name = "jwst.linearity.LinearityStep";
    static constexpr std::string_view description = "Correct the ramps for detector non-linearity";
    static constexpr std::string_view status_key = "linearity";
    static constexpr std::array<std::string_view, 1> reference_types{"linearity"};
    using Params = LinearityParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        const auto lin = load_reference<LinearityRef>(ctx, "linearity", model);
        if (!lin) {
            ctx.skip_step("no LINEARITY reference file (N/A)");
            return model;
        }
        correct_linearity(model, *lin, p);
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::LinearityParams)
ORRERY_REGISTER_STEP(orrery::jwst::LinearityStep)
