#pragma once
// Per-pixel two-point-difference jump detection (docs/algorithms/jump.md; stcal
// twopoint_difference.py find_crs): first differences in electrons, their median and
// noise, and the three ways of finding jumps in them -- iterative (few differences),
// single pass (>= min_diffs_single_pass) and sigma clipping (many integrations).
// Everything works on one pixel's strided ramp with caller-owned scratch, so rows can
// be processed independently and nothing is allocated per pixel.
//
// Numerics as the reference: electrons and differences are float32 (E = DN * gain),
// stored as double; medians, sigmas and ratios are double; the robust median of later
// iterations is rounded to float32 (stcal keeps it in a float32 array) and every
// |difference| - median is rounded to float32 (its e_jump array) before the ratio.

#include "orrery/jwst/algorithms/jump/astropy_sigma_clip.hpp"
#include "orrery/jwst/algorithms/jump/nan_median.hpp"
#include "orrery/jwst/dq_flags.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace orrery::jwst::jump_detail {

inline constexpr std::uint8_t g_dnu = static_cast<std::uint8_t>(dq::DO_NOT_USE);
inline constexpr std::uint8_t g_sat = static_cast<std::uint8_t>(dq::SATURATED);
inline constexpr std::uint8_t g_jump = static_cast<std::uint8_t>(dq::JUMP_DET);
inline constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();

/// One pixel of a (nints, ngroups, ny, nx) ramp: group (i, g) sits at (i*ngroups + g)*plane.
struct PixelRamp {
    const float* sci = nullptr;   // SCI at this pixel of plane 0
    std::uint8_t* gdq = nullptr;  // GROUPDQ at this pixel of plane 0
    std::size_t nints = 0, ngroups = 0, plane = 0;
    float gain = 0;

    [[nodiscard]] std::size_t ndiff() const { return ngroups - 1; }
    [[nodiscard]] std::size_t offset(std::size_t i, std::size_t g) const { return (i * ngroups + g) * plane; }
    /// GROUPDQ of the later group of difference k of integration i.
    [[nodiscard]] std::uint8_t& dq_after(std::size_t i, std::size_t k) const { return gdq[offset(i, k + 1)]; }
};

/// Signal of one group in electrons; NaN where the group is DO_NOT_USE or SATURATED.
inline float group_electrons(float dn, std::uint8_t groupdq, float gain) {
    return (groupdq & (g_dnu | g_sat)) != 0 ? nan_f : dn * gain;
}

/// First difference k of integration i: float32 E[k+1] - E[k] as double (NaN if either is unusable).
inline double first_difference(const PixelRamp& px, std::size_t i, std::size_t k) {
    const std::size_t o0 = px.offset(i, k), o1 = px.offset(i, k + 1);
    const float e0 = group_electrons(px.sci[o0], px.gdq[o0], px.gain);
    const float e1 = group_electrons(px.sci[o1], px.gdq[o1], px.gain);
    return static_cast<double>(e1 - e0);
}

/// All differences, d[i*(ngroups-1) + k].
inline void first_differences(const PixelRamp& px, double* d) {
    const std::size_t nd = px.ndiff();
    for (std::size_t i = 0; i < px.nints; ++i) {
        std::size_t o = px.offset(i, 0);
        float prev = group_electrons(px.sci[o], px.gdq[o], px.gain);
        for (std::size_t k = 0; k < nd; ++k) {
            o += px.plane;
            const float cur = group_electrons(px.sci[o], px.gdq[o], px.gain);
            d[i * nd + k] = static_cast<double>(cur - prev);
            prev = cur;
        }
    }
}

/// sqrt(|median| + rn^2/NFRAMES) in double (stcal: sqrt(|m|*dt + rn2/(0.5*nreads))/dt with
/// dt = 1, nreads = 2*NFRAMES); 0 becomes NaN so noiseless pixels never flag.
inline double noise_sigma(double median, double rn2_over_nframes) {
    const double s = std::sqrt(std::fabs(median) + rn2_over_nframes);
    return s == 0.0 ? nan_value : s;
}

/// Sigma thresholds by the number of usable differences.
struct RejectionThresholds {
    double four_or_more;  // rejection_threshold
    double three;         // four_group_rejection_threshold (3 differences = 4 groups)
    double two;           // three_group_rejection_threshold (2 differences = 3 groups)
};

/// Scratch for one pixel's differences, sized once per row block.
struct PixelScratch {
    std::vector<double> d, a, ratio, work;
    std::vector<std::uint8_t> cr;
    PixelScratch(std::size_t nints, std::size_t ngroups)
        : d(nints * (ngroups - 1)), a(d.size()), ratio(d.size()), work(d.size()), cr(nints) {}
};

/// Signed median and sigma of one pixel's differences (d already filled).
struct PixelNoise {
    double median = nan_value;
    double sigma = nan_value;
};
inline PixelNoise pixel_noise(const double* d, std::size_t n, double rn2_over_nframes, double* work) {
    PixelNoise p;
    p.median = nanmedian(d, n, work);
    p.sigma = noise_sigma(p.median, rn2_over_nframes);
    return p;
}

