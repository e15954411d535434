#pragma once
// refpix, near-IR "median" algorithm (docs/algorithms/refpix.md; jwst refpix/reference_pixels.py).
//
// Every group plane (and every ZEROFRAME plane) is corrected on its own, in the
// detector frame (FASTAXIS/SLOWAXIS), in double precision, and rounded to float32
// once when written back. Two modes, chosen as jwst does:
//  * amplifiers: NIR full frame, and NIR subarrays read with NOUTPUTS == 4. Per
//    amplifier (512 detector columns) clipped means of the top/bottom reference rows,
//    separately for even/odd detector columns, then the side-column running median.
//    A subarray is the same computation on the part of the 2048x2048 detector it
//    covers: reference pixels outside it count as DO_NOT_USE.
//  * flagged: other NIR subarrays (NOUTPUTS != 4). One clipped mean over the pixels
//    flagged REFERENCE_PIXEL and not DO_NOT_USE (per detector-column parity), subtracted
//    from the whole plane. SUB512, SUB512S and SUB32 (no real reference pixels) use
//    their first and last 4 science-frame columns as reference pixels.
// Skipped (StepOutcome::skipped): MIRI subarrays; subarrays that do not fit in the
// 2048x2048 detector. Not supported (NotSupportedError): IRS2 (NIRSpec), MIRI full
// frame, refpix_algorithm = "sirs" on full-frame NIR data (elsewhere jwst itself falls
// back to "median"), multistripe/superstripe readouts.
// PIXELDQ is read only; GROUPDQ is ignored. NOUTPUTS is read from the primary header.
// A COMPLETE outcome may carry a note in `reason` (no usable reference pixels).

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/detector_frame.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/algorithms/sigma_clip.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace orrery::jwst {

/// RefPixStep parameters (stpipe names and defaults). Only the first five and
/// refpix_algorithm/siglimit act on the supported modes; the IRS2, SIRS and MIRI
/// ones are carried for completeness.
struct RefPixParams {
    bool odd_even_columns = true;
    bool use_side_ref_pixels = true;
    int side_smoothing_length = 11;
    double side_gain = 1.0;
    bool odd_even_rows = true;              // MIRI only
    double ovr_corr_mitigation_ftr = 3.0;   // IRS2 only
    bool preserve_irs2_refpix = false;      // IRS2 only
    bool irs2_mean_subtraction = false;     // IRS2 only
    std::string refpix_algorithm = "median";  // "median" | "sirs"
    double sigreject = 4.0;                 // SIRS only
    double gaussmooth = 1.0;                // SIRS only
    int halfwidth = 30;                     // SIRS only
    double siglimit = 3.0;
};

/// Everything about one exposure that does not change from plane to plane.
struct RefPixPlan {
    enum class Mode { amplifiers, flagged };
    static constexpr std::size_t detector_size = 2048;  // NIR detector (rows = cols)
    static constexpr std::size_t ref_width = 4;         // reference rows/columns per edge
    static constexpr std::size_t amp_width = 512;       // detector columns per amplifier

    Mode mode = Mode::amplifiers;
    DetectorOrientation orientation{1, 2};
    std::size_t ny = 0, nx = 0;          // science-frame plane
    PixelRect window;                    // the plane in the 2048x2048 detector frame
    // Detector-frame PIXELDQ of the window. A full plane made per run: on huge pages and
    // not zero-filled first (every element is written), as 4 KiB page faults dominated.
    std::vector<std::uint32_t, LargePageAllocator<std::uint32_t>> dq;
    std::array<std::vector<std::size_t>, 2> flagged;  // flagged mode: detector-frame flat indices by column parity
};

namespace detail::refpix {

inline std::optional<double> average_with_none(std::optional<double> a, std::optional<double> b) {
    if (!a) return b;
    if (!b) return a;
    return 0.5 * (*a + *b);
}

inline bool is_edgeless_subarray(const std::string& name) {
    return name == "SUB512" || name == "SUB512S" || name == "SUB32";
}

/// Median of the window pixels with NaN -> NaN and no pixel -> NaN (numpy median).
inline double median(std::vector<double>& v) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    for (double x : v)
        if (std::isnan(x)) return x;
    const std::size_t n = v.size(), mid = n / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    const double upper = v[mid];
    if (n % 2) return upper;
    const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    return (lower + upper) / 2.0;
}

/// Rows of mirror padding: jwst pads by half the length made odd, then scans `length` rows.
inline long mirror_half(int smoothing_length) { return (smoothing_length % 2 == 0 ? smoothing_length + 1 : smoothing_length) / 2; }

/// Intersection of detector range [a, b) with the window range [w0, w0+n), in window coordinates.
inline std::pair<std::size_t, std::size_t> local_range(std::size_t a, std::size_t b, std::size_t w0, std::size_t n) {
    const std::size_t lo = std::max(a, w0), hi = std::min(b, w0 + n);
    return lo < hi ? std::pair{lo - w0, hi - w0} : std::pair{std::size_t{0}, std::size_t{0}};
}

/// Top/bottom reference rows: per amplifier, subtract the even/odd-column clipped means.
inline void correct_top_bottom(double* g, const RefPixPlan& plan, const RefPixParams& p) {
    constexpr std::size_t N = RefPixPlan::detector_size, R = RefPixPlan::ref_width;
    const PixelRect& w = plan.window;
    const auto bottom = local_range(0, R, w.row0, w.nrows);
    const auto top = local_range(N - R, N, w.row0, w.nrows);
    std::array<std::optional<double>, 2> offset;  // [0]: even detector columns, [1]: odd (or [0]: all)
    for (std::size_t amp = 0; amp < N / RefPixPlan::amp_width; ++amp) {
        const auto [c0, c1] = local_range(amp * RefPixPlan::amp_width, (amp + 1) * RefPixPlan::amp_width, w.col0, w.ncols);
        if (c0 == c1) continue;
        std::array<std::array<std::optional<double>, 2>, 2> edge_mean;  // [edge][parity]
        for (int e = 0; e < 2; ++e) {
            const auto [r0, r1] = e == 0 ? top : bottom;
            std::array<std::vector<double>, 2> good;
            for (std::size_t r = r0; r < r1; ++r)
                for (std::size_t c = c0; c < c1; ++c) {
                    const std::size_t i = r * w.ncols + c;
                    if (plan.dq[i] & dq::DO_NOT_USE) continue;
                    good[p.odd_even_columns ? (w.col0 + c) % 2 : 0].push_back(g[i]);
                }
            for (int par = 0; par < 2; ++par) edge_mean[e][par] = refpix_clipped_mean(good[par], p.siglimit);
        }
        for (int par = 0; par < 2; ++par) offset[par] = average_with_none(edge_mean[0][par], edge_mean[1][par]);
        if (p.odd_even_columns ? !(offset[0] && offset[1]) : !offset[0]) continue;  // jwst: amplifier left alone
        for (std::size_t r = 0; r < w.nrows; ++r)
            for (std::size_t c = c0; c < c1; ++c)
                g[r * w.ncols + c] -= p.odd_even_columns ? *offset[(w.col0 + c) % 2] : *offset[0];
    }
}

/// Running median (window of side_smoothing_length rows, mirrored at the detector
/// edges without repeating the edge row) of the side columns [c0, c1), for every window row.
inline std::vector<double> side_running_median(const double* g, const RefPixPlan& plan, int smoothing_length,
                                               std::size_t c0, std::size_t c1) {
    const PixelRect& w = plan.window;
    const long n = static_cast<long>(RefPixPlan::detector_size);
    const long length = smoothing_length;
    const long half = mirror_half(smoothing_length);
    std::vector<double> out(w.nrows), window;
    for (std::size_t r = 0; r < w.nrows; ++r) {
        window.clear();
        if (c0 < c1) {
            const long det_row = static_cast<long>(w.row0 + r);
            for (long k = det_row - half; k < det_row - half + length; ++k) {
                const long mirrored = k < 0 ? -k : (k >= n ? 2 * (n - 1) - k : k);
                if (mirrored < static_cast<long>(w.row0) || mirrored >= static_cast<long>(w.row0 + w.nrows)) continue;
                const std::size_t row = static_cast<std::size_t>(mirrored) - w.row0;
                for (std::size_t c = c0; c < c1; ++c) {
                    const std::size_t i = row * w.ncols + c;
                    if (!(plan.dq[i] & dq::DO_NOT_USE)) window.push_back(g[i]);
                }
            }
        }
        out[r] = median(window);
    }
    return out;
}

/// Side reference columns: subtract side_gain * (left/right running-median average) per row.
inline void correct_side(double* g, const RefPixPlan& plan, const RefPixParams& p) {
    constexpr std::size_t N = RefPixPlan::detector_size, R = RefPixPlan::ref_width;
    const PixelRect& w = plan.window;
    const auto [l0, l1] = local_range(0, R, w.col0, w.ncols);
    const auto [q0, q1] = local_range(N - R, N, w.col0, w.ncols);
    const auto left = side_running_median(g, plan, p.side_smoothing_length, l0, l1);
    const auto right = side_running_median(g, plan, p.side_smoothing_length, q0, q1);
    for (std::size_t r = 0; r < w.nrows; ++r) {
        const double a = left[r], b = right[r];
        const double side = std::isnan(a) ? (std::isnan(b) ? 0.0 : b) : (std::isnan(b) ? a : 0.5 * (a + b));
        const double correction = p.side_gain * side;
        for (std::size_t c = 0; c < w.ncols; ++c) g[r * w.ncols + c] -= correction;
    }
}

/// Flagged mode: one clipped mean per detector-column parity (or overall).
inline void correct_flagged(double* g, const RefPixPlan& plan, const RefPixParams& p) {
    const PixelRect& w = plan.window;
    std::array<double, 2> offset{};
    for (int par = 0; par < (p.odd_even_columns ? 2 : 1); ++par) {
        std::vector<double> values;
        values.reserve(plan.flagged[par].size());
        for (std::size_t i : plan.flagged[par]) values.push_back(g[i]);
        offset[par] = *refpix_clipped_mean(values, p.siglimit);  // lists are non-empty (checked by the plan)
    }
    for (std::size_t r = 0; r < w.nrows; ++r)
        for (std::size_t c = 0; c < w.ncols; ++c)
            g[r * w.ncols + c] -= offset[p.odd_even_columns ? (w.col0 + c) % 2 : 0];
}

}  // namespace detail::refpix

