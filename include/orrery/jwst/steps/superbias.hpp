#pragma once
// superbias: subtract the SUPERBIAS reference from every group.

#include "orrery/jwst/algorithms/superbias.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct SuperBiasStep {
    static constexpr std::string_view name = "superbias";
    static constexpr std::string_view class_name = "jwst.superbias.SuperBiasStep";
    static constexpr std::string_view description = "Subtract the superbias reference image";
    static constexpr std::string_view status_key = "superbias";
    static constexpr std::array<std::string_view, 1> reference_types{"superbias"};
    using Params = SuperbiasParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        const auto bias = load_reference<SuperbiasRef>(ctx, "superbias", model);
        if (!bias) {
            ctx.skip_step("no SUPERBIAS reference file (N/A)");
            return model;
        }
        subtract_superbias(model, *bias, p);
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::SuperbiasParams)
ORRERY_REGISTER_STEP(orrery::jwst::SuperBiasStep)
