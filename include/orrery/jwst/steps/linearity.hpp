#pragma once
// linearity: classic polynomial linearity correction from the LINEARITY reference.

#include "orrery/jwst/algorithms/linearity.hpp"
#include "orrery/jwst/steps/step_common.hpp"

#include <cstddef>
#include <memory>
#include <optional>

namespace orrery::jwst {

struct LinearityStep {
    static constexpr std::string_view name = "linearity";
    static constexpr std::string_view class_name = "jwst.linearity.LinearityStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.linearity.linearity_step.LinearityStep", "jwst.step.LinearityStep"};
    static constexpr std::string_view description = "Correct the ramps for detector non-linearity";
    static constexpr std::string_view status_key = "linearity";
    static constexpr std::array<std::string_view, 1> reference_types{"linearity"};
    using Params = LinearityParams;
    // A row step: the LINEARITY reference is read and checked once (coefficient fixes are per row).
    struct RowState {
        std::shared_ptr<const LinearityRef> lin;
        bool read_level = false;
    };
    static RowState prepare(RampModel& model, const Params&, Context& ctx) {
        RowState s{load_reference<LinearityRef>(ctx, "linearity", model)};
        if (!s.lin) ctx.skip_step("no LINEARITY reference file (N/A)");
        else s.read_level = prepare_linearity(model, *s.lin);
        return s;
    }
    static void process_rows(RampModel& model, const RowState& s, const Params&, std::size_t y0, std::size_t y1) {
        detail::correct_linearity_rows(model, *s.lin, s.read_level, y0, y1);
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::LinearityParams)
ORRERY_REGISTER_STEP(orrery::jwst::LinearityStep)
