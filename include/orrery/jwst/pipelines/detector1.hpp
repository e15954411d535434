#pragma once
// calwebb_detector1 as a static pipeline: raw ramps -> rate + rateints.
//
//   (group_scale + dq_init) -> [near-IR]  saturation -> ipc -> superbias -> refpix -> (linearity + dark_current)
//                              [MIRI]     stop: not supported in this version (fails clearly); then the
//                                         MIRI-only steps emicorr, firstframe, lastframe, reset, rscd
//   -> charge_migration -> jump -> picture_frame -> clean_flicker_noise -> persistence
//   -> (save _ramp if save_calibrated_ramp) -> ramp_fit -> gain_scale
//
// Every child of jwst's Detector1Pipeline is a child here, with every parameter, so
// that parameter files jwst writes load; the MIRI-only ones are never reached (near-IR
// data take the other branch, MIRI data stop first). Parameter files and `describe`
// list the children in jwst's step_defs order (step_order), which is not the run order.
//
// (a + b): row steps run fused, block by block (orrery::fused; step by step when one
// of them has hooks or save_results). superbias is a row step too, but its neighbours
// are not: it runs alone, its rows in parallel blocks.
//
// Default-skipped as in jwst: charge_migration, picture_frame, clean_flicker_noise,
// persistence, emicorr and firstframe. The whole chain is type-checked at compile
// time and inlined into the caller.

#include "orrery/jwst/steps/charge_migration.hpp"
#include "orrery/jwst/steps/dark_current.hpp"
#include "orrery/jwst/steps/dq_init.hpp"
#include "orrery/jwst/steps/gain_scale.hpp"
#include "orrery/jwst/steps/group_scale.hpp"
#include "orrery/jwst/steps/ipc.hpp"
#include "orrery/jwst/steps/jump.hpp"
#include "orrery/jwst/steps/linearity.hpp"
#include "orrery/jwst/steps/not_implemented.hpp"
#include "orrery/jwst/steps/ramp_fit.hpp"
#include "orrery/jwst/steps/refpix.hpp"
#include "orrery/jwst/steps/saturation.hpp"
#include "orrery/jwst/steps/superbias.hpp"

namespace orrery::jwst {

struct Detector1Params {
    bool save_calibrated_ramp = false;
    ORRERY_REFLECT(Detector1Params, (save_calibrated_ramp, "Save the calibrated ramp (<root>_ramp.fits) before ramp fitting"))
};

struct Detector1Pipeline {
    static constexpr std::string_view name = "calwebb_detector1";
    static constexpr std::string_view class_name = "jwst.pipeline.Detector1Pipeline";
    static constexpr std::array<std::string_view, 1> import_paths{"jwst.pipeline.calwebb_detector1.Detector1Pipeline"};
    static constexpr std::string_view description = "Stage 1 processing: raw ramps to count-rate images (rate, rateints)";
    using Params = Detector1Params;

    /// jwst names the product after whether ramp_fit completed: the rates (<root>_rate,
    /// <root>_rateints), or the calibrated ramp when ramp_fit was skipped (<root>_ramp).
    static std::string product_suffix(const RateProducts& result) { return result.fitted() ? "rate" : "ramp"; }

    /// The children as jwst's step_defs lists them (parameter files, describe); the run order differs.
    static constexpr std::array<std::string_view, 20> step_order{
        "group_scale", "dq_init", "emicorr", "saturation", "ipc", "superbias", "refpix", "rscd", "firstframe", "lastframe",
        "linearity", "dark_current", "reset", "persistence", "charge_migration", "jump", "picture_frame", "clean_flicker_noise",
        "ramp_fit", "gain_scale"};

    static bool is_miri(const RampModel& model, Context&) { return model.meta.is_miri(); }

    static void save_calibrated_ramp(RampModel& model, const Params& p, Context& ctx) {
        if (!p.save_calibrated_ramp) return;
        const auto namer = make_output_namer(ctx.run_info().output_file, ctx.run_info().input_filename.empty() ? model.filename : ctx.run_info().input_filename,
                                             ctx.run_info().output_dir, ".fits", std::string(name));
        for (const auto& path : product_traits<RampModel>::save(model, namer, "ramp")) ctx.info("Saved calibrated ramp in " + path.string());
    }

    static auto near_ir() {
        return orrery::chain(SaturationStep{}, IPCStep{}, SuperBiasStep{}, RefPixStep{}, orrery::fused(LinearityStep{}, DarkCurrentStep{}));
    }
    static void stop_miri(RampModel& model, const Params&, Context&) { miri_not_supported(model); }
    static auto miri() {
        // The MIRI order (emicorr, saturation, ipc, firstframe, lastframe, reset, linearity, rscd,
        // dark_current, refpix) needs MIRI-specific steps this version does not have: MIRI data
        // stop here. The MIRI-only steps follow so that they are children of the pipeline
        // (their parameters are accepted on any data), never reached.
        return orrery::chain(orrery::tap<RampModel>(&stop_miri), EmiCorrStep{}, FirstFrameStep{}, LastFrameStep{}, ResetStep{}, RscdStep{});
    }
    static auto chain() {
        return orrery::chain(orrery::fused(GroupScaleStep{}, DQInitStep{}), orrery::branch("MIRI", &is_miri, miri(), near_ir()), ChargeMigrationStep{},
                             JumpStep{}, PictureFrameStep{}, CleanFlickerNoiseStep{}, PersistenceStep{},
                             orrery::tap<RampModel>(&save_calibrated_ramp), RampFitStep{}, GainScaleStep{});
    }
};

}  // namespace orrery::jwst

ORRERY_REGISTER_PIPELINE(orrery::jwst::Detector1Pipeline)