/// Decide the mode, or return the reason jwst skips the step. Throws NotSupportedError
/// for unsupported readouts, ParameterError for bad parameters and InputError for
/// inconsistent keywords/arrays.
inline std::variant<RefPixPlan, StepOutcome> make_refpix_plan(const RampModel& model, const RefPixParams& p) {
    if (p.refpix_algorithm != "median" && p.refpix_algorithm != "sirs")
        throw ParameterError("refpix_algorithm", "", "'" + p.refpix_algorithm + "' is not one of 'median', 'sirs'");
    const ExposureMeta& m = model.meta;
    const std::size_t ny = model.ny(), nx = model.nx();
    constexpr std::size_t N = RefPixPlan::detector_size;
    if (std::max(ny, nx) > N)
        throw NotSupportedError("refpix: NIRSpec IRS2 data (plane " + std::to_string(ny) + "x" + std::to_string(nx) +
                                ") are not supported");
    if (m.is_miri()) {
        if (nx < 1032 || ny < 1024) return StepOutcome::skip("refpix is not applied to MIRI subarrays");
        throw NotSupportedError("refpix: MIRI full-frame reference pixel correction is not supported");
    }
    if (p.refpix_algorithm == "sirs" && m.subarray.find("FULL") != std::string::npos)
        throw NotSupportedError("refpix: refpix_algorithm='sirs' (SIRS convolution kernels) is not supported; use 'median'");
    if (model.pixeldq.shape() != std::array<std::size_t, 2>{ny, nx})
        throw InputError("refpix: PIXELDQ shape " + shape_text(model.pixeldq.shape()) + " does not match SCI plane (" +
                         std::to_string(ny) + ", " + std::to_string(nx) + ")");

    RefPixPlan plan;
    plan.orientation = DetectorOrientation(m.fastaxis, m.slowaxis);
    plan.ny = ny;
    plan.nx = nx;
    const bool subarray = nx < N || ny < N;
    PixelRect science{0, 0, ny, nx};
    if (subarray) {
        const long row0 = m.substrt2 - 1L, col0 = m.substrt1 - 1L;
        if (row0 < 0 || col0 < 0 || row0 + m.subsize2 > static_cast<long>(N) || col0 + m.subsize1 > static_cast<long>(N))
            return StepOutcome::skip("subarray SUBSTRT/SUBSIZE do not fit in the 2048x2048 detector");
        if (m.subsize1 != static_cast<int>(nx) || m.subsize2 != static_cast<int>(ny))
            throw InputError("refpix: SUBSIZE1/SUBSIZE2 = " + std::to_string(m.subsize1) + "/" + std::to_string(m.subsize2) +
                             " do not match the SCI plane (" + std::to_string(ny) + ", " + std::to_string(nx) + ")");
        science = {static_cast<std::size_t>(row0), static_cast<std::size_t>(col0), ny, nx};
        const auto noutputs = model.primary.get_int("NOUTPUTS");
        plan.mode = noutputs && *noutputs == 4 ? RefPixPlan::Mode::amplifiers : RefPixPlan::Mode::flagged;
    }
    plan.window = plan.orientation.to_detector(science, N, N);
    if (plan.mode == RefPixPlan::Mode::amplifiers && p.use_side_ref_pixels &&
        (p.side_smoothing_length < 2 || detail::refpix::mirror_half(p.side_smoothing_length) > static_cast<long>(N - 1)))
        throw ParameterError("side_smoothing_length", "",
                             "must be between 2 and " + std::to_string(2 * (N - 1) + 1) + " (jwst fails outside)");

    plan.dq.resize(ny * nx);  // default-initialised: science_to_detector writes every element
    if (subarray && detail::refpix::is_edgeless_subarray(m.subarray)) {
        std::vector<std::uint32_t> sci_dq(model.pixeldq.begin(), model.pixeldq.end());
        for (std::size_t y = 0; y < ny; ++y)
            for (std::size_t x = 0; x < nx; ++x)
                if (x < RefPixPlan::ref_width || x + RefPixPlan::ref_width >= nx) sci_dq[y * nx + x] |= dq::REFERENCE_PIXEL;
        science_to_detector(sci_dq.data(), ny, nx, plan.dq.data(), plan.orientation);
    } else {
        science_to_detector(model.pixeldq.data(), ny, nx, plan.dq.data(), plan.orientation);
    }

    if (plan.mode == RefPixPlan::Mode::flagged) {
        const PixelRect& w = plan.window;
        for (std::size_t i = 0; i < plan.dq.size(); ++i)
            if ((plan.dq[i] & dq::REFERENCE_PIXEL) && !(plan.dq[i] & dq::DO_NOT_USE))
                plan.flagged[p.odd_even_columns ? (w.col0 + i % w.ncols) % 2 : 0].push_back(i);
        if (plan.flagged[0].empty() && plan.flagged[1].empty()) return plan;  // jwst: COMPLETE, data unchanged
        if (p.odd_even_columns && (plan.flagged[0].empty() || plan.flagged[1].empty()))
            throw NotSupportedError(std::string("refpix: all usable REFERENCE_PIXEL pixels of the subarray lie in ") +
                                    (plan.flagged[0].empty() ? "odd" : "even") +
                                    " detector columns (jwst fails here); use odd_even_columns=False");
    }
    return plan;
}