namespace iterative {

/// stcal get_cr_locs for one pixel: ratio[n] = |float32(a[n] - m)| / sigma(m) and, per
/// integration, whether its largest ratio beats the threshold for the usable count.
inline void ratios_and_candidates(const PixelRamp& px, double m, double rn2_over_nframes,
                                  const RejectionThresholds& thr, PixelScratch& s) {
    const std::size_t nd = px.ndiff(), n = px.nints * nd;
    const double sigma = noise_sigma(m, rn2_over_nframes);
    std::size_t usable = 0;
    for (std::size_t j = 0; j < n; ++j) {
        const float e = static_cast<float>(s.a[j] - m);
        s.ratio[j] = std::fabs(static_cast<double>(e)) / sigma;
        usable += std::isnan(s.a[j]) ? 0 : 1;
    }
    const bool any_threshold = usable >= 2;
    const double t = usable >= 4 ? thr.four_or_more : usable == 3 ? thr.three : thr.two;
    for (std::size_t i = 0; i < px.nints; ++i) {
        bool cr = false;
        if (any_threshold) {
            double mx = nan_value;  // nanmax over this integration's differences
            for (std::size_t k = 0; k < nd; ++k) {
                const double r = s.ratio[i * nd + k];
                if (!std::isnan(r) && (std::isnan(mx) || r > mx)) mx = r;
            }
            cr = mx > t;
        }
        s.cr[i] = cr ? 1 : 0;
    }
}

}  // namespace iterative

/// stcal iterative_jump for one pixel (s.d holds its differences): flag the difference(s)
/// with the largest ratio -- every exact tie -- in the integrations over threshold, drop
/// them, recompute the robust median (now rounded to float32) and repeat. Returns the
/// number of differences flagged.
inline std::size_t detect_iterative(const PixelRamp& px, double rn2_over_nframes, const RejectionThresholds& thr,
                                    PixelScratch& s) {
    const std::size_t nd = px.ndiff(), n = px.nints * nd;
    for (std::size_t j = 0; j < n; ++j) s.a[j] = std::fabs(s.d[j]);
    double m = robust_median(s.a.data(), n, s.work.data());  // first pass: kept in double
    std::size_t flagged = 0;
    for (std::size_t round = 0; round < n; ++round) {
        iterative::ratios_and_candidates(px, m, rn2_over_nframes, thr, s);
        double top = nan_value;  // nanmax over all differences of the pixel
        for (std::size_t j = 0; j < n; ++j)
            if (!std::isnan(s.ratio[j]) && (std::isnan(top) || s.ratio[j] > top)) top = s.ratio[j];
        std::size_t now = 0;
        for (std::size_t i = 0; i < px.nints; ++i) {
            if (!s.cr[i]) continue;
            for (std::size_t k = 0; k < nd; ++k) {
                const std::size_t j = i * nd + k;
                if (s.ratio[j] == top) {
                    px.dq_after(i, k) |= g_jump;
                    s.a[j] = nan_value;
                    ++now;
                }
            }
        }
        if (now == 0) break;
        flagged += now;
        m = static_cast<double>(static_cast<float>(robust_median(s.a.data(), n, s.work.data())));
    }
    return flagged;
}

/// stcal look_for_more_than_one_jump for one pixel: every finite difference with
/// |d - median| / sigma > rejection_threshold (strict).
inline std::size_t detect_single_pass(const PixelRamp& px, const PixelNoise& noise, double rejection_threshold,
                                      const double* d) {
    const std::size_t nd = px.ndiff();
    std::size_t flagged = 0;
    for (std::size_t i = 0; i < px.nints; ++i)
        for (std::size_t k = 0; k < nd; ++k) {
            const double v = d[i * nd + k];
            if (std::isfinite(v) && std::fabs(v - noise.median) / noise.sigma > rejection_threshold) {
                px.dq_after(i, k) |= g_jump;
                ++flagged;
            }
        }
    return flagged;
}

/// stcal det_jump_sigma_clipping for one pixel: astropy sigma_clip (median, std,
/// sigma = rejection_threshold, 5 rounds) of each difference across integrations
/// (only_use_ints) or of all differences together; clipped, finite differences whose
/// later group is neither SATURATED nor DO_NOT_USE are jumps. (The whole-plane reset
/// that follows needs the full frame: see detect_jumps.)
inline std::size_t detect_sigma_clip(const PixelRamp& px, double sigma, bool only_use_ints, PixelScratch& s) {
    const std::size_t nd = px.ndiff(), n = px.nints * nd;
    std::size_t flagged = 0;
    auto flag_clipped = [&](std::size_t j, const ClipBounds& b) {
        const double v = s.d[j];
        const std::size_t i = j / nd, k = j % nd;
        std::uint8_t& q = px.dq_after(i, k);
        if (sigma_clipped(v, b) && std::isfinite(v) && (q & (g_sat | g_dnu)) == 0) {
            q |= g_jump;
            ++flagged;
        }
    };
    if (only_use_ints) {
        for (std::size_t k = 0; k < nd; ++k) {
            std::ptrdiff_t count = 0;
            for (std::size_t i = 0; i < px.nints; ++i)
                if (std::isfinite(s.d[i * nd + k])) s.work[static_cast<std::size_t>(count++)] = s.d[i * nd + k];
            const ClipBounds b = sigma_clip_bounds(s.work.data(), count, sigma, sigma);
            for (std::size_t i = 0; i < px.nints; ++i) flag_clipped(i * nd + k, b);
        }
    } else {
        std::ptrdiff_t count = 0;
        for (std::size_t j = 0; j < n; ++j)
            if (std::isfinite(s.d[j])) s.work[static_cast<std::size_t>(count++)] = s.d[j];
        const ClipBounds b = sigma_clip_bounds(s.work.data(), count, sigma, sigma);
        for (std::size_t j = 0; j < n; ++j) flag_clipped(j, b);
    }
    return flagged;
}

}  // namespace orrery::jwst::jump_detail
