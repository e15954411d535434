#pragma once
// superbias: subtract the SUPERBIAS reference from every group.

#include "orrery/jwst/algorithms/superbias.hpp"
#include "orrery/jwst/steps/step_common.hpp"

#include <cstddef>
#include <memory>
#include <optional>

namespace orrery::jwst {

struct SuperBiasStep {
    static constexpr std::string_view name = "superbias";
    static constexpr std::string_view class_name = "jwst.superbias.SuperBiasStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.superbias.superbias_step.SuperBiasStep", "jwst.step.SuperBiasStep"};
    static constexpr std::string_view description = "Subtract the superbias reference image";
    static constexpr std::string_view status_key = "superbias";
    static constexpr std::array<std::string_view, 1> reference_types{"superbias"};
    using Params = SuperbiasParams;
    // A row step: the SUPERBIAS is read and checked once, then subtracted by rows.
    struct RowState {
        std::shared_ptr<const SuperbiasRef> bias;
    };
    static RowState prepare(RampModel& model, const Params&, Context& ctx) {
        RowState s{load_reference<SuperbiasRef>(ctx, "superbias", model)};
        if (!s.bias) ctx.skip_step("no SUPERBIAS reference file (N/A)");
        else check_superbias(model, *s.bias);
        return s;
    }
    static void process_rows(RampModel& model, const RowState& s, const Params&, std::size_t y0, std::size_t y1) {
        detail::subtract_superbias_rows(model, *s.bias, y0, y1);
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::SuperbiasParams)
ORRERY_REGISTER_STEP(orrery::jwst::SuperBiasStep)
