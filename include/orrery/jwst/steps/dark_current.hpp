#pragma once
// dark_current: subtract the (frame-averaged, extrapolated) DARK reference.

#include "orrery/jwst/algorithms/dark_current.hpp"
#include "orrery/jwst/steps/step_common.hpp"

#include <cstddef>
#include <memory>
#include <optional>

namespace orrery::jwst {

struct DarkCurrentStep {
    static constexpr std::string_view name = "dark_current";
    static constexpr std::string_view class_name = "jwst.dark_current.DarkCurrentStep";
    static constexpr std::string_view description = "Subtract the dark current reference";
    static constexpr std::string_view status_key = "dark_sub";
    static constexpr std::array<std::string_view, 1> reference_types{"dark"};
    using Params = DarkCurrentParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        const auto dark = load_reference<DarkRef>(ctx, "dark", model);
        if (!dark) {
            ctx.skip_step("no DARK reference file (N/A)");
            return model;
        }
        DarkCurrentResult result = subtract_dark_current(model, *dark, p);
        model.average_dark_current = std::move(result.average_dark_current);
        report_outcome(ctx, result.outcome);
        if (result.dark_used && p.dark_output) save_dark(*result.dark_used, *p.dark_output, ctx);
        return model;
    }

    // Row step: the DARK is read, matched to the science frames and checked once; finish
    // hands the average dark current to the model (for ramp_fit) and saves dark_output.
    struct RowState {
        std::shared_ptr<const DarkRef> dark;
        std::optional<DarkPlan> plan;
    };
    static RowState prepare(RampModel& model, const Params& p, Context& ctx) {
        RowState s{load_reference<DarkRef>(ctx, "dark", model), {}};
        if (!s.dark) {
            ctx.skip_step("no DARK reference file (N/A)");
            return s;
        }
        s.plan.emplace(plan_dark_subtraction(model, *s.dark, p));
        // A skipped subtraction still sets the average dark current (finish runs only when active).
        if (!s.plan->subtracts()) model.average_dark_current = s.plan->result.average_dark_current;
        report_outcome(ctx, s.plan->result.outcome);
        return s;
    }
    static void process_rows(RampModel& model, const RowState& s, const Params&, std::size_t y0, std::size_t y1) {
        detail::subtract_dark_rows(model, s.plan->frames, s.plan->match, s.plan->intstart, y0, y1);
    }
    static void finish(RampModel& model, RowState& s, const Params& p, Context& ctx) {
        DarkCurrentResult result = finish_dark_subtraction(*s.plan, model, p);
        model.average_dark_current = std::move(result.average_dark_current);
        if (result.dark_used && p.dark_output) save_dark(*result.dark_used, *p.dark_output, ctx);
    }

private:
    static void save_dark(const DarkRef& dark, const std::string& file, Context& ctx) {
        const std::filesystem::path out = std::filesystem::path(file).is_absolute() || ctx.output_dir.empty()
                                              ? std::filesystem::path(file)
                                              : std::filesystem::path(ctx.output_dir) / file;
        io::write_dark_reference(dark, out);
        ctx.info("Saved the dark as subtracted in " + out.string());
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::DarkCurrentParams,
    (dark_output, "Dark model or averaged dark subtracted from the data"),
    (average_dark_current, "The average dark current for this detector in units of electrons per second"))
ORRERY_REGISTER_STEP(orrery::jwst::DarkCurrentStep)
