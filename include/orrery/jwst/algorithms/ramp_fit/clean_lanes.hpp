#pragma once
// Fast path of OLS_C ramp fitting for clean pixels, a block of adjacent pixels at a time
// (docs/algorithms/ramp_fit.md). A pixel is clean when no group of any integration carries a flag,
// its PIXELDQ has neither DO_NOT_USE nor SATURATED and its gain is > 0 (finite; read noise
// and dark current not NaN: see eligible): then each of its ramps is one segment over all
// groups, and PixelRampFitter's general fit reduces to straight-line arithmetic.
//
// Bit-identical by construction: the arithmetic runs on vectors of two doubles, one pixel
// per lane (GCC/Clang vector extension: SSE2 on x86-64), with exactly the operations of
// the general path in the same order. Each lane rounds as the scalar double operation
// does (no FMA: -ffp-contract=off; division and square root are correctly rounded in SIMD
// too), conditions become lane-wise selects, and the median of the first differences
// runs the same sorting network (small_sort.hpp) on whole vectors.
//
// Fast by layout: the work is split into stages (per-pixel constants; medians and SNR
// classes; weighted sums; variances and outputs; exposure), each a loop over the pixel
// pairs of the block with independent iterations, so that the long chains of divisions of
// several pairs overlap in the out-of-order core (one pair's whole fit exceeds its window),
// and without data-dependent branches. About 25 divisions and 3 square roots per pixel
// remain: the divider sets most of the time.
//
// The caller checks flags, PIXELDQ, gain, read noise and dark (eligible); fit() writes
// every pixel of the block and returns which had only non-NaN first differences (valid:
// no NaN value either). A pixel that is not both must be refitted by the general path.

#include "orrery/jwst/algorithms/ramp_fit/exposure_plan.hpp"
#include "orrery/jwst/algorithms/ramp_fit/outputs.hpp"
#include "orrery/jwst/algorithms/ramp_fit/pixel_fit.hpp"
#include "orrery/jwst/algorithms/ramp_fit/segment_fit.hpp"
#include "orrery/jwst/algorithms/small_sort.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace orrery::jwst::rampfit {

class CleanRampBlock {
public:
    typedef double V __attribute__((vector_size(16)));  // two pixels
    typedef float F __attribute__((vector_size(8)));
    using M = decltype(V{} < V{});  // lane masks
    static constexpr std::size_t block = 32;                 // pixels per fit() (even, <= 64)

    /// Whether the plan leaves clean pixels to this kernel: no group window, no MIRI
    /// discard, 3..small_sort_max + 1 groups (one segment of >= 3 groups), no fitopt.
    static bool applies(const RampFitPlan& plan) noexcept {
        return plan.first == 0 && plan.ngroups == plan.ngroups_in && plan.ngroups >= 3 && plan.ngroups - 1 <= small_sort_max &&
               plan.dnu_before == 0 && plan.dnu_after >= plan.ngroups_in - 1 && !plan.save_opt;
    }

    /// Whether a pixel (group flags OR-ed over its ramps, PIXELDQ, GAIN, READNOISE, dark
    /// current) takes this kernel. The gain must be finite (see combine_exposure in fit).
    /// NaN read noise or dark go to the general path: NaN inputs are the only NaNs that can
    /// differ from the one an invalid operation makes, and which of two different NaNs an
    /// operation returns depends on operand order, which the compiler may choose
    /// differently for scalar and vector code.
    static bool eligible(std::uint8_t flags, std::uint32_t pixeldq, float gain, float readnoise, float dark) noexcept {
        return flags == 0 && !(pixeldq & (dq::DO_NOT_USE | dq::SATURATED)) && gain > 0.0f &&
               gain <= std::numeric_limits<float>::max() && readnoise == readnoise && dark == dark;
    }

    explicit CleanRampBlock(const RampFitPlan& plan)
        : plan_(plan),
          n_(static_cast<int>(plan.ngroups)),
          ramp_stage_(ramp_stages()[static_cast<std::size_t>(n_ - 1)]),
          slopes_(plan.nints * (block / 2)),
          classes_(plan.nints * (block / 2)) {
        const OptimalWeightTable table(n_);
        for (int p = 0; p < kWeightPowerCount; ++p)
            for (int q = 0; q < kWeightPowerCount; ++q)
                for (int j = 0; j < n_; ++j)
                    weights_[p * kWeightPowerCount + q][j] = V{static_cast<double>(table.get(n_, p)[j]), static_cast<double>(table.get(n_, q)[j])};
    }

