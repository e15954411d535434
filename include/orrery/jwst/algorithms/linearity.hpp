#pragma once
// linearity (docs/algorithms/linearity.md; stcal linearity_correction): evaluate the per-pixel
// correction polynomial on every group that is not SATURATED. Pixels flagged NO_LIN_CORR
// in the reference, or with a NaN coefficient or a zero linear term, get the identity
// polynomial [0, 1, 0, ...] (the last two also add NO_LIN_CORR to PIXELDQ).
// With INV_COEFFS and NFRAMES > 1 the read-level variant corrects each frame of a group.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/reference_shape.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace orrery::jwst {

/// stpipe LinearityStep has no parameters of its own.
struct LinearityParams {};

namespace detail {

/// Polynomial of ascending-power coefficients c[j*stride] at x by Horner, in the type of x:
/// r = c[n-1]*x; r = (r + c[j])*x for j = n-2..1; r + c[0]  (float32 for groups, double for reads).
template <class Real>
inline Real linearity_poly(const float* c, std::size_t stride, std::size_t n, Real x) {
    Real r = static_cast<Real>(c[(n - 1) * stride]) * x;
    for (std::size_t j = n - 1; j-- > 1;) {
        r += static_cast<Real>(c[j * stride]);
        r *= x;
    }
    return r + static_cast<Real>(c[0]);
}

/// One group row: s[x] = poly(s[x]) where the group is not SATURATED (gdq may be null).
/// The usual coefficient counts get a fixed-length loop without control flow (the kept raw
/// value chosen by a bit mask) that the compiler vectorises; the same float operations per
/// pixel as linearity_poly.
template <std::size_t N, bool HasDq>
inline void correct_group_row_n(float* __restrict s, const std::uint8_t* __restrict gdq, const float* __restrict c, std::size_t nx) {
    constexpr std::uint8_t sat = static_cast<std::uint8_t>(dq::SATURATED);
    for (std::size_t x = 0; x < nx; ++x) {
        const float v = s[x];
        float r = c[(N - 1) * nx + x] * v;
        for (std::size_t j = N - 1; j-- > 1;) {
            r += c[j * nx + x];
            r *= v;
        }
        r += c[x];
        if constexpr (HasDq) {
            const std::uint32_t keep = 0u - static_cast<std::uint32_t>((gdq[x] & sat) != 0);
            s[x] = std::bit_cast<float>((std::bit_cast<std::uint32_t>(r) & ~keep) | (std::bit_cast<std::uint32_t>(v) & keep));
        } else {
            s[x] = r;
        }
    }
}

template <std::size_t N>
inline void correct_group_row_n(float* s, const std::uint8_t* gdq, const float* c, std::size_t nx) {
    if (gdq) correct_group_row_n<N, true>(s, gdq, c, nx);
    else correct_group_row_n<N, false>(s, gdq, c, nx);
}

inline void correct_group_row(float* s, const std::uint8_t* gdq, const float* c, std::size_t nx, std::size_t nc) {
    switch (nc) {
        case 2: return correct_group_row_n<2>(s, gdq, c, nx);
        case 3: return correct_group_row_n<3>(s, gdq, c, nx);
        case 4: return correct_group_row_n<4>(s, gdq, c, nx);
        case 5: return correct_group_row_n<5>(s, gdq, c, nx);
        case 6: return correct_group_row_n<6>(s, gdq, c, nx);
        case 7: return correct_group_row_n<7>(s, gdq, c, nx);
        default: break;
    }
    constexpr std::uint8_t sat = static_cast<std::uint8_t>(dq::SATURATED);
    for (std::size_t x = 0; x < nx; ++x)
        if (!gdq || (gdq[x] & sat) == 0) s[x] = linearity_poly<float>(c + x, nx, nc, s[x]);
}

/// Row y of `coeffs` (ncoeffs, ny, nx) into `out` (ncoeffs, nx) after the reference-file fixes;
/// the NaN / zero-linear-term pixels get NO_LIN_CORR in `pdq_row`.
inline void prepare_linearity_row(const NdArray<float, 3>& coeffs, const NdArray<std::uint32_t, 2>& lin_dq, std::size_t y,
                                  std::uint32_t* pdq_row, std::vector<float>& out) {
    const std::size_t n = coeffs.extent(0), ny = coeffs.extent(1), nx = coeffs.extent(2);
    out.resize(n * nx);
    for (std::size_t x = 0; x < nx; ++x) {
        bool benign = dq::has_all(lin_dq(y, x), dq::NO_LIN_CORR);
        bool add_flag = false;
        if (!benign) {
            for (std::size_t j = 0; j < n; ++j) benign = benign || std::isnan(coeffs.data()[(j * ny + y) * nx + x]);
            if (!benign) benign = coeffs.data()[(1 * ny + y) * nx + x] == 0.0f;
            add_flag = benign;
        }
        for (std::size_t j = 0; j < n; ++j)
            out[j * nx + x] = benign ? (j == 1 ? 1.0f : 0.0f) : coeffs.data()[(j * ny + y) * nx + x];
        if (add_flag) pdq_row[x] |= dq::NO_LIN_CORR;
    }
}

/// Frame numbers (1-based) averaged into group g: g*nf+1 .. g*nf+nf, and their numpy mean.
inline double frame_number(std::size_t g, std::size_t nf, std::size_t r) { return static_cast<double>(g * nf + r + 1); }
inline double mean_frame_number(std::size_t g, std::size_t nf) {
    double sum = 0.0;
    for (std::size_t r = 0; r < nf; ++r) sum += frame_number(g, nf, r);
    return sum / static_cast<double>(nf);
}

/// Read-level correction of one pixel's ramp `d[g*stride]` (one integration): linearize the
/// first and last usable groups, rebuild each frame from that straight line through the inverse
/// polynomial, shift the frames to match the measured group, correct them and average.
inline void correct_pixel_read_level(float* d, const std::uint8_t* gdq, std::size_t stride, std::size_t ngroups,
                                     std::size_t nf, const float* c, std::size_t nc, const float* ic, std::size_t nic,
                                     std::size_t cstride, std::vector<double>& reads) {
    constexpr std::uint8_t sat = static_cast<std::uint8_t>(dq::SATURATED);
    long usable = 0;
    for (std::size_t g = 0; g < ngroups; ++g) usable += (gdq[g * stride] & sat) == 0;
    usable -= 1;  // the last unsaturated group may be partly saturated
    if (usable < 2) usable = 2;
    const std::size_t last = static_cast<std::size_t>(usable - 1);

    const auto classic = [&](std::size_t g) {
        return (gdq[g * stride] & sat) ? d[g * stride] : linearity_poly<float>(c, cstride, nc, d[g * stride]);
    };
    const float first_lin = classic(0);
    const float last_lin = classic(last);
    const double mr0 = mean_frame_number(0, nf);
    const double rate = static_cast<double>(last_lin - first_lin) / (mean_frame_number(last, nf) - mr0);

    reads.resize(nf);
    for (std::size_t g = 0; g < ngroups; ++g) {
        double predicted = 0.0;
        for (std::size_t r = 0; r < nf; ++r) {
            const double linear = static_cast<double>(first_lin) + rate * (frame_number(g, nf, r) - mr0);
            reads[r] = linearity_poly<double>(ic, cstride, nic, linear);
            predicted = r == 0 ? reads[r] : predicted + reads[r];
        }
        predicted /= static_cast<double>(nf);
        const double offset = static_cast<double>(d[g * stride]) - predicted;
        double corrected = 0.0;
        for (std::size_t r = 0; r < nf; ++r) {
            const double v = linearity_poly<double>(c, cstride, nc, reads[r] + offset);
            corrected = r == 0 ? v : corrected + v;
        }
        corrected /= static_cast<double>(nf);
        if ((gdq[g * stride] & sat) == 0) d[g * stride] = static_cast<float>(corrected);
    }
}

/// Rows [y0, y1) of the whole correction (coefficient fixes, PIXELDQ, groups, ZEROFRAME).
inline void correct_linearity_rows(RampModel& model, const LinearityRef& lin, bool read_level, std::size_t y0, std::size_t y1) {
    const std::size_t nx = model.nx(), nints = model.nints(), ngroups = model.ngroups();
    const std::size_t nc = lin.coeffs.extent(0);
    const std::size_t nic = read_level ? lin.inv_coeffs->extent(0) : 0;
    const std::size_t nf = static_cast<std::size_t>(model.meta.nframes);
    const bool has_gdq = !model.groupdq.empty();
    const bool zeroframe = model.meta.zeroframe && model.zeroframe.has_value();
    std::vector<float> c, ic;
    std::vector<double> reads;
    for (std::size_t y = y0; y < y1; ++y) {
        std::uint32_t* pdq = model.pixeldq.data() + y * nx;
        for (std::size_t x = 0; x < nx; ++x) pdq[x] |= lin.dq(y, x);
        prepare_linearity_row(lin.coeffs, lin.dq, y, pdq, c);
        if (read_level) prepare_linearity_row(*lin.inv_coeffs, lin.dq, y, pdq, ic);

        for (std::size_t i = 0; i < nints; ++i) {
            if (read_level) {
                const std::size_t plane = model.sci.plane_size();
                for (std::size_t x = 0; x < nx; ++x)
                    correct_pixel_read_level(model.sci.plane(i * ngroups) + y * nx + x,
                                             model.groupdq.plane(i * ngroups) + y * nx + x, plane, ngroups, nf,
                                             c.data() + x, nc, ic.data() + x, nic, nx, reads);
                continue;
            }
            for (std::size_t g = 0; g < ngroups; ++g) {
                float* s = model.sci.plane(i * ngroups + g) + y * nx;
                const std::uint8_t* gdq = has_gdq ? model.groupdq.plane(i * ngroups + g) + y * nx : nullptr;
                correct_group_row(s, gdq, c.data(), nx, nc);
            }
        }
        if (zeroframe) {
            for (std::size_t i = 0; i < nints; ++i) {
                float* z = model.zeroframe->plane(i) + y * nx;
                for (std::size_t x = 0; x < nx; ++x)
                    z[x] = z[x] == 0.0f ? 0.0f : linearity_poly<float>(c.data() + x, nx, nc, z[x]);  // 0 = bad, stays 0
            }
        }
    }
}

}  // namespace detail

