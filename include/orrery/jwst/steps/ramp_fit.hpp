#pragma once
// ramp_fit: OLS_C slopes with optimal weighting -> rate and rateints products.
// Rows are fitted in parallel blocks on maximum_cores threads (within the context's
// budget); every pixel is fitted on its own, so the products do not depend on it.

#include "orrery/jwst/algorithms/ramp_fit.hpp"
#include "orrery/jwst/algorithms/ramp_fit/input_release.hpp"
#include "orrery/jwst/steps/step_common.hpp"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <vector>

namespace orrery::jwst {

struct RampFitStep {
    static constexpr std::string_view name = "ramp_fit";
    static constexpr std::string_view class_name = "jwst.ramp_fitting.RampFitStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.ramp_fitting.ramp_fit_step.RampFitStep", "jwst.step.RampFitStep"};
    static constexpr std::string_view description = "Fit the ramps: count-rate (rate) and per-integration (rateints) products";
    static constexpr std::string_view status_key = "ramp_fit";
    static constexpr std::array<std::string_view, 2> reference_types{"readnoise", "gain"};
    using Params = RampFitParams;
    /// skip=True: no fit; the calibrated ramp is handed on (jwst returns it from a skipped
    /// ramp_fit, and detector1 saves it as <root>_ramp.fits).
    static RateProducts when_skipped(RampModel model, Context&) {
        RateProducts out;
        out.unfitted = std::move(model);
        return out;
    }

    /// Takes the ramp by value: the step owns it, so its memory is given back as rows are
    /// fitted (FittedRowsRelease; nothing reads the ramp after the fit but its metadata).
    static RateProducts process(RampModel model, const Params& p, Context& ctx) {
        rampfit::check_algorithm(p);
        const auto readnoise = load_reference<ReadnoiseRef>(ctx, "readnoise", model);
        const auto gain = load_reference<GainRef>(ctx, "gain", model);
        if (!readnoise || !gain) throw InputError("ramp_fit needs both the readnoise and the gain reference files (N/A given)");
        // The ramp's own average dark current, read in place (no 16 MiB copy).
        if (ctx.debug_enabled())
            ctx.debug("Running the " + p.algorithm + " slope fitter (optimal weighting): " + debug_text::exposure(model) + "; " +
                      std::to_string(step_threads(ctx, p.maximum_cores)) + " thread(s), " + std::to_string(compute_block_rows(model.nx())) +
                      " rows per block, suppress_one_group=" + (p.suppress_one_group ? "True" : "False"));
        rampfit::FittedRowsRelease release(model);
        RampFitResult result = fit_in_parallel(model, *gain, *readnoise, p, model.average_dark_current,
                                               rampfit::DarkCurrentView::of(model.average_dark_current), ctx, &release);
        for (const auto& note : result.notes) ctx.warn(note);
        if (result.fitopt) save_fitopt(*result.fitopt, p, model, ctx);
        return std::move(result.products);
    }

    /// Saved as stpipe saves a step's two results: each with its index, "<root>_0_<suffix>"
    /// (rate) and "<root>_1_<suffix>" (rateints); jwst's ramp_fit returns them as a pair.
    static std::vector<std::filesystem::path> save(const RateProducts& p, const OutputNamer& namer, std::string_view suffix) {
        return io::write_rate_products(p, namer.path(suffix, namer.index(0)), namer.path(suffix, namer.index(1)));
    }

    /// rampfit::fit_ramps_with, with the row loops on the step's threads.
    static RampFitResult fit_in_parallel(const RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise, const Params& p,
                                         const AverageDarkCurrent& dark, Context& ctx) {
        return fit_in_parallel(model, gain, readnoise, p, dark.per_pixel, rampfit::DarkCurrentView::of(dark), ctx);
    }
    /// As above with the dark current as a view (`dark_array`: its array, may be empty, for the
    /// shape check). With `release`, each fitted row range is passed to it (`model` is then
    /// the released ramp: only for a ramp no one reads afterwards).
    static RampFitResult fit_in_parallel(const RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise, const Params& p,
                                         const NdArray<float, 2>& dark_array, rampfit::DarkCurrentView dark, Context& ctx,
                                         rampfit::FittedRowsRelease* release = nullptr) {
        using namespace rampfit;
        check_inputs(model, gain.sci, readnoise.sci, dark_array);
        RampFitPlan plan = make_ramp_fit_plan(model, p);
        const RampFitSources src{model, gain.sci, readnoise.sci, dark};
        const int threads = step_threads(ctx, p.maximum_cores);
        const std::size_t block = compute_block_rows(plan.nx);

        RampFitResult result;
        int max_segments = 0, max_crs = 0;
        if (plan.save_opt) {
            std::mutex m;
            parallel_rows(ctx, threads, plan.ny, block, [&](std::size_t y0, std::size_t y1) {
                int segments = 0, crs = 0;
                count_fitopt_rows(plan, src, y0, y1, segments, crs);
                std::lock_guard lock(m);
                max_segments = std::max(max_segments, segments);
                max_crs = std::max(max_crs, crs);
            });
        }
        allocate_ramp_fit_outputs(plan, model, gain, result, max_segments, max_crs);
        RampFitOutputs out{result.products.rate, result.products.rateints, result.fitopt ? &*result.fitopt : nullptr};
        parallel_rows(ctx, threads, plan.ny, block, [&](std::size_t y0, std::size_t y1) {
            fit_ramp_rows_fast(plan, src, y0, y1, out);
            if (release) release->rows_done(y0, y1);
        });
        result.notes = std::move(plan.notes);
        return result;
    }

private:
    /// As jwst: "<root>_fitopt.fits" from opt_name, else from the ramp's own file name, in the step's output directory.
    static void save_fitopt(const FitOptModel& fitopt, const Params& p, const RampModel& model, Context& ctx) {
        const auto path = further_product_namer(ctx, p.opt_name.empty() ? model.filename : p.opt_name).path("fitopt");
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