    /// Fit pixels p .. p + count - 1 (flat indices in the (ny, nx) plane, within one row;
    /// count even, <= block) and write their products. Bit k of the result: pixel p + k valid.
    std::uint64_t fit(const RampFitSources& src, std::size_t p, std::size_t count, const RampFitOutputs& out) noexcept {
        constexpr std::size_t kPairs = block / 2;
        const std::size_t pairs = count / 2, plane = plan_.ny * plan_.nx, nints = plan_.nints;
        const double tg = plan_.tgroup, len = static_cast<double>(n_);
        const float* sci = src.ramp.sci.data() + p;
        const V zero{};

        // Per-pixel constants (PixelRampFitter::load) and what does not depend on the
        // integration: the read-noise variance of the one segment and its combination.
        V gain[kPairs] = {}, rnoise[kPairs] = {}, inv_rn2[kPairs] = {}, dark[kPairs], var_r[kPairs], inv_r[kPairs], vr[kPairs];
        const double rn_den = len * len * len - len;  // segment_rnoise_long
        for (std::size_t k = 0; k < pairs; ++k) {
            const std::size_t q = p + 2 * k;
            const V g = gain[k] = load_widen(src.gain.data() + q);
            const V rn = rnoise[k] = widen(__builtin_convertvector(load_widen(src.readnoise.data() + q) * (g / plan_.sqrt_2nframes), F));
            dark[k] = src.dark.per_pixel ? load_widen(src.dark.per_pixel + q) : splat(static_cast<double>(src.dark.value));
            inv_rn2[k] = 1.0 / (rn * rn);  // fit_segment_weighted
            V t = rn / tg;
            t = 12.0 * t * t;
            var_r[k] = t / (rn_den * g * g);
            inv_r[k] = 0.0 + 1.0 / var_r[k];  // fit_segments' sum over one segment
            const V r = 1.0 / inv_r[k];
            vr[k] = r >= LARGE_VARIANCE_THRESHOLD ? zero : r;
        }

        // Median rate and the slope of every integration.
        V median_rate[kPairs];
        M valid[kPairs];
        ramp_stage_(*this, sci, pairs, gain, rnoise, inv_rn2, median_rate, valid);

        V inv_p_exp[kPairs], inv_r_exp[kPairs], num_exp[kPairs], last_vp[kPairs];
        for (std::size_t k = 0; k < pairs; ++k) inv_p_exp[k] = inv_r_exp[k] = num_exp[k] = zero;
        for (std::size_t i = 0; i < nints; ++i) {
            const V* slope = slopes_.data() + i * kPairs;
            // Its variances, the integration's combination (fit_segments) and the exposure sums.
            for (std::size_t k = 0; k < pairs; ++k) {
                const V mr = median_rate[k];
                const V var_p = (mr > 0.0 ? mr + dark[k] : dark[k]) / (tg * gain[k] * (len - 1.0));
                const V var_e = var_p + var_r[k];
                const V inv_p = var_p > 0.0 ? 0.0 + 1.0 / var_p : zero;
                const V inv_e = 0.0 + 1.0 / var_e;
                const V num = 0.0 + slope[k] / var_r[k];
                V vp = inv_p > 0.0 ? 1.0 / inv_p : zero;
                vp = last_vp[k] = vp >= LARGE_VARIANCE_THRESHOLD ? zero : vp;
                const V ve = 1.0 / inv_e;
                const V err = ve > LARGE_VARIANCE_THRESHOLD ? zero : sqrt_lanes(ve);
                inv_p_exp[k] = inv_p > 0.0 ? inv_p_exp[k] + inv_p : inv_p_exp[k];
                inv_r_exp[k] = inv_r_exp[k] + inv_r[k];
                num_exp[k] = num_exp[k] + num;

                const std::size_t q = i * plane + p + 2 * k;
                store(out.rateints.sci.data() + q, num * vr[k]);
                store(out.rateints.err.data() + q, err);
                store(out.rateints.var_poisson.data() + q, vp);
                store(out.rateints.var_rnoise.data() + q, vr[k]);
            }
            std::memcpy(out.rateints.dq.data() + i * plane + p, src.ramp.pixeldq.data() + p, count * sizeof(std::uint32_t));
        }

        // combine_exposure. With one integration its variances are the integration's, so
        // two divisions are saved: for an eligible pixel inv_p and inv_r are +0 or > 0
        // (var_r in [0, inf], never NaN: read noise not NaN, gain > 0 and finite), so the
        // sums equal them;
        // > 0 gives the same 1/x on both sides and both thresholds agree (1/x >= 0);
        // +0 gives 0 on both (the integration's 1/+0 = inf is thresholded to 0).
        std::uint64_t ok = 0;
        for (std::size_t k = 0; k < pairs; ++k) {
            V vp = last_vp[k], r = vr[k];
            if (nints > 1) {
                vp = inv_p_exp[k] > 0.0 ? 1.0 / inv_p_exp[k] : inv_p_exp[k];
                vp = ((vp >= LARGE_VARIANCE_THRESHOLD) | (vp < 0.0)) ? zero : vp;
                r = inv_r_exp[k] > 0.0 ? 1.0 / inv_r_exp[k] : inv_r_exp[k];
                r = r >= LARGE_VARIANCE_THRESHOLD ? zero : r;
            }
            const V num = num_exp[k];
            const std::size_t q = p + 2 * k;
            store(out.rate.sci.data() + q, num == num ? num * r : num);
            store(out.rate.err.data() + q, sqrt_lanes(vp + r));
            store(out.rate.var_poisson.data() + q, vp);
            store(out.rate.var_rnoise.data() + q, r);
            ok |= static_cast<std::uint64_t>((valid[k][0] ? 1u : 0u) | (valid[k][1] ? 2u : 0u)) << (2 * k);
        }
        std::memcpy(out.rate.dq.data() + p, src.ramp.pixeldq.data() + p, count * sizeof(std::uint32_t));
        return ok;
    }

private:
    using RampStage = void (*)(CleanRampBlock& self, const float* sci, std::size_t pairs, const V* gain, const V* rnoise,
                               const V* inv_rn2, V* median_rate, M* valid);

