#pragma once
// dark_current (docs/algorithms/dark_current.md; stcal dark_sub): subtract the DARK reference, averaged
// frame by frame to the science NFRAMES/GROUPGAP when they differ, extrapolated linearly
// when it is shorter than the science ramp. Also yields the average dark current that
// ramp_fit adds to the Poisson variance.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/reference_shape.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orrery::jwst {

/// stpipe DarkCurrentStep parameters.
struct DarkCurrentParams {
    std::optional<std::string> dark_output;      // where the step saves the dark it subtracted (DarkCurrentResult::dark_used)
    std::optional<double> average_dark_current;  // e-/s; overrides AVDRKCUR / AVGDRKCR of the reference
};

/// What subtract_dark_current hands back to the step (and, through it, to ramp_fit).
struct DarkCurrentResult {
    /// skipped when the dark has a larger NFRAMES or GROUPGAP than the science (data untouched).
    StepOutcome outcome;
    /// (ny, nx) float32, e-/s, set even when skipped. The model has no slot for it: the step must
    /// keep it and pass it to ramp_fit (zeros when neither parameter nor reference gives one).
    NdArray<float, 2> average_dark_current;
    /// Only when params.dark_output is set and the dark was subtracted: the dark as subtracted
    /// (extrapolated and NaN-free, or frame-averaged with the science NFRAMES/GROUPGAP), for saving.
    std::optional<DarkRef> dark_used;
    /// Messages the step should log as warnings (extrapolation, unusable AVDRKCUR).
    std::vector<std::string> warnings;
};

namespace detail {

/// Where the dark's SCI planes are read from: plane[di * ngroups_dark + g] points at flat
/// pixel k0 of plane (di, g), null when not loaded. The whole array in memory has k0 = 0;
/// a block of rows read from the file (the streamed step) has k0 = first row * nx.
struct DarkPlanes {
    const float* const* plane;
    std::size_t k0;
};

/// The dark's frames as stcal sees them after extrapolation, NaNs read as 0.
/// Extrapolated darks are float64 in stcal (numpy promotes the int * float32 product), so
/// their frames are doubles; otherwise everything stays float32.
struct DarkFrames {
    const DarkRef& dark;         // keywords, DQ; its SCI may be empty (planes read by rows)
    std::size_t nints_dark;      // SCI integrations
    std::size_t ngroups_dark;    // SCI planes per integration in the file
    std::size_t frames_total;    // after extrapolation
    std::size_t ny, nx, plane;   // plane = ny * nx

    [[nodiscard]] bool extrapolated() const { return frames_total > ngroups_dark; }

