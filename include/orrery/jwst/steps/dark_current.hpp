#pragma once
// dark_current: subtract the (frame-averaged, extrapolated) DARK reference.

#include "orrery/jwst/algorithms/dark_current.hpp"
#include "orrery/jwst/io/reference_io.hpp"
#include "orrery/jwst/steps/step_common.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace orrery::jwst {

struct DarkCurrentStep {
    static constexpr std::string_view name = "dark_current";
    static constexpr std::string_view class_name = "jwst.dark_current.DarkCurrentStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.dark_current.dark_current_step.DarkCurrentStep", "jwst.step.DarkCurrentStep"};
    static constexpr std::string_view description = "Subtract the dark current reference";
    static constexpr std::string_view status_key = "dark_sub";
    static constexpr std::array<std::string_view, 1> reference_types{"dark"};
    using Params = DarkCurrentParams;

    /// Rows of the needed dark planes read ahead, one buffer per thread processing rows;
    /// owned by the run's RowState, so they go with it.
    class ReadAhead {
    public:
        struct Rows {
            bool valid = false;
            std::size_t y0 = 0, y1 = 0;
            std::vector<float> buffer;
            std::vector<const float*> planes;  // plane index -> its rows in `buffer`, or null
        };
        Rows& of_this_thread() {
            std::lock_guard lock(mutex_);
            auto& rows = by_thread_[std::this_thread::get_id()];
            if (!rows) rows = std::make_unique<Rows>();
            return *rows;
        }

    private:
        std::mutex mutex_;
        std::map<std::thread::id, std::unique_ptr<Rows>> by_thread_;
    };

    // A row step: the DARK is read, matched to the science frames and checked once; finish
    // hands the average dark current to the model (for ramp_fit) and saves dark_output.
    // With ReferenceRetention::until_last_use (one exposure) and no dark_output, the dark's
    // SCI stays in the file and each block reads the rows of the planes the ramp needs: the
    // full dark (the largest reference) is never in memory. Otherwise it is read whole and cached.
    struct RowState {
        std::shared_ptr<const DarkRef> dark;          // SCI in memory, or
        std::shared_ptr<const io::DarkRowsRef> rows;  // SCI read by rows
        std::optional<DarkPlan> plan;
        std::vector<std::size_t> planes;              // rows: the planes the subtraction reads
        std::shared_ptr<ReadAhead> ahead;             // rows: read-ahead buffers
    };
    static RowState prepare(RampModel& model, const Params& p, Context& ctx) {
        RowState s;
        const ResolvedReference ref = ctx.resolve_reference("dark");
        if (ref.not_applicable) {
            ctx.skip_step("no DARK reference file (N/A)");
            return s;
        }
        if (!p.dark_output && ctx.reference_retention() == ReferenceRetention::until_last_use)
            if (auto rows = io::read_dark_rows(ref.path, model)) s.rows = std::make_shared<const io::DarkRowsRef>(std::move(*rows));
        if (s.rows) {
            s.plan.emplace(plan_dark_subtraction(model, s.rows->meta, s.rows->sci_shape, p));
            s.planes = detail::planes_used(s.plan->frames, s.plan->match, s.plan->intstart, model);
            s.ahead = std::make_shared<ReadAhead>();
        } else {
            s.dark = reference_cache(ctx).get_or_load<DarkRef>("dark", ref.path, model);
            s.plan.emplace(plan_dark_subtraction(model, *s.dark, p));
        }
        if (ctx.debug_enabled() && s.plan->subtracts()) log_dark_plan(*s.plan, model, ctx);
        // A skipped subtraction still sets the average dark current (finish runs only when active).
        if (!s.plan->subtracts()) set_average_dark_current(model, s.plan->average);
        for (const auto& w : s.plan->result.warnings) ctx.warn(w);
        report_outcome(ctx, s.plan->result.outcome);
        return s;
    }
    /// stcal's debug records of the dark frames each science group is given.
    static void log_dark_plan(const DarkPlan& plan, const RampModel& model, Context& ctx) {
        const auto& m = plan.match;
        ctx.debug("Dark: science " + debug_text::exposure(model) + "; dark frames available=" + std::to_string(plan.frames.frames_total) +
                  (m.averaged ? ", averaged to the science frame layout" : ", used group for group"));
        if (!m.averaged) return;
        for (std::size_t g = 0; g < model.ngroups(); ++g) {
            const std::size_t start = g * (m.nframes + m.groupgap);
            const std::size_t end = std::min(start + m.nframes, plan.frames.frames_total);
            if (m.nframes == 1) ctx.debug("copy dark frame " + std::to_string(start));
            else ctx.debug("average dark frames " + std::to_string(start + 1) + " to " + std::to_string(end));
        }
    }

    static void process_rows(RampModel& model, const RowState& s, const Params&, std::size_t y0, std::size_t y1) {
        if (!s.rows) {
            detail::subtract_dark_rows(model, s.plan->frames, s.plan->whole_planes(), s.plan->match, s.plan->intstart, y0, y1);
            return;
        }
        // The needed planes' rows are read ~1 MiB at a time into this thread's buffer: a
        // thread takes consecutive row blocks, so the rows read ahead serve its next blocks
        // (one pread per plane for many one-row blocks).
        ReadAhead::Rows& cache = s.ahead->of_this_thread();
        const std::size_t nx = model.nx(), ny = model.ny(), per_row = std::max<std::size_t>(1, s.planes.size()) * nx;
        const std::size_t ahead = std::max<std::size_t>(1, (std::size_t(1) << 18) / per_row);
        for (std::size_t y = y0; y < y1;) {
            if (!cache.valid || y < cache.y0 || y >= cache.y1) {
                cache.valid = false;  // until every plane is read
                cache.y0 = y;
                cache.y1 = std::min(ny, y + ahead);
                const std::size_t n = (cache.y1 - cache.y0) * nx;
                cache.buffer.resize(s.planes.size() * n);
                cache.planes.assign(s.rows->sci.planes(), nullptr);
                for (std::size_t i = 0; i < s.planes.size(); ++i) {
                    s.rows->sci.read(s.planes[i], cache.y0, cache.y1, cache.buffer.data() + i * n);
                    cache.planes[s.planes[i]] = cache.buffer.data() + i * n;
                }
                cache.valid = true;
            }
            const std::size_t c1 = std::min(y1, cache.y1);
            detail::subtract_dark_rows(model, s.plan->frames, detail::DarkPlanes{cache.planes.data(), cache.y0 * nx}, s.plan->match,
                                       s.plan->intstart, y, c1);
            y = c1;
        }
    }
    static void finish(RampModel& model, RowState& s, const Params& p, Context& ctx) {
        if (p.dark_output) {
            DarkCurrentResult result = finish_dark_subtraction(*s.plan, model, p);
            if (result.dark_used) save_dark(*result.dark_used, *p.dark_output, ctx);
        }
        set_average_dark_current(model, s.plan->average);  // no plane made when it is 0
    }

private:
    /// For ramp_fit. An all-zero average (no average dark current: the usual case) stays
    /// empty, which the model defines as 0 everywhere: a full plane less to hold through ramp_fit.
    static void set_average_dark_current(RampModel& model, const detail::AverageDarkChoice& a) {
        model.average_dark_current = a.zero() ? NdArray<float, 2>{} : a.array({model.ny(), model.nx()});
    }
    /// As jwst: dark_output's file name (not its directory) with the step's output_ext, in the step's output directory.
    static void save_dark(const DarkRef& dark, const std::string& file, Context& ctx) {
        const std::filesystem::path out = further_file_path(ctx, file);
        io::write_dark_reference(dark, out);
        ctx.info("Saved the dark as subtracted in " + out.string());
    }
};

}  // namespace orrery::jwst

ORRERY_PARAMS(orrery::jwst::DarkCurrentParams,
    (dark_output, "Dark model or averaged dark subtracted from the data"),
    (average_dark_current, "The average dark current for this detector in units of electrons per second"))
ORRERY_REGISTER_STEP(orrery::jwst::DarkCurrentStep)
