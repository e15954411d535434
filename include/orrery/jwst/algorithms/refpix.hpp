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
//
// What refpix does to a plane is, per detector pixel (r, c):
//     g = double(v);  g -= tb(c);  g -= side(r);  v = float(g)
// where tb(c) is the top/bottom offset of c's amplifier and parity (flagged mode: the
// offset of c's parity) and side(r) the side-column correction of row r. Subtracting
// 0.0 leaves every double unchanged (-0.0 and NaN included), so amplifiers jwst leaves
// alone and a disabled side correction are 0.0 here. Only the reference pixels are read
// to find tb and side (in jwst's order, so the clipped means and medians are
// the same numbers); then one pass over the plane applies them in science order,
// which vectorises.
//
//   RefPixCorrection c = refpix_plane_correction(plan, params, plane);   // reads ref pixels
//   apply_refpix_correction(plan, c, plane, y0, y1);                     // science rows [y0, y1)
//   refpix_correct_plane(plan, params, plane);                           // both

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

/// One plane's corrections, indexed by detector column (tb) and detector row (side) of the window.
struct RefPixCorrection {
    std::vector<double> tb;    // (window ncols)
    std::vector<double> side;  // (window nrows)
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

/// g(r, c) of the detector-frame window, read from the science-frame plane.
struct DetectorView {
    const float* plane;
    const RefPixPlan& plan;
    [[nodiscard]] double operator()(std::size_t r, std::size_t c) const {
        const auto [y, x] = plan.orientation.science_index(r, c, plan.ny, plan.nx);
        return static_cast<double>(plane[y * plan.nx + x]);
    }
};

/// correct_top_bottom's offsets, as a per-column subtrahend (0 where an amplifier is left alone).
inline void top_bottom_offsets(const DetectorView& g, const RefPixPlan& plan, const RefPixParams& p, std::vector<double>& tb) {
    constexpr std::size_t N = RefPixPlan::detector_size, R = RefPixPlan::ref_width;
    const PixelRect& w = plan.window;
    tb.assign(w.ncols, 0.0);
    const auto bottom = local_range(0, R, w.row0, w.nrows);
    const auto top = local_range(N - R, N, w.row0, w.nrows);
    for (std::size_t amp = 0; amp < N / RefPixPlan::amp_width; ++amp) {
        const auto [c0, c1] = local_range(amp * RefPixPlan::amp_width, (amp + 1) * RefPixPlan::amp_width, w.col0, w.ncols);
        if (c0 == c1) continue;
        std::array<std::array<std::optional<double>, 2>, 2> edge_mean;  // [edge][parity], as correct_top_bottom
        for (int e = 0; e < 2; ++e) {
            const auto [r0, r1] = e == 0 ? top : bottom;
            std::array<std::vector<double>, 2> good;
            for (std::size_t r = r0; r < r1; ++r)
                for (std::size_t c = c0; c < c1; ++c) {
                    if (plan.dq[r * w.ncols + c] & dq::DO_NOT_USE) continue;
                    good[p.odd_even_columns ? (w.col0 + c) % 2 : 0].push_back(g(r, c));
                }
            for (int par = 0; par < 2; ++par) edge_mean[e][par] = refpix_clipped_mean(good[par], p.siglimit);
        }
        std::array<std::optional<double>, 2> offset;
        for (int par = 0; par < 2; ++par) offset[par] = average_with_none(edge_mean[0][par], edge_mean[1][par]);
        if (p.odd_even_columns ? !(offset[0] && offset[1]) : !offset[0]) continue;  // jwst: amplifier left alone
        for (std::size_t c = c0; c < c1; ++c) tb[c] = p.odd_even_columns ? *offset[(w.col0 + c) % 2] : *offset[0];
    }
}

/// side_running_median over side columns [c0, c1) whose top/bottom-corrected values are
/// `cols` ((window nrows) x (c1 - c0)).
inline void side_medians(const std::vector<double>& cols, const RefPixPlan& plan, int smoothing_length, std::size_t c0,
                         std::size_t c1, std::vector<double>& out, std::vector<double>& window) {
    const PixelRect& w = plan.window;
    const long n = static_cast<long>(RefPixPlan::detector_size);
    const long length = smoothing_length;
    const long half = mirror_half(smoothing_length);
    const std::size_t width = c1 - c0;
    out.assign(w.nrows, 0.0);
    for (std::size_t r = 0; r < w.nrows; ++r) {
        window.clear();
        if (c0 < c1) {
            const long det_row = static_cast<long>(w.row0 + r);
            for (long k = det_row - half; k < det_row - half + length; ++k) {
                const long mirrored = k < 0 ? -k : (k >= n ? 2 * (n - 1) - k : k);
                if (mirrored < static_cast<long>(w.row0) || mirrored >= static_cast<long>(w.row0 + w.nrows)) continue;
                const std::size_t row = static_cast<std::size_t>(mirrored) - w.row0;
                for (std::size_t c = c0; c < c1; ++c)
                    if (!(plan.dq[row * w.ncols + c] & dq::DO_NOT_USE)) window.push_back(cols[row * width + (c - c0)]);
            }
        }
        out[r] = median(window);
    }
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

/// The corrections of one science-frame plane (not modified). The plan must not be a no-op.
inline RefPixCorrection refpix_plane_correction(const RefPixPlan& plan, const RefPixParams& p, const float* plane) {
    using namespace detail::refpix;
    const DetectorView g{plane, plan};
    const PixelRect& w = plan.window;
    RefPixCorrection out;
    out.side.assign(w.nrows, 0.0);
    if (plan.mode == RefPixPlan::Mode::flagged) {
        std::array<double, 2> offset{};
        for (int par = 0; par < (p.odd_even_columns ? 2 : 1); ++par) {
            std::vector<double> values;
            values.reserve(plan.flagged[par].size());
            for (std::size_t i : plan.flagged[par]) values.push_back(g(i / w.ncols, i % w.ncols));
            offset[par] = *refpix_clipped_mean(values, p.siglimit);  // lists are non-empty (checked by the plan)
        }
        out.tb.resize(w.ncols);
        for (std::size_t c = 0; c < w.ncols; ++c) out.tb[c] = offset[p.odd_even_columns ? (w.col0 + c) % 2 : 0];
        return out;
    }
    top_bottom_offsets(g, plan, p, out.tb);
    if (!p.use_side_ref_pixels) return out;
    constexpr std::size_t N = RefPixPlan::detector_size, R = RefPixPlan::ref_width;
    const auto [l0, l1] = local_range(0, R, w.col0, w.ncols);
    const auto [q0, q1] = local_range(N - R, N, w.col0, w.ncols);
    std::vector<double> cols, left, right, window;
    const auto side = [&](std::size_t c0, std::size_t c1, std::vector<double>& med) {
        cols.resize(w.nrows * (c1 - c0));
        for (std::size_t r = 0; r < w.nrows; ++r)
            for (std::size_t c = c0; c < c1; ++c) cols[r * (c1 - c0) + (c - c0)] = g(r, c) - out.tb[c];
        side_medians(cols, plan, p.side_smoothing_length, c0, c1, med, window);
    };
    side(l0, l1, left);
    side(q0, q1, right);
    for (std::size_t r = 0; r < w.nrows; ++r) {
        const double a = left[r], b = right[r];
        const double s = std::isnan(a) ? (std::isnan(b) ? 0.0 : b) : (std::isnan(b) ? a : 0.5 * (a + b));
        out.side[r] = p.side_gain * s;
    }
    return out;
}

/// Apply a plane's corrections to science rows [y0, y1) in place.
inline void apply_refpix_correction(const RefPixPlan& plan, const RefPixCorrection& k, float* plane, std::size_t y0, std::size_t y1) {
    const DetectorOrientation& o = plan.orientation;
    const std::size_t ny = plan.ny, nx = plan.nx;
    // Detector row/column of science row y / column x (see DetectorOrientation::science_index).
    const auto flip = [](bool f, std::size_t i, std::size_t n) { return f ? n - 1 - i : i; };
    std::vector<double> per_x(nx);
    if (!o.transposed()) {
        // r from y (SLOWAXIS), c from x (FASTAXIS): tb by column, side by row.
        for (std::size_t x = 0; x < nx; ++x) per_x[x] = k.tb[flip(o.fastaxis() < 0, x, nx)];
        for (std::size_t y = y0; y < y1; ++y) {
            const double s = k.side[flip(o.slowaxis() < 0, y, ny)];
            float* v = plane + y * nx;
            for (std::size_t x = 0; x < nx; ++x) v[x] = static_cast<float>((static_cast<double>(v[x]) - per_x[x]) - s);
        }
    } else {
        // c from y (FASTAXIS), r from x (SLOWAXIS): tb by row, side by column.
        for (std::size_t x = 0; x < nx; ++x) per_x[x] = k.side[flip(o.slowaxis() < 0, x, nx)];
        for (std::size_t y = y0; y < y1; ++y) {
            const double t = k.tb[flip(o.fastaxis() < 0, y, ny)];
            float* v = plane + y * nx;
            for (std::size_t x = 0; x < nx; ++x) v[x] = static_cast<float>((static_cast<double>(v[x]) - t) - per_x[x]);
        }
    }
}

/// Correct one science-frame plane (ny x nx float32) in place. Planes are independent.
inline void refpix_correct_plane(const RefPixPlan& plan, const RefPixParams& p, float* plane) {
    if (refpix_plan_is_noop(plan)) return;
    apply_refpix_correction(plan, refpix_plane_correction(plan, p, plane), plane, 0, plan.ny);
}

/// The refpix step on a ramp, in place: SCI, and ZEROFRAME when present and ZEROFRAM is
/// true (its 0.0 "bad" values take part in the means, as in jwst, and stay 0.0). The SCI
/// planes are corrected by `for_planes(count, body(k0, k1))`, possibly concurrently.
template <class ForPlanes>
StepOutcome subtract_reference_pixels(RampModel& model, const RefPixParams& p, ForPlanes&& for_planes) {
    auto decided = make_refpix_plan(model, p);
    if (auto* outcome = std::get_if<StepOutcome>(&decided)) return *outcome;
    const RefPixPlan& plan = std::get<RefPixPlan>(decided);
    if (refpix_plan_is_noop(plan)) return StepOutcome{false, "no usable reference pixels in the subarray; data unchanged"};
    for_planes(model.nints() * model.ngroups(), [&](std::size_t k0, std::size_t k1) {
        for (std::size_t k = k0; k < k1; ++k) refpix_correct_plane(plan, p, model.sci.plane(k));
    });
    if (model.meta.zeroframe && model.zeroframe) {
        auto& zf = *model.zeroframe;
        if (zf.extent(1) != plan.ny || zf.extent(2) != plan.nx)
            throw InputError("refpix: ZEROFRAME shape " + shape_text(zf.shape()) + " does not match the SCI plane");
        for (std::size_t k = 0; k < zf.extent(0); ++k) {
            float* z = zf.plane(k);
            const RefPixCorrection c = refpix_plane_correction(plan, p, z);
            // Its 0.0 "bad" values take part in the means but stay 0.0.
            const std::vector<float> original(z, z + zf.plane_size());
            apply_refpix_correction(plan, c, z, 0, plan.ny);
            for (std::size_t i = 0; i < original.size(); ++i)
                if (original[i] == 0.0f) z[i] = 0.0f;
        }
    }
    return StepOutcome::complete();
}

/// subtract_reference_pixels on one thread.
inline StepOutcome subtract_reference_pixels(RampModel& model, const RefPixParams& p) {
    return subtract_reference_pixels(model, p, [](std::size_t n, const auto& body) { body(std::size_t{0}, n); });
}

}  // namespace orrery::jwst