    template <class Real>
    [[nodiscard]] Real frame(const DarkPlanes& d, std::size_t dark_int, std::size_t p, std::size_t k) const {
        const float* const* planes = d.plane + dark_int * ngroups_dark;
        const std::size_t j = k - d.k0;
        Real v;
        if (p < ngroups_dark) {
            v = static_cast<Real>(planes[p][j]);
        } else {  // D[-1] + j * (D[-1] - D[-2]), the difference in float32, the rest in double
            const float last = planes[ngroups_dark - 1][j];
            const float rate = last - planes[ngroups_dark - 2][j];
            const double n = static_cast<double>(p - ngroups_dark + 1);
            v = static_cast<Real>(n * static_cast<double>(rate) + static_cast<double>(last));
        }
        return std::isnan(v) ? Real(0) : v;
    }
    /// The file planes frame(dark_int, p, .) reads, marked in `used` (di * ngroups_dark + g).
    void mark_frame(std::size_t dark_int, std::size_t p, std::vector<bool>& used) const {
        const std::size_t base = dark_int * ngroups_dark;
        if (p < ngroups_dark) {
            used[base + p] = true;
        } else if (ngroups_dark >= 2) {
            used[base + ngroups_dark - 1] = true;
            used[base + ngroups_dark - 2] = true;
        }
    }
};

/// Frame layout of the science exposure and whether the dark must be averaged to it.
struct DarkMatch {
    std::size_t nframes, groupgap;  // science
    bool averaged;                  // dark NFRAMES/GROUPGAP differ from the science
};

/// Dark value subtracted from group g at pixel k (double; float32-exact unless a non-averaged
/// extrapolated dark). Averaging: float32 (or float64 when extrapolated) sequential sum of the
/// frames over the frame count numpy's slice really has, rounded to float32.
template <class Real>
inline double group_dark(const DarkFrames& f, const DarkPlanes& d, const DarkMatch& m, std::size_t dark_int, std::size_t g,
                         std::size_t k) {
    if (!m.averaged) return static_cast<double>(f.frame<Real>(d, dark_int, g, k));
    const std::size_t start = g * (m.nframes + m.groupgap);
    if (m.nframes == 1) return static_cast<double>(static_cast<float>(f.frame<Real>(d, dark_int, start, k)));
    const std::size_t end = std::min(start + m.nframes, f.frames_total);
    const std::size_t count = end > start ? end - start : 0;
    Real sum = 0;
    for (std::size_t p = start; p < end; ++p) sum = p == start ? f.frame<Real>(d, dark_int, p, k) : sum + f.frame<Real>(d, dark_int, p, k);
    return static_cast<double>(static_cast<float>(sum / static_cast<Real>(count)));  // empty slice: 0/0 = NaN, as numpy
}

/// The frames group g of dark integration di is made of, as group_dark reads them.
template <class F>
inline void for_each_group_frame(const DarkFrames& f, const DarkMatch& m, std::size_t g, F visit) {
    if (!m.averaged) return visit(g);
    const std::size_t start = g * (m.nframes + m.groupgap);
    if (m.nframes == 1) return visit(start);
    for (std::size_t p = start; p < std::min(start + m.nframes, f.frames_total); ++p) visit(p);
}

/// Dark integration used for science integration i, or -1 for "an averaged integration stcal
/// never filled" (it subtracts zeros there: a MIRI dark with more integrations than the science
/// and INTSTART != 1).
inline long dark_integration(std::size_t i, std::size_t nints_sci, std::size_t nints_dark, int intstart, bool averaged) {
    const std::size_t di = (i < nints_dark && intstart == 1) ? i : nints_dark - 1;
    if (averaged && di >= std::min(nints_dark, nints_sci)) return -1;
    return static_cast<long>(di);
}

/// Rows [y0, y1): PIXELDQ |= OR of the dark DQ planes; SCI -= dark (rounded to float32).
/// `d` must hold every plane planes_used() names, from pixel y0 * nx or before.
inline void subtract_dark_rows(RampModel& model, const DarkFrames& f, const DarkPlanes& d, const DarkMatch& m, int intstart,
                               std::size_t y0, std::size_t y1) {
    const std::size_t nx = model.nx(), k0 = y0 * nx, k1 = y1 * nx;
    const std::size_t nints = model.nints(), ngroups = model.ngroups();
    for (std::size_t p = 0; p < f.dark.dq.extent(0); ++p) {
        const std::uint32_t* ddq = f.dark.dq.plane(p);
        for (std::size_t k = k0; k < k1; ++k) model.pixeldq[k] |= ddq[k];
    }
    for (std::size_t i = 0; i < nints; ++i) {
        const long di = dark_integration(i, nints, f.nints_dark, intstart, m.averaged);
        for (std::size_t g = 0; g < ngroups; ++g) {
            float* s = model.sci.plane(i * ngroups + g);
            if (di >= 0 && !m.averaged && g < f.ngroups_dark) {
                // The usual case, group g is dark plane g: the same operations as below, in a
                // loop the compiler vectorises.
                const float* dp = d.plane[static_cast<std::size_t>(di) * f.ngroups_dark + g] + (k0 - d.k0);
                float* sp = s + k0;
                for (std::size_t k = 0; k < k1 - k0; ++k) {
                    const float v = dp[k];
                    const float dark = v != v ? 0.0f : v;
                    sp[k] = static_cast<float>(static_cast<double>(sp[k]) - static_cast<double>(dark));
                }
                continue;
            }
            for (std::size_t k = k0; k < k1; ++k) {
                const double dark = di < 0                ? 0.0
                                    : f.extrapolated()    ? group_dark<double>(f, d, m, static_cast<std::size_t>(di), g, k)
                                                          : group_dark<float>(f, d, m, static_cast<std::size_t>(di), g, k);
                // float64 subtraction rounded once; identical to float32 subtraction for a float32 dark.
                s[k] = static_cast<float>(static_cast<double>(s[k]) - dark);
            }
        }
    }
}

/// The file planes (di * ngroups_dark + g, ascending) subtract_dark_rows reads for `model`:
/// a dark longer than the science ramp is read only as far as the ramp needs it.
inline std::vector<std::size_t> planes_used(const DarkFrames& f, const DarkMatch& m, int intstart, const RampModel& model) {
    std::vector<bool> used(f.nints_dark * f.ngroups_dark, false);
    const std::size_t nints = model.nints(), ngroups = model.ngroups();
    for (std::size_t i = 0; i < nints; ++i) {
        const long di = dark_integration(i, nints, f.nints_dark, intstart, m.averaged);
        if (di < 0) continue;
        for (std::size_t g = 0; g < ngroups; ++g)
            for_each_group_frame(f, m, g, [&](std::size_t p) { f.mark_frame(static_cast<std::size_t>(di), p, used); });
    }
    std::vector<std::size_t> out;
    for (std::size_t q = 0; q < used.size(); ++q)
        if (used[q]) out.push_back(q);
    return out;
}

/// The dark exactly as subtracted, for `dark_output` (`d`: the whole SCI array).
inline DarkRef dark_as_subtracted(const DarkFrames& f, const DarkPlanes& d, const DarkMatch& m, std::size_t nints_sci,
                                  std::size_t ngroups_sci) {
    DarkRef out;
    static_cast<RefBase&>(out) = static_cast<const RefBase&>(f.dark);
    out.dq = f.dark.dq;
    out.avdrkcur = f.dark.avdrkcur;
    out.avgdrkcr = f.dark.avgdrkcr;
    const std::size_t nints_dark = f.nints_dark, ny = f.ny, nx = f.nx;
    if (!m.averaged) {
        out.nframes = f.dark.nframes;
        out.groupgap = f.dark.groupgap;
        out.sci.resize({nints_dark, f.frames_total, ny, nx});
        for (std::size_t di = 0; di < nints_dark; ++di)
            for (std::size_t p = 0; p < f.frames_total; ++p)
                for (std::size_t k = 0; k < f.plane; ++k)
                    out.sci.plane(di * f.frames_total + p)[k] = static_cast<float>(f.frame<double>(d, di, p, k));
        return out;
    }
    out.nframes = static_cast<int>(m.nframes);
    out.groupgap = static_cast<int>(m.groupgap);
    out.sci.resize({nints_dark, ngroups_sci, ny, nx}, 0.0f);  // integrations stcal does not average stay 0
    for (std::size_t di = 0; di < std::min(nints_dark, nints_sci); ++di)
        for (std::size_t g = 0; g < ngroups_sci; ++g)
            for (std::size_t k = 0; k < f.plane; ++k)
                out.sci.plane(di * ngroups_sci + g)[k] = static_cast<float>(
                    f.extrapolated() ? group_dark<double>(f, d, m, di, g, k) : group_dark<float>(f, d, m, di, g, k));
    return out;
}

/// The average dark current as chosen: one value for every pixel, or the DARK's AVDRKCUR.
struct AverageDarkChoice {
    float value = 0.0f;                            // every pixel, unless per_pixel
    const NdArray<float, 2>* per_pixel = nullptr;  // the reference's AVDRKCUR (the DARK outlives the plan)

