#pragma once
// saturation: flag saturated groups (and A/D floor) from the SATURATION reference.
// Rows run in parallel blocks, the growth of each group's flags after the whole group
// was tested (flag_saturation_rows). Not a row step: the growth reads neighbouring rows.

#include "orrery/jwst/algorithms/saturation.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct SaturationStep {
    static constexpr std::string_view name = "saturation";
    static constexpr std::string_view class_name = "jwst.saturation.SaturationStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.saturation.saturation_step.SaturationStep", "jwst.step.SaturationStep"};
    static constexpr std::string_view description = "Flag saturated and A/D-floor groups";
    static constexpr std::string_view status_key = "saturation";
    static constexpr std::array<std::string_view, 2> reference_types{"saturation", "superbias"};
    using Params = SaturationParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        const auto sat = load_reference<SaturationRef>(ctx, "saturation", model);
        if (!sat) {
            ctx.skip_step("no SATURATION reference file (N/A)");
            return model;
        }
        // The superbias only sharpens the second-group test; "N/A" means a bias of 0.
        const auto bias = load_reference<SuperbiasRef>(ctx, "superbias", model);
        auto for_rows = [&](std::size_t rows, const auto& body) { parallel_rows(ctx, ctx.max_threads(), rows, 16, body); };
        if (ctx.debug_enabled())
            ctx.debug("Saturation: " + debug_text::exposure(model) + "; n_pix_grow_sat=" + std::to_string(p.n_pix_grow_sat) +
                      ", use_readpatt=" + (p.use_readpatt ? "True" : "False") + ", superbias " + (bias ? "used" : "N/A (bias 0)"));
        flag_saturation_rows(model, *sat, bias.get(), p, for_rows);
        if (ctx.debug_enabled())
            ctx.debug("Saturation: " + std::to_string(debug_text::groups_flagged(model, dq::SATURATED)) + " groups in " +
                      std::to_string(debug_text::pixels_flagged(model, dq::SATURATED)) + " pixels flagged SATURATED");
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::SaturationParams,
    (n_pix_grow_sat, "Number of layers of adjacent pixels to flag as saturated", orrery::min(0)),
    (use_readpatt, "Use the grouped read pattern to flag groups that saturated within a group"))
ORRERY_REGISTER_STEP(orrery::jwst::SaturationStep)