    /// For each pixel pair, over its integrations: compute_median_rate (median of the
    /// Mdiff = ngroups - 1 differences of v / TGROUP; valid: none NaN) and
    /// fit_segment_weighted's slope over [0, ngroups) (into slopes_). A template per Mdiff:
    /// the sorting network is inlined (what it computes for positions other than the median
    /// is dropped by the compiler) and the sums are unrolled.
    ///
    /// Two loops: the first also finds each lane's SNR class without branches (the classes of
    /// neighbouring pixels alternate unpredictably: mispredicted branches cost more than the
    /// whole class computation), the second does the weighted sums with the classes known, so
    /// no iteration waits for a square root and a division before its loads can start.
    template <std::size_t Mdiff>
    static void ramp_stage(CleanRampBlock& self, const float* sci, std::size_t pairs, const V* gain, const V* rnoise,
                           const V* inv_rn2, V* median_rate, M* valid) noexcept {
        constexpr std::size_t n = Mdiff + 1;
        constexpr std::size_t kPairs = block / 2;
        const std::size_t plane = self.plan_.ny * self.plan_.nx, nints = self.plan_.nints, ng = self.plan_.ngroups_in;
        const double tg = self.plan_.tgroup;
        const double nints_f = static_cast<double>(static_cast<float>(nints));
        const V zero{};
        for (std::size_t k = 0; k < pairs; ++k) {
            V sum = zero;
            M ok = zero == zero;
            for (std::size_t i = 0; i < nints; ++i) {
                const float* at = sci + 2 * k + i * ng * plane;
                V d[Mdiff];
                const V first = load_widen(at);
                V prev = first / tg, last = first;
                for (std::size_t g = 0; g < Mdiff; ++g) {
                    last = load_widen(at + (g + 1) * plane);
                    const V next = last / tg;
                    d[g] = next - prev;
                    ok &= d[g] == d[g];
                    prev = next;
                }
                sort_fixed<Mdiff>(d);
                constexpr std::size_t mid = Mdiff / 2;
                V median;
                if constexpr (Mdiff % 2 == 1) median = d[mid];
                else median = (d[mid] + d[mid - 1]) / 2.0;
                median = median == median ? median : zero;
                sum = sum + median;

                // segment_snr -> snr_power_index: 5 minus the thresholds the SNR is below
                // (NaN is below none, as there).
                const V g = gain[k], rn = rnoise[k];
                const V diff = last - first;
                const V den = rn * rn + diff * g;
                V snr = diff * g / sqrt_lanes(den);
                snr = snr < 0.0 ? zero : snr;
                snr = ((den <= 0.0) | (g == 0.0)) ? zero : snr;
                const M below = (snr < 5.0) + (snr < 10.0) + (snr < 20.0) + (snr < 50.0) + (snr < 100.0);
                self.classes_[i * kPairs + k] = static_cast<int>((5 + below[0]) * kWeightPowerCount + (5 + below[1]));
            }
            median_rate[k] = nints == 1 ? sum : sum / nints_f;  // x / 1.0 == x exactly
            valid[k] = ok;
        }
        // Weighted least squares (segment start 0: x = j + 0.0).
        for (std::size_t i = 0; i < nints; ++i)
            for (std::size_t k = 0; k < pairs; ++k) {
                const float* at = sci + 2 * k + i * ng * plane;
                const V* u = self.weights_[self.classes_[i * kPairs + k]];
                V sw = zero, sx = zero, sxx = zero, sy = zero, sxy = zero;
                for (std::size_t j = 0; j < n; ++j) {
                    const V w = u[j] * inv_rn2[k];
                    const double x = static_cast<double>(j) + 0.0;
                    const V y = load_widen(at + j * plane);  // not NaN in a valid lane
                    const V xw = x * w;
                    sw += w;
                    sx += xw;
                    sxx += x * xw;
                    sy += y * w;
                    sxy += y * xw;
                }
                const V inv_den = 1.0 / (sw * sxx - sx * sx);
                self.slopes_[i * kPairs + k] = (sw * sxy - sx * sy) * inv_den / tg;
            }
    }
    static const std::array<RampStage, small_sort_max + 1>& ramp_stages() noexcept {
        static constexpr auto table = []<std::size_t... I>(std::index_sequence<I...>) {
            return std::array<RampStage, sizeof...(I)>{(I < 2 ? nullptr : &ramp_stage<I < 2 ? 2 : I>)...};
        }(std::make_index_sequence<small_sort_max + 1>{});
        return table;
    }

