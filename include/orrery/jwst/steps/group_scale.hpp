#pragma once
// group_scale: rescale frame-averaged data when FRMDIVSR != NFRAMES.

#include "orrery/jwst/algorithms/group_scale.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct GroupScaleStep {
    static constexpr std::string_view name = "group_scale";
    static constexpr std::string_view class_name = "jwst.group_scale.GroupScaleStep";
    static constexpr std::string_view description = "Rescale groups whose frames were averaged with FRMDIVSR != NFRAMES";
    static constexpr std::string_view status_key = "group_scale";
    using Params = GroupScaleParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        report_outcome(ctx, apply_group_scale(model, p));
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::GroupScaleParams)
ORRERY_REGISTER_STEP(orrery::jwst::GroupScaleStep)
