#pragma once
// Fit of one ramp segment (docs/algorithms/ramp_fit.md "Segment fit"): slope, Poisson and
// read-noise variances, and the optimal-weighting least squares for n >= 3.
// All arithmetic is double, in the reference's operation order (results are
// compared to rounding); only the weight power uses single-precision powf.

#include "orrery/jwst/algorithms/ramp_fit/segments.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace orrery::jwst::rampfit {

/// Variances at or above this are treated as "no information" (set to 0).
inline constexpr double LARGE_VARIANCE_THRESHOLD = 1.0e6;

/// Per-pixel constants every segment fit of the pixel shares.
struct PixelNoise {
    double gain = 0.0;         // GAIN [e-/DN]
    double rnoise = 0.0;       // R = float32(RN * gain / sqrt(2 nframes)) [e-]
    double dark = 0.0;         // average dark current [DN/s]
    double median_rate = 0.0;  // pixel median rate [DN/s]
};

/// Results of one segment. sigslope/yint/sigyint are only computed for n >= 2
/// (the reference leaves them 0 for n == 1); weight = 1 / var_r.
struct SegmentFit {
    double slope = 0.0;  // DN/s
    double var_p = 0.0, var_r = 0.0, var_e = 0.0;
    double sigslope = 0.0, yint = 0.0, sigyint = 0.0, weight = 0.0;
};

/// Poisson variance of a segment: (median rate, if positive, + dark) / denominator.
inline double segment_poisson_variance(const PixelNoise& px, double denominator) noexcept {
    return px.median_rate > 0.0 ? (px.median_rate + px.dark) / denominator : px.dark / denominator;
}

/// Read-noise variance of a 1- or 2-group segment with time step `t`: 12 (R/t)^2 / (6 gain^2).
inline double segment_rnoise_short(const PixelNoise& px, double t) noexcept {
    double num = px.rnoise / t;
    num = 12.0 * num * num;
    const double den = 6.0 * px.gain * px.gain;
    return num / den;
}

/// Read-noise variance of an n >= 3 segment: 12 (R/tg)^2 / ((n^3 - n) gain^2); 0 for a bad gain.
inline double segment_rnoise_long(const PixelNoise& px, double tg, double n) noexcept {
    if (px.gain <= 0.0 || std::isnan(px.gain)) return 0.0;
    double num = px.rnoise / tg;
    num = 12.0 * num * num;
    double den = n * n * n - n;
    den = den * px.gain * px.gain;
    return num / den;
}

/// Signal-to-noise of a segment from its end-point difference (NaN propagates).
inline double segment_snr(const PixelNoise& px, double first, double last) noexcept {
    const double diff = last - first;
    const double den = px.rnoise * px.rnoise + diff * px.gain;
    if (den <= 0.0 || px.gain == 0.0) return 0.0;
    const double s = diff * px.gain / std::sqrt(den);
    return s < 0.0 ? 0.0 : s;
}

/// Optimal-weighting exponents, indexed by snr_power_index.
inline constexpr double kWeightPowers[6] = {0.0, 0.4, 1.0, 3.0, 6.0, 10.0};
inline constexpr int kWeightPowerCount = 6;

/// Index into kWeightPowers for a segment SNR (a NaN SNR falls through to 10, as upstream).
inline int snr_power_index(double snr) noexcept {
    if (snr < 5.0) return 0;
    if (snr < 10.0) return 1;
    if (snr < 20.0) return 2;
    if (snr < 50.0) return 3;
    if (snr < 100.0) return 4;
    return 5;
}

/// powf evaluated by the C library at run time, as the reference does. With constant
/// arguments (the weight table, once inlined) GCC would otherwise fold powf with MPFR,
/// which rounds correctly and so differs from glibc's powf by an ulp for some bases:
/// the weights, and the slopes, would then depend on where the code was inlined.
inline float runtime_powf(float base, float power) noexcept {
    volatile float b = base;
    return std::pow(static_cast<float>(b), power);
}

/// Unscaled optimal weights |(j - mid)/mid|^P of an n-group segment (n >= 3), j = 0..n-1.
/// Single precision on purpose: the reference calls powf (so 0^0 == 1).
inline void optimal_weights(int n, double power, float* out) noexcept {
    const double mid = static_cast<double>(n - 1) / 2.0;
    const double inv_mid = 1.0 / mid;
    for (int j = 0; j < n; ++j) {
        const double base = std::fabs((static_cast<double>(j) - mid) * inv_mid);
        out[j] = runtime_powf(static_cast<float>(base), static_cast<float>(power));
    }
}

/// optimal_weights for every segment length 3..max_length and every power, computed once
/// (the weights do not depend on the data, only on n and the SNR class).
class OptimalWeightTable {
public:
    explicit OptimalWeightTable(int max_length) : max_(max_length < 3 ? 2 : max_length) {
        for (int n = 3; n <= max_; ++n)
            for (int p = 0; p < kWeightPowerCount; ++p) {
                offsets_.push_back(weights_.size());
                weights_.resize(weights_.size() + static_cast<std::size_t>(n));
                optimal_weights(n, kWeightPowers[p], weights_.data() + offsets_.back());
            }
    }
    [[nodiscard]] const float* get(int n, int power_index) const noexcept {
        return weights_.data() + offsets_[static_cast<std::size_t>((n - 3) * kWeightPowerCount + power_index)];
    }

private:
    int max_;
    std::vector<std::size_t> offsets_;
    std::vector<float> weights_;
};

