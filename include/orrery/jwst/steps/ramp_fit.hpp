#pragma once
// ramp_fit: OLS_C slopes with optimal weighting -> rate and rateints products.

#include "orrery/jwst/algorithms/ramp_fit.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct RampFitStep {
    static constexpr std::string_view name = "ramp_fit";
    static constexpr std::string_view class_name = "jwst.ramp_fitting.RampFitStep";
    static constexpr std::string_view description = "Fit the ramps: count-rate (rate) and per-integration (rateints) products";
    static constexpr std::string_view status_key = "ramp_fit";
    static constexpr std::array<std::string_view, 2> reference_types{"readnoise", "gain"};
    using Params = RampFitParams;
    static RateProducts process(const RampModel& model, const Params& p, Context& ctx) {
        rampfit::check_algorithm(p);
        const auto readnoise = load_reference<ReadnoiseRef>(ctx, "readnoise", model);
        const auto gain = load_reference<GainRef>(ctx, "gain", model);
        if (!readnoise || !gain) throw InputError("ramp_fit needs both the readnoise and the gain reference files (N/A given)");
        const AverageDarkCurrent dark = model.average_dark_current.empty() ? AverageDarkCurrent{}
                                                                            : AverageDarkCurrent::from_array(model.average_dark_current);
        RampFitResult result = fit_ramps(model, *gain, *readnoise, p, dark);
        for (const auto& note : result.notes) ctx.warn(note);
        if (result.fitopt) save_fitopt(*result.fitopt, p, model, ctx);
        return std::move(result.products);
    }

private:
    static void save_fitopt(const FitOptModel& fitopt, const Params& p, const RampModel& model, Context& ctx) {
        const auto namer = make_output_namer(p.opt_name, ctx.input_filename.empty() ? model.filename : ctx.input_filename,
                                             ctx.output_dir, ".fits", "ramp_fit");
        const auto path = p.opt_name.empty() ? namer.path("fitopt") : namer.path("");
        io::write_fitopt(fitopt, model, path);
        ctx.info("Saved the optional fit results in " + path.string());
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::RampFitParams,
    (algorithm, "Algorithm to use to fit (LIKELY is not supported in this version)", orrery::one_of("OLS_C|LIKELY|OLS")),
    (int_name, "Name of the optional per-integration product (unused: rateints is always written)"),
    (save_opt, "Save the optional fit results (fitopt product)"),
    (opt_name, "Name of the optional fit output"),
    (suppress_one_group, "Set slopes of ramps with only one good group to NaN"),
    (firstgroup, "Ignore groups before this one (zero indexed)"),
    (lastgroup, "Ignore groups after this one (zero indexed)"),
    (maximum_cores, "Cores to use: '1', an integer, 'quarter', 'half' or 'all'"))
ORRERY_REGISTER_STEP(orrery::jwst::RampFitStep)