    /// +0 everywhere, which an empty RampModel::average_dark_current stands for.
    [[nodiscard]] bool zero() const { return !per_pixel && std::bit_cast<std::uint32_t>(value) == 0u; }
    [[nodiscard]] NdArray<float, 2> array(const std::array<std::size_t, 2>& shape) const {
        return per_pixel ? *per_pixel : NdArray<float, 2>(shape, value);
    }
};

/// jwst DarkCurrentStep.set_average_dark_current: parameter > AVDRKCUR (if present and its sum
/// is non-zero) > AVGDRKCR > 0, as float32 (ny, nx). The sum is taken in double here.
inline AverageDarkChoice choose_average_dark_current(const RampModel& model, const DarkRef& dark, const DarkCurrentParams& params,
                                                     std::vector<std::string>& warnings) {
    const std::array<std::size_t, 2> shape{model.ny(), model.nx()};
    const auto uniform = [](double v) { return AverageDarkChoice{0.0f + static_cast<float>(v), nullptr}; };
    if (params.average_dark_current) return uniform(*params.average_dark_current);
    double sum = 0.0;
    if (dark.avdrkcur)
        for (float v : *dark.avdrkcur) sum += v;
    if (!dark.avdrkcur || sum == 0.0) return uniform(dark.avgdrkcr.value_or(0.0));
    if (dark.avdrkcur->shape() != shape) {
        warnings.push_back("DARK reference AVDRKCUR has shape " + shape_text(dark.avdrkcur->shape()) +
                           ", not the science " + shape_text(shape) + ": average dark current not applied");
        return uniform(0.0);
    }
    return AverageDarkChoice{0.0f, &*dark.avdrkcur};
}
inline NdArray<float, 2> average_dark_current(const RampModel& model, const DarkRef& dark, const DarkCurrentParams& params,
                                              std::vector<std::string>& warnings) {
    return choose_average_dark_current(model, dark, params, warnings).array({model.ny(), model.nx()});
}

}  // namespace detail

