#pragma once
// The stages of the detector1_batch example, ordinary orrery steps registered as
// stages (ORRERY_REGISTER_STAGE), so that a graph names them:
//
//   Detector1Exposure  path of a raw exposure (_uncal.fits) -> its rate image
//                      (calwebb_detector1, the static pipeline); a graph fans it
//                      out over a std::vector of paths, one exposure per element
//   CombineRates       the batch's rate images -> BatchSummary: the per-pixel mean
//                      rate and one summary row per exposure
//
// and the writers of the summary (the mean as FITS, the rows as CSV).

#include "orrery/array/fits/fits_writer.hpp"
#include "orrery/core/stage_result.hpp"
#include "orrery/graph/register_stage.hpp"
#include "orrery/jwst.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/step.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace detector1_batch {

namespace fs = std::filesystem;

struct Detector1ExposureParams {
    std::string ref_dir;
    ORRERY_REFLECT(Detector1ExposureParams, (ref_dir, "Reference directory (empty: 'ref' next to each exposure, as orrery-simulate writes it)"))
};

/// The calwebb_detector1 configuration for one reference directory: a directory
/// without an IPC file gives ipc N/A, as CRDS does for NIRCam.
inline orrery::ParamNode detector1_config(const fs::path& ref_dir) {
    orrery::ParamNode config = orrery::ParamNode::map();
    if (!fs::exists(ref_dir / "ipc.fits")) config.set_path("steps.ipc.override_ipc", orrery::ParamNode::scalar("N/A", "detector1_batch"));
    return config;
}

/// calwebb_detector1 on one raw exposure; the stage's value is the rate image.
struct Detector1Exposure {
    static constexpr std::string_view name = "detector1_exposure";
    static constexpr std::string_view description = "calwebb_detector1 on one raw exposure (_uncal.fits): its count-rate image";
    using Params = Detector1ExposureParams;

    static orrery::jwst::RateModel process(fs::path uncal, const Params& p, orrery::Context& ctx) {
        const fs::path refs = p.ref_dir.empty() ? uncal.parent_path() / "ref" : fs::path(p.ref_dir);
        // Its own context: the exposure's reference directory and step scope stay its own
        // while other exposures run beside it; the run's cancellation still reaches it.
        orrery::Context exposure = ctx.fork();
        orrery::stpipe::use_reference_dir(exposure, refs);
        auto pipeline = orrery::make_pipeline<orrery::jwst::Detector1Pipeline>();
        pipeline.configure(detector1_config(refs));
        auto products = pipeline.run(orrery::jwst::io::read_ramp(uncal), exposure);
        return std::move(products.rate);
    }
};

/// One exposure's row of the summary table.
struct ExposureSummary {
    std::string name;         // the exposure's file name without _uncal.fits
    double median_rate = 0;   // DN/s over the pixels with a finite rate and no DO_NOT_USE flag
    double flagged_fraction = 0;  // pixels with any DQ flag
};

struct BatchSummary {
    orrery::NdArray<float, 2> mean;  // per pixel: the mean of the exposures' rates (NaN where any is NaN)
    std::vector<ExposureSummary> exposures;
};

inline std::string exposure_name(const orrery::jwst::RateModel& rate) {
    std::string n = rate.filename;
    for (const char* suffix : {"_uncal.fits", ".fits"})
        if (n.size() > std::string(suffix).size() && n.ends_with(suffix)) return n.substr(0, n.size() - std::string(suffix).size());
    return n;
}

inline ExposureSummary summarize(const orrery::jwst::RateModel& rate) {
    ExposureSummary s{exposure_name(rate), std::nan(""), 0.0};
    std::vector<float> good;
    good.reserve(rate.sci.size());
    std::size_t flagged = 0;
    for (std::size_t i = 0; i < rate.sci.size(); ++i) {
        const std::uint32_t dq = rate.dq.data()[i];
        flagged += dq != 0;
        if (std::isfinite(rate.sci.data()[i]) && !(dq & orrery::jwst::dq::DO_NOT_USE)) good.push_back(rate.sci.data()[i]);
    }
    if (!good.empty()) {
        const std::size_t h = good.size() / 2;
        std::nth_element(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(h), good.end());
        const double upper = good[h];
        if (good.size() % 2) s.median_rate = upper;
        else s.median_rate = 0.5 * (upper + *std::max_element(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(h)));
    }
    s.flagged_fraction = rate.sci.size() ? static_cast<double>(flagged) / static_cast<double>(rate.sci.size()) : 0.0;
    return s;
}

/// The batch's mean rate and summary rows; a failure (not an exception) when the
/// batch is empty or the exposures' images differ in shape.
struct CombineRates {
    static constexpr std::string_view name = "combine_rates";
    static constexpr std::string_view description = "Mean rate image and a summary row per exposure";
    using Params = orrery::NoParams;

    static orrery::StageResult<BatchSummary> process(std::vector<orrery::jwst::RateModel> rates, const Params&, orrery::Context&) {
        using Result = orrery::StageResult<BatchSummary>;
        if (rates.empty()) return Result::failure("no exposures to combine", "validation");
        const auto shape = rates.front().sci.shape();
        for (const auto& r : rates)
            if (r.sci.shape() != shape || r.dq.shape() != shape)
                return Result::failure("exposure " + exposure_name(r) + " is " + std::to_string(r.sci.extent(0)) + "x" + std::to_string(r.sci.extent(1)) +
                                           ", " + exposure_name(rates.front()) + " is " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]),
                                       "validation");
        BatchSummary out;
        out.mean = orrery::NdArray<float, 2>(shape);
        // Summed in double in the batch's order, then divided: the same figure whatever
        // order the exposures finished in.
        for (std::size_t i = 0; i < out.mean.size(); ++i) {
            double sum = 0;
            for (const auto& r : rates) sum += r.sci.data()[i];
            out.mean.data()[i] = static_cast<float>(sum / static_cast<double>(rates.size()));
        }
        for (const auto& r : rates) out.exposures.push_back(summarize(r));
        return Result::success(std::move(out));
    }
};

/// The mean rate as FITS: an empty primary HDU (NEXPOSE, the exposures as EXPnnn) and a SCI image.
inline void write_mean(const BatchSummary& s, const fs::path& out) {
    orrery::Header primary;
    primary.set("NEXPOSE", static_cast<long long>(s.exposures.size()), "Exposures averaged");
    for (std::size_t k = 0; k < s.exposures.size() && k < 999; ++k) {
        char key[9];
        std::snprintf(key, sizeof key, "EXP%03zu", k + 1);
        primary.set(key, s.exposures[k].name);
    }
    orrery::fits::FitsWriter w(out);
    w.write_primary(primary);
    orrery::Header sci;
    sci.set("BUNIT", "DN/s");
    w.write_image("SCI", s.mean, sci);
    w.commit();
}

/// The summary rows as CSV: name,median_rate,flagged_fraction (one line per exposure).
inline void write_table(const BatchSummary& s, const fs::path& out) {
    std::ofstream f(out);
    if (!f) throw orrery::InputError("cannot write " + out.string());
    f << "name,median_rate,flagged_fraction\n";
    char line[64];
    for (const auto& e : s.exposures) {
        std::snprintf(line, sizeof line, ",%.9g,%.6f\n", e.median_rate, e.flagged_fraction);
        f << e.name << line;
    }
    if (!f.flush()) throw orrery::InputError("cannot write " + out.string());
}

}  // namespace detector1_batch

ORRERY_REGISTER_STAGE(detector1_batch::Detector1Exposure)
ORRERY_REGISTER_STAGE(detector1_batch::CombineRates)