/// Corrects SCI (and ZEROFRAME) in place and ORs the LINEARITY DQ plus NO_LIN_CORR into PIXELDQ.
/// SATURATED groups keep their raw value; DO_NOT_USE groups are corrected; NaN stays NaN.
/// The read-level variant runs when the reference has INV_COEFFS and NFRAMES > 1 (jwst also
/// requires no READ_TIMES, which this model never carries).
/// Throws InputError for COEFFS/DQ/INV_COEFFS not (n, ny, nx) / (ny, nx), fewer than 2
/// coefficients, or a read-level ramp with fewer than 2 groups.
/// Row blocks: prepare_linearity once (checks; returns whether the read-level variant runs),
/// then detail::correct_linearity_rows on any row ranges.
inline bool prepare_linearity(RampModel& model, const LinearityRef& lin) {
    detail::require_science_plane("LINEARITY", lin, "COEFFS", lin.coeffs, model);
    detail::require_science_plane("LINEARITY", lin, "DQ", lin.dq, model);
    detail::require_zeroframe_shape("linearity", model);
    if (lin.coeffs.extent(0) < 2)
        detail::throw_shape_mismatch("LINEARITY", lin, "COEFFS", lin.coeffs.shape(), model.sci.shape(),
                                     "at least 2 coefficients are needed");
    if (model.pixeldq.shape() != std::array<std::size_t, 2>{model.ny(), model.nx()})
        throw InputError("linearity: PIXELDQ has shape " + shape_text(model.pixeldq.shape()) + " but SCI is " +
                         shape_text(model.sci.shape()));
    if (!model.groupdq.empty() && model.groupdq.shape() != model.sci.shape())
        throw InputError("linearity: GROUPDQ has shape " + shape_text(model.groupdq.shape()) + " but SCI is " +
                         shape_text(model.sci.shape()));

    const bool read_level = lin.inv_coeffs.has_value() && model.meta.nframes > 1;
    if (read_level) {
        detail::require_science_plane("LINEARITY", lin, "INV_COEFFS", *lin.inv_coeffs, model);
        if (lin.inv_coeffs->extent(0) < 2)
            detail::throw_shape_mismatch("LINEARITY", lin, "INV_COEFFS", lin.inv_coeffs->shape(), model.sci.shape(),
                                         "at least 2 coefficients are needed");
        if (model.ngroups() < 2)
            throw InputError("linearity: read-level correction (INV_COEFFS, NFRAMES=" + std::to_string(model.meta.nframes) +
                             ") needs at least 2 groups but SCI is " + shape_text(model.sci.shape()));
        if (model.groupdq.empty()) model.groupdq.resize(model.sci.shape(), 0u);
    }
    return read_level;
}

inline void correct_linearity(RampModel& model, const LinearityRef& lin, const LinearityParams& /*params*/ = {}) {
    const bool read_level = prepare_linearity(model, lin);
    detail::correct_linearity_rows(model, lin, read_level, 0, model.ny());
}

}  // namespace orrery::jwst