/// Everything the subtraction needs, decided once: rows can then be subtracted in blocks
/// (detail::subtract_dark_rows), and the result completed with finish_dark_subtraction.
struct DarkPlan {
    DarkCurrentResult result;  // average dark current, warnings, outcome (skipped: nothing to subtract)
    detail::DarkFrames frames;
    detail::DarkMatch match;
    int intstart = 1;
    std::vector<const float*> whole;  // every SCI plane, when the dark's SCI is in memory
    detail::AverageDarkChoice average;  // result.average_dark_current is made from it by finish
    [[nodiscard]] bool subtracts() const { return !result.outcome.skipped; }
    /// The dark's SCI in memory (empty when its planes are read by rows).
    [[nodiscard]] detail::DarkPlanes whole_planes() const { return {whole.data(), 0}; }
};

/// The checks and decisions of subtract_dark_current (same errors), without touching SCI.
/// `sci_shape` is the dark's SCI shape (nints_d, ngroups_d, ny, nx): dark.sci's own when it is
/// in memory, else the file's (the planes then come by rows). `dark` must outlive the plan.
inline DarkPlan plan_dark_subtraction(const RampModel& model, const DarkRef& dark, const std::array<std::size_t, 4>& sci_shape,
                                      const DarkCurrentParams& params = {}) {
    using namespace detail;
    {
        const bool ok = sci_shape[2] == model.ny() && sci_shape[3] == model.nx() && sci_shape[0] > 0 && sci_shape[1] > 0;
        if (!ok) throw_shape_mismatch("DARK", dark, "SCI", sci_shape, model.sci.shape());
    }
    if (!dark.dq.empty()) require_science_plane("DARK", dark, "DQ", dark.dq, model);
    if (model.pixeldq.shape() != std::array<std::size_t, 2>{model.ny(), model.nx()})
        throw InputError("dark_current: PIXELDQ has shape " + shape_text(model.pixeldq.shape()) + " but SCI is " +
                         shape_text(model.sci.shape()));
    const auto bad_layout = [&](const std::string& where, int nframes, int groupgap) {
        if (nframes < 1 || groupgap < 0)
            throw InputError("dark_current: " + where + " NFRAMES=" + std::to_string(nframes) + ", GROUPGAP=" +
                             std::to_string(groupgap) + " (need NFRAMES >= 1, GROUPGAP >= 0)");
    };
    bad_layout("science", model.meta.nframes, model.meta.groupgap);
    bad_layout("DARK reference" + (dark.path.empty() ? std::string() : " '" + dark.path + "'"), dark.nframes, dark.groupgap);

    const std::size_t nf_s = static_cast<std::size_t>(model.meta.nframes), gg_s = static_cast<std::size_t>(model.meta.groupgap);
    const std::size_t nf_d = static_cast<std::size_t>(dark.nframes), gg_d = static_cast<std::size_t>(dark.groupgap);
    const std::size_t ng_s = model.ngroups(), ng_d = sci_shape[1];
    const std::size_t total_s = ng_s * nf_s + (ng_s > 0 ? ng_s - 1 : 0) * gg_s;
    const std::size_t total_d = ng_d * nf_d + (ng_d - 1) * gg_d;

    DarkPlan plan{{},
                  DarkFrames{dark, sci_shape[0], ng_d, ng_d, sci_shape[2], sci_shape[3], model.sci.plane_size()},
                  DarkMatch{nf_s, gg_s, nf_s != nf_d || gg_s != gg_d},
                  model.meta.intstart,
                  {},
                  {}};
    if (dark.sci.shape() == sci_shape)
        for (std::size_t q = 0; q < sci_shape[0] * ng_d; ++q) plan.whole.push_back(dark.sci.plane(q));
    plan.average = choose_average_dark_current(model, dark, params, plan.result.warnings);
    DarkFrames& frames = plan.frames;
    if (total_s > total_d) {
        const std::size_t extra = (total_s - total_d + gg_d + (nf_d + gg_d) - 1) / (nf_d + gg_d);  // ceil
        if (ng_d < 2)
            throw InputError("dark_current: DARK reference" + (dark.path.empty() ? std::string() : " '" + dark.path + "'") +
                             " SCI has shape " + shape_text(sci_shape) + ", too short for the science SCI " +
                             shape_text(model.sci.shape()) + " and a single group cannot be extrapolated");
        frames.frames_total = ng_d + extra;
        plan.result.warnings.push_back("Not enough data in dark reference file to match to science data; dark extrapolated by " +
                                       std::to_string(extra) + " groups");
    }
    if (nf_d > nf_s || gg_d > gg_s) {
        plan.result.outcome = StepOutcome::skip("dark NFRAMES/GROUPGAP (" + std::to_string(nf_d) + "/" + std::to_string(gg_d) +
                                                ") exceed the science values (" + std::to_string(nf_s) + "/" + std::to_string(gg_s) + ")");
        return plan;
    }
    // stcal copies frame g*(nframes+groupgap) for one-frame groups and fails past the dark's end.
    if (plan.match.averaged && nf_s == 1 && ng_s > 0 && (ng_s - 1) * (1 + gg_s) >= frames.frames_total)
        throw InputError("dark_current: DARK reference" + (dark.path.empty() ? std::string() : " '" + dark.path + "'") +
                         " SCI has shape " + shape_text(sci_shape) + ", too few frames for the science SCI " +
                         shape_text(model.sci.shape()) + " with GROUPGAP=" + std::to_string(gg_s));
    return plan;
}

