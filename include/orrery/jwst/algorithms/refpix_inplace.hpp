#pragma once
// refpix without a double-precision copy of each plane: the same result, bit for bit,
// as refpix_correct_plane (algorithms/refpix.hpp), which stays the reference.
//
// What refpix does to a plane is, per detector pixel (r, c):
//     g = double(v);  g -= tb(c);  g -= side(r);  v = float(g)
// where tb(c) is the top/bottom offset of c's amplifier and parity (flagged mode: the
// offset of c's parity) and side(r) the side-column correction of row r. Subtracting
// 0.0 leaves every double unchanged (-0.0 and NaN included), so amplifiers jwst leaves
// alone and a disabled side correction are 0.0 here. Only the reference pixels are read
// to find tb and side (in the reference's order, so the clipped means and medians are
// the same numbers); then one pass over the plane applies them in science order,
// which vectorises.
//
//   RefPixCorrection c = refpix_plane_correction(plan, params, plane);   // reads ref pixels
//   apply_refpix_correction(plan, c, plane, y0, y1);                     // science rows [y0, y1)
//   refpix_correct_plane_inplace(plan, params, plane);                   // both

#include "orrery/jwst/algorithms/refpix.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace orrery::jwst {

/// One plane's corrections, indexed by detector column (tb) and detector row (side) of the window.
struct RefPixCorrection {
    std::vector<double> tb;    // (window ncols)
    std::vector<double> side;  // (window nrows)
};

namespace detail::refpix {

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

/// refpix_correct_plane, in place without a double copy of the plane.
inline void refpix_correct_plane_inplace(const RefPixPlan& plan, const RefPixParams& p, float* plane) {
    if (refpix_plan_is_noop(plan)) return;
    apply_refpix_correction(plan, refpix_plane_correction(plan, p, plane), plane, 0, plan.ny);
}

/// subtract_reference_pixels with the planes corrected by `for_planes(count, body(k0, k1))`
/// (possibly concurrently) through refpix_correct_plane_inplace. Same outcome and errors.
template <class ForPlanes>
StepOutcome subtract_reference_pixels_inplace(RampModel& model, const RefPixParams& p, ForPlanes&& for_planes) {
    auto decided = make_refpix_plan(model, p);
    if (auto* outcome = std::get_if<StepOutcome>(&decided)) return *outcome;
    const RefPixPlan& plan = std::get<RefPixPlan>(decided);
    if (refpix_plan_is_noop(plan)) return StepOutcome{false, "no usable reference pixels in the subarray; data unchanged"};
    for_planes(model.nints() * model.ngroups(), [&](std::size_t k0, std::size_t k1) {
        for (std::size_t k = k0; k < k1; ++k) refpix_correct_plane_inplace(plan, p, model.sci.plane(k));
    });
    if (model.meta.zeroframe && model.zeroframe) {
        auto& zf = *model.zeroframe;
        if (zf.extent(1) != plan.ny || zf.extent(2) != plan.nx)
            throw InputError("refpix: ZEROFRAME shape " + shape_text(zf.shape()) + " does not match the SCI plane");
        for (std::size_t k = 0; k < zf.extent(0); ++k) {
            float* z = zf.plane(k);
            const RefPixCorrection c = refpix_plane_correction(plan, p, z);
            // Its 0.0 "bad" values take part in the means but stay 0.0 (as subtract_reference_pixels).
            const std::vector<float> original(z, z + zf.plane_size());
            apply_refpix_correction(plan, c, z, 0, plan.ny);
            for (std::size_t i = 0; i < original.size(); ++i)
                if (original[i] == 0.0f) z[i] = 0.0f;
        }
    }
    return StepOutcome::complete();
}

}  // namespace orrery::jwst