    /// Two adjacent floats as doubles (exact). SSE2: one 8-byte load and cvtps2pd; GCC makes
    /// two scalar conversions of a two-float vector, each with a false dependency.
    static V load_widen(const float* p) noexcept {
#if defined(__SSE2__)
        return reinterpret_cast<V>(_mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)))));
#else
        F f;
        std::memcpy(&f, p, sizeof f);
        return __builtin_convertvector(f, V);
#endif
    }
    static V widen(F f) noexcept { return __builtin_convertvector(f, V); }
    static void store(float* to, V v) noexcept {
        const F f = __builtin_convertvector(v, F);
        std::memcpy(to, &f, sizeof f);
    }
    static V splat(double d) noexcept { return V{d, d}; }
    static V sqrt_lanes(V v) noexcept { return V{std::sqrt(v[0]), std::sqrt(v[1])}; }

    const RampFitPlan& plan_;
    int n_;
    RampStage ramp_stage_;
    std::vector<V> slopes_;     // (nints, block / 2) slopes of the current block
    std::vector<int> classes_;  // (nints, block / 2) weights_ row of each pair
    // optimal_weights(n, power) as doubles, for the two lanes' powers [p0 * 6 + p1][j]: one load.
    V weights_[kWeightPowerCount * kWeightPowerCount][small_sort_max + 1] = {};
};

}  // namespace orrery::jwst::rampfit
