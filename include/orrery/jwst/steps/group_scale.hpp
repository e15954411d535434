#pragma once
// group_scale: rescale frame-averaged data when FRMDIVSR != NFRAMES.

#include "orrery/jwst/algorithms/group_scale.hpp"
#include "orrery/jwst/steps/step_common.hpp"

#include <cstddef>

namespace orrery::jwst {

struct GroupScaleStep {
    static constexpr std::string_view name = "group_scale";
    static constexpr std::string_view class_name = "jwst.group_scale.GroupScaleStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.group_scale.group_scale_step.GroupScaleStep", "jwst.step.GroupScaleStep"};
    static constexpr std::string_view description = "Rescale groups whose frames were averaged with FRMDIVSR != NFRAMES";
    static constexpr std::string_view status_key = "group_scale";
    using Params = GroupScaleParams;
    // A row step: the scale comes from the header only.
    struct RowState {
        float scale = 1.0f;
    };
    static RowState prepare(RampModel& model, const Params&, Context& ctx) {
        const GroupScalePlan plan = plan_group_scale(model);
        report_outcome(ctx, plan.outcome);
        return {plan.scale};
    }
    static void process_rows(RampModel& model, const RowState& s, const Params&, std::size_t y0, std::size_t y1) {
        detail::scale_ramp_rows(model, s.scale, y0, y1);
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::GroupScaleParams)
ORRERY_REGISTER_STEP(orrery::jwst::GroupScaleStep)
