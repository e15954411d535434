#pragma once
// The serial reference of the refpix "median" algorithm: each plane copied to the
// detector frame in double precision, corrected there as jwst does (top/bottom
// amplifier means, then the side running median), and rounded back to float32. The
// parity tests hold the product's in-place kernel (orrery/jwst/algorithms/refpix.hpp)
// to these bits.

#include "orrery/jwst/algorithms/refpix.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <variant>
#include <vector>

namespace orrery::jwst::oracle {

namespace refpix_reference {  // its own scope for the kernel's helper names

using namespace orrery::jwst::detail::refpix;

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

/// Correct one science-frame plane (ny x nx float32) in place. Planes are independent.
inline void refpix_correct_plane(const RefPixPlan& plan, const RefPixParams& p, float* plane) {
    if (refpix_plan_is_noop(plan)) return;
    std::vector<double> g(plan.ny * plan.nx);
    science_to_detector(plane, plan.ny, plan.nx, g.data(), plan.orientation);
    if (plan.mode == RefPixPlan::Mode::flagged) {
        correct_flagged(g.data(), plan, p);
    } else {
        correct_top_bottom(g.data(), plan, p);
        if (p.use_side_ref_pixels) correct_side(g.data(), plan, p);
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
    for (std::size_t k = 0; k < nplanes; ++k) refpix_reference::refpix_correct_plane(plan, p, model.sci.plane(k));
    if (model.meta.zeroframe && model.zeroframe) {
        auto& zf = *model.zeroframe;
        if (zf.extent(1) != plan.ny || zf.extent(2) != plan.nx)
            throw InputError("refpix: ZEROFRAME shape " + shape_text(zf.shape()) + " does not match the SCI plane");
        std::vector<float> original;
        for (std::size_t k = 0; k < zf.extent(0); ++k) {
            float* z = zf.plane(k);
            original.assign(z, z + zf.plane_size());
            refpix_reference::refpix_correct_plane(plan, p, z);
            for (std::size_t i = 0; i < original.size(); ++i)
                if (original[i] == 0.0f) z[i] = 0.0f;
        }
    }
    return StepOutcome::complete();
}

}  // namespace refpix_reference

using refpix_reference::refpix_correct_plane;
using refpix_reference::subtract_reference_pixels;

}  // namespace orrery::jwst::oracle