/// One-group segment: slope = v / t, where t is TGROUP or the special first-group time.
inline SegmentFit fit_segment_len1(const PixelNoise& px, double value, double t) noexcept {
    SegmentFit f;
    f.slope = value / t;
    f.var_p = segment_poisson_variance(px, t * px.gain);
    f.var_r = segment_rnoise_short(px, t);
    f.var_e = f.var_p + f.var_r;
    f.weight = 1.0 / f.var_r;
    return f;
}

/// Two-group segment starting at group `start`: the plain difference.
inline SegmentFit fit_segment_len2(const PixelNoise& px, const double* v, int start, double tg) noexcept {
    const double v0 = v[start], v1 = v[start + 1];
    SegmentFit f;
    f.slope = (v1 - v0) / tg;
    f.var_p = segment_poisson_variance(px, tg * px.gain);
    f.var_r = segment_rnoise_short(px, tg);
    f.var_e = f.var_p + f.var_r;
    f.sigslope = 1.41421356 * px.rnoise;  // the reference's truncated sqrt(2)
    const double second = static_cast<double>(start) + 1.0;
    f.yint = v1 * (1.0 - second) + v0 * second;
    f.sigyint = f.sigslope;
    f.weight = 1.0 / f.var_r;
    return f;
}

/// Segment of n >= 3 groups: least squares with weights |(j - mid)/mid|^P / R^2, P from the
/// SNR. x is the absolute group index; NaN samples count as 0. `table` (optional) caches the
/// powf weights; the uncertainties sigslope/sigyint are only needed for fitopt.
inline SegmentFit fit_segment_weighted(const PixelNoise& px, const double* v, RampSegment seg, double tg,
                                       const OptimalWeightTable* table = nullptr, bool uncertainties = true) noexcept {
    const int n = seg.length;
    const int power = snr_power_index(segment_snr(px, v[seg.start], v[seg.start + n - 1]));
    const float* unscaled = table ? table->get(n, power) : nullptr;
    const double inv_rn2 = 1.0 / (px.rnoise * px.rnoise);

    double sw = 0.0, sx = 0.0, sxx = 0.0, sy = 0.0, sxy = 0.0;
    const double mid = static_cast<double>(n - 1) / 2.0, inv_mid = 1.0 / mid;
    for (int j = 0; j < n; ++j) {
        // Single precision on purpose (the reference's powf), as in optimal_weights.
        const float u = unscaled ? unscaled[j]
                                 : runtime_powf(static_cast<float>(std::fabs((static_cast<double>(j) - mid) * inv_mid)),
                                                static_cast<float>(kWeightPowers[power]));
        const double w = static_cast<double>(u) * inv_rn2;
        const double x = static_cast<double>(j) + static_cast<double>(seg.start);
        double y = v[seg.start + j];
        if (std::isnan(y)) y = 0.0;
        const double xw = x * w;
        sw += w;
        sx += xw;
        sxx += x * xw;
        sy += y * w;
        sxy += y * xw;
    }

    const double den = sw * sxx - sx * sx;
    const double num = sw * sxy - sx * sy;
    const double inv_den = 1.0 / den;

    SegmentFit f;
    f.slope = num * inv_den / tg;
    if (uncertainties) {
        f.sigslope = std::sqrt(sw * inv_den);
        f.yint = (sxx * sy - sx * sxy) * inv_den;
        f.sigyint = std::sqrt(sxx * inv_den);
    }
    const double len = static_cast<double>(n);
    f.var_p = segment_poisson_variance(px, tg * px.gain * (len - 1.0));
    f.var_r = segment_rnoise_long(px, tg, len);
    f.var_e = f.var_p + f.var_r;
    f.weight = 1.0 / f.var_r;
    return f;
}

/// Fit any segment of the ramp values `v` (one integration, NaN where saturated).
/// `t_len1` is the time a one-group segment divides by (TGROUP unless special timing applies).
inline SegmentFit fit_segment(const PixelNoise& px, const double* v, RampSegment seg, double tg, double t_len1,
                              const OptimalWeightTable* table = nullptr, bool uncertainties = true) noexcept {
    if (seg.length == 1) return fit_segment_len1(px, v[seg.start], t_len1);
    if (seg.length == 2) return fit_segment_len2(px, v, seg.start, tg);
    return fit_segment_weighted(px, v, seg, tg, table, uncertainties);
}

/// Read-noise variance alone for a segment (used by the CHARGELOSS recomputation).
inline double segment_rnoise(const PixelNoise& px, int length, double tg, double t_len1) noexcept {
    if (length == 1) return segment_rnoise_short(px, t_len1);
    if (length == 2) return segment_rnoise_short(px, tg);
    return segment_rnoise_long(px, tg, static_cast<double>(length));
}

}  // namespace orrery::jwst::rampfit