/// The same, for a dark whose SCI is in memory.
inline DarkPlan plan_dark_subtraction(const RampModel& model, const DarkRef& dark, const DarkCurrentParams& params = {}) {
    detail::require_science_plane("DARK", dark, "SCI", dark.sci, model);
    return plan_dark_subtraction(model, dark, dark.sci.shape(), params);
}

/// After the rows: the dark as subtracted (only with dark_output; needs the SCI in memory) and the result.
inline DarkCurrentResult finish_dark_subtraction(DarkPlan& plan, const RampModel& model, const DarkCurrentParams& params = {}) {
    plan.result.average_dark_current = plan.average.array({model.ny(), model.nx()});
    if (plan.subtracts() && params.dark_output) {
        if (plan.whole.empty()) throw InternalError("dark_current: dark_output needs the dark's SCI in memory");
        plan.result.dark_used = detail::dark_as_subtracted(plan.frames, plan.whole_planes(), plan.match, model.nints(), model.ngroups());
    }
    return std::move(plan.result);
}

/// Subtracts the dark from SCI in place and ORs its DQ into PIXELDQ; GROUPDQ is not consulted
/// (saturated groups are subtracted too). MIRI (several dark integrations): science integration i
/// uses dark integration i while i < nints_dark and INTSTART == 1, else the last one.
/// Throws InputError for a dark not (nints_d, ngroups_d, ny, nx), a DQ plane not (ny, nx),
/// NFRAMES < 1 or GROUPGAP < 0 (science or dark), or a one-group dark that must be extrapolated.
inline DarkCurrentResult subtract_dark_current(RampModel& model, const DarkRef& dark, const DarkCurrentParams& params = {}) {
    DarkPlan plan = plan_dark_subtraction(model, dark, params);
    if (plan.subtracts())
        detail::subtract_dark_rows(model, plan.frames, plan.whole_planes(), plan.match, plan.intstart, 0, model.ny());
    return finish_dark_subtraction(plan, model, params);
}

}  // namespace orrery::jwst