/// True when the plan leaves every plane unchanged (flagged mode without reference pixels).
inline bool refpix_plan_is_noop(const RefPixPlan& plan) {
    return plan.mode == RefPixPlan::Mode::flagged && plan.flagged[0].empty() && plan.flagged[1].empty();
}

/// Correct one science-frame plane (ny x nx float32) in place. Planes are independent.
inline void refpix_correct_plane(const RefPixPlan& plan, const RefPixParams& p, float* plane) {
    if (refpix_plan_is_noop(plan)) return;
    std::vector<double> g(plan.ny * plan.nx);
    science_to_detector(plane, plan.ny, plan.nx, g.data(), plan.orientation);
    if (plan.mode == RefPixPlan::Mode::flagged) {
        detail::refpix::correct_flagged(g.data(), plan, p);
    } else {
        detail::refpix::correct_top_bottom(g.data(), plan, p);
        if (p.use_side_ref_pixels) detail::refpix::correct_side(g.data(), plan, p);
    }
    detector_to_science(g.data(), plan.ny, plan.nx, plane, plan.orientation);
}

/// The refpix step on a ramp, in place: SCI, and ZEROFRAME when present and ZEROFRAM is
/// true (its 0.0 "bad" values take part in the means, as in jwst, and stay 0.0).
inline StepOutcome subtract_reference_pixels(RampModel& model, const RefPixParams& p) {
    auto decided = make_refpix_plan(model, p);
    if (auto* outcome = std::get_if<StepOutcome>(&decided)) return *outcome;
    const RefPixPlan& plan = std::get<RefPixPlan>(decided);
    if (refpix_plan_is_noop(plan))
        return StepOutcome{false, "no usable reference pixels in the subarray; data unchanged"};
    const std::size_t nplanes = model.nints() * model.ngroups();
    for (std::size_t k = 0; k < nplanes; ++k) refpix_correct_plane(plan, p, model.sci.plane(k));
    if (model.meta.zeroframe && model.zeroframe) {
        auto& zf = *model.zeroframe;
        if (zf.extent(1) != plan.ny || zf.extent(2) != plan.nx)
            throw InputError("refpix: ZEROFRAME shape " + shape_text(zf.shape()) + " does not match the SCI plane");
        std::vector<float> original;
        for (std::size_t k = 0; k < zf.extent(0); ++k) {
            float* z = zf.plane(k);
            original.assign(z, z + zf.plane_size());
            refpix_correct_plane(plan, p, z);
            for (std::size_t i = 0; i < original.size(); ++i)
                if (original[i] == 0.0f) z[i] = 0.0f;
        }
    }
    return StepOutcome::complete();
}

}  // namespace orrery::jwst
