#pragma once
// OLS_C fit of all integration ramps of one pixel (docs/algorithms/ramp_fit.md, "Segments"
// through "Exposure"): load the ramp, median rate, segments, segment fits,
// read-noise-weighted combination per integration and for the exposure,
// DQ propagation, and the CHARGELOSS read-noise recomputation.
//
// A PixelRampFitter owns scratch sized for one pixel and reuses it, so the pixel
// loop does not allocate; give each thread (row block) its own fitter.

#include "orrery/jwst/algorithms/ramp_fit/exposure_plan.hpp"
#include "orrery/jwst/algorithms/ramp_fit/median_rate.hpp"
#include "orrery/jwst/algorithms/ramp_fit/params.hpp"
#include "orrery/jwst/algorithms/ramp_fit/segment_fit.hpp"
#include "orrery/jwst/algorithms/ramp_fit/segments.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace orrery::jwst::rampfit {

/// Non-owning average dark current [DN/s]: one value per pixel (row-major, nx wide) or one for all.
struct DarkCurrentView {
    const float* per_pixel = nullptr;
    std::size_t nx = 0;
    float value = 0.0f;

    [[nodiscard]] static DarkCurrentView of(const AverageDarkCurrent& d) noexcept {
        return d.per_pixel.empty() ? DarkCurrentView{nullptr, 0, d.value} : of(d.per_pixel);
    }
    /// An empty array means 0 everywhere.
    [[nodiscard]] static DarkCurrentView of(const NdArray<float, 2>& a) noexcept {
        return a.empty() ? DarkCurrentView{} : DarkCurrentView{a.data(), a.extent(1), 0.0f};
    }
    [[nodiscard]] float at(std::size_t y, std::size_t x) const noexcept { return per_pixel ? per_pixel[y * nx + x] : value; }
};

/// The arrays a fit reads (all (ny, nx) in their last two axes).
struct RampFitSources {
    const RampModel& ramp;
    const NdArray<float, 2>& gain;       // GAIN SCI [e-/DN]
    const NdArray<float, 2>& readnoise;  // READNOISE SCI [DN] (CDS)
    DarkCurrentView dark;
};

/// Slope, variances, error and DQ of one integration or of the exposure (double until output).
struct RampResult {
    double slope = 0.0, var_poisson = 0.0, var_rnoise = 0.0, err = 0.0;
    std::uint32_t dq = 0;
};

class PixelRampFitter {
public:
    explicit PixelRampFitter(const RampFitPlan& plan)
        : plan_(plan),
          ng_(static_cast<int>(plan.ngroups)),
          values_(plan.nints * plan.ngroups),
          flags_(plan.nints * plan.ngroups),
          full_flags_(plan.ngroups_in),
          scratch_(2 * plan.ngroups_in + 2),
          segments_(plan.nints * plan.ngroups),
          fits_(plan.nints * plan.ngroups),
          crmag_(plan.save_opt ? plan.nints * plan.ngroups : 0),
          chargeloss_segments_(plan.ngroups),
          ints_(plan.nints),
          weights_(static_cast<int>(plan.ngroups)) {}

    /// Fit pixel (y, x). Results stay valid until the next call.
    void fit(const RampFitSources& src, std::size_t y, std::size_t x) {
        load(src, y, x);
        compute_median_rate();
        fit_integrations();
        combine_exposure();
        if (any_chargeloss_) recompute_chargeloss_rnoise(src.ramp, y, x);
    }

    /// Load pixel (y, x) and count its segments and jumps only (sizes the fitopt arrays).
    void count(const RampFitSources& src, std::size_t y, std::size_t x, int& max_segments, int& max_crs) {
        load(src, y, x);
        for (std::size_t i = 0; i < plan_.nints; ++i) {
            if (!(flags_of(i)[0] & dq::SATURATED)) {
                const SegmentCount c = find_ramp_segments(flags_of(i), ng_, segments_of(i));
                if (c.reported > max_segments) max_segments = c.reported;
            }
            if (ints_[i].ncr > max_crs) max_crs = ints_[i].ncr;
        }
    }

    [[nodiscard]] const RampResult& rate() const noexcept { return rate_; }
    [[nodiscard]] const RampResult& integration(std::size_t i) const noexcept { return ints_[i].result; }

    // fitopt access (valid after fit() with save_opt).
    [[nodiscard]] int segment_count(std::size_t i) const noexcept { return ints_[i].segments.kept; }
    [[nodiscard]] const RampSegment& segment(std::size_t i, int k) const noexcept { return segments_[i * plan_.ngroups + static_cast<std::size_t>(k)]; }
    [[nodiscard]] const SegmentFit& segment_fit(std::size_t i, int k) const noexcept { return fits_[i * plan_.ngroups + static_cast<std::size_t>(k)]; }
    [[nodiscard]] double pedestal(std::size_t i) const noexcept { return ints_[i].pedestal; }
    [[nodiscard]] int cr_count(std::size_t i) const noexcept { return ints_[i].ncr; }
    [[nodiscard]] double crmag(std::size_t i, int k) const noexcept { return crmag_[i * plan_.ngroups + static_cast<std::size_t>(k)]; }

private:
    struct Integration {
        RampResult result;
        int cnt_sat = 0, cnt_dnu_sat = 0, cnt_good = 0;
        bool jump = false, persistence = false, chargeloss = false;
        bool first_group_only = false;  // special timing: only group 0 is good
        bool from_zeroframe = false;    // special timing: group 0 replaced by ZEROFRAME
        SegmentCount segments;
        double pedestal = 0.0;
        int ncr = 0;
    };

    double* values_of(std::size_t i) noexcept { return values_.data() + i * plan_.ngroups; }
    std::uint32_t* flags_of(std::size_t i) noexcept { return flags_.data() + i * plan_.ngroups; }
    RampSegment* segments_of(std::size_t i) noexcept { return segments_.data() + i * plan_.ngroups; }
    SegmentFit* fits_of(std::size_t i) noexcept { return fits_.data() + i * plan_.ngroups; }

    /// Time a one-group segment of integration i divides by.
    [[nodiscard]] double len1_time(const Integration& in) const noexcept {
        if (plan_.special_timing) {
            if (in.first_group_only) return plan_.one_group_time;
            if (in.from_zeroframe) return plan_.tframe;
        }
        return plan_.tgroup;
    }

    void load(const RampFitSources& src, std::size_t y, std::size_t x) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        const RampModel& ramp = src.ramp;
        const float gain = src.gain(y, x);
        const float rn = src.readnoise(y, x);
        px_.gain = static_cast<double>(gain);
        // R in electrons, rounded to float32 as the reference stores it.
        px_.rnoise = static_cast<double>(static_cast<float>(static_cast<double>(rn) * (px_.gain / plan_.sqrt_2nframes)));
        px_.dark = static_cast<double>(src.dark.at(y, x));
        px_.median_rate = 0.0;

        std::uint32_t pdq = ramp.pixeldq(y, x);
        if (px_.gain <= 0.0 || std::isnan(px_.gain)) pdq |= dq::DO_NOT_USE | dq::NO_GAIN_VALUE;
        rate_ = RampResult{};
        rate_.dq = pdq;
        any_chargeloss_ = false;

        const std::size_t plane = plan_.ny * plan_.nx;
        const float* sci = ramp.sci.data() + y * plan_.nx + x;
        for (std::size_t i = 0; i < plan_.nints; ++i) {
            Integration& in = ints_[i];
            in = Integration{};
            in.result.dq = pdq;
            load_integration_flags(plan_, ramp, i, y, x, full_flags_.data());
            double* v = values_of(i);
            std::uint32_t* f = flags_of(i);
            for (int k = 0; k < ng_; ++k) {
                const std::size_t g = plan_.first + static_cast<std::size_t>(k);
                std::uint32_t flag = full_flags_[g];
                // MIRI: a jump on the new first group after discarded leading groups is dropped.
                if (k == 0 && plan_.first > 0) flag &= ~dq::JUMP_DET;
                f[k] = flag;
                if (flag & dq::JUMP_DET) in.jump = true;
                if (flag & dq::PERSISTENCE) in.persistence = true;
                if (flag & dq::CHARGELOSS) in.chargeloss = true;
                if (flag == 0) ++in.cnt_good;
                if (flag & (dq::DO_NOT_USE | dq::SATURATED)) ++in.cnt_dnu_sat;
                if (flag & dq::SATURATED) {
                    v[k] = nan;
                    ++in.cnt_sat;
                } else {
                    v[k] = static_cast<double>(sci[((i * plan_.ngroups_in) + g) * plane]);
                }
                if (plan_.save_opt && k > 0 && (flag & dq::JUMP_DET))
                    crmag_[i * plan_.ngroups + static_cast<std::size_t>(in.ncr++)] = v[k] - v[k - 1];
            }
            if (plan_.special_timing) {
                if (in.cnt_good == 1 && f[0] == 0) {
                    in.first_group_only = true;
                } else if (in.cnt_good == 0 && plan_.use_zeroframe) {
                    const float zf = (*ramp.zeroframe)(i, y, x);
                    if (zf != 0.0f) {  // 0 marks a bad ZEROFRAME value
                        v[0] = static_cast<double>(zf);
                        f[0] = 0;
                        in.cnt_good = 1;
                        --in.cnt_dnu_sat;
                        if (in.cnt_sat == ng_) --in.cnt_sat;
                        in.from_zeroframe = true;
                    }
                }
            }
            if (in.jump) {
                in.result.dq |= dq::JUMP_DET;
                rate_.dq |= dq::JUMP_DET;
            }
            if (in.persistence) {
                in.result.dq |= dq::PERSISTENCE;
                rate_.dq |= dq::PERSISTENCE;
            }
            any_chargeloss_ = any_chargeloss_ || in.chargeloss;
        }
    }

    void compute_median_rate() {
        const double nints = static_cast<double>(plan_.nints);
        double sum = 0.0;
        if (ng_ == 1) {
            for (std::size_t i = 0; i < plan_.nints; ++i) sum += values_of(i)[0] / plan_.one_group_time;
            px_.median_rate = sum / nints;
            return;
        }
        for (std::size_t i = 0; i < plan_.nints; ++i) {
            const Integration& in = ints_[i];
            double m;
            if (in.first_group_only)
                m = values_of(i)[0] / plan_.one_group_time;
            else if (in.from_zeroframe)
                m = values_of(i)[0] / plan_.tframe;
            else
                m = integration_median_rate(values_of(i), flags_of(i), ng_, plan_.tgroup, scratch_.data());
            if (std::isnan(m)) m = 0.0;
            sum += m;
        }
        px_.median_rate = sum / static_cast<double>(static_cast<float>(nints));
    }

    void fit_integrations() {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        inv_p_ = inv_r_ = num_ = 0.0;
        dnu_count_ = sat_count_ = 0;
        partial_saturation_ = false;

        for (std::size_t i = 0; i < plan_.nints; ++i) {
            Integration& in = ints_[i];
            RampResult& r = in.result;
            const double* v = values_of(i);
            const std::uint32_t* f = flags_of(i);

            if (f[0] & dq::SATURATED) {  // saturated from the start: no slope, no segments
                r.dq |= dq::DO_NOT_USE | dq::SATURATED;
                r.slope = nan;
            } else {
                in.segments = find_ramp_segments(f, ng_, segments_of(i));
            }

            if (in.cnt_dnu_sat == ng_) {  // nothing usable
                r.dq |= dq::DO_NOT_USE;
                if (in.cnt_sat == ng_) r.dq |= dq::SATURATED;
            } else if (in.segments.kept > 0) {
                fit_segments(in, v, segments_of(i), fits_of(i));
            }

            if (r.dq & dq::DO_NOT_USE) {
                ++dnu_count_;
                r.slope = nan;
            }
            if (plan_.save_opt) {  // before the partial-saturation flag, as upstream
                if (r.dq & dq::SATURATED) {
                    in.pedestal = 0.0;
                } else {
                    in.pedestal = v[0] - r.slope * plan_.pedestal_time;
                    if (std::isnan(in.pedestal)) in.pedestal = 0.0;
                }
            }
            if (r.dq & dq::SATURATED) {
                ++sat_count_;
                r.slope = nan;
            }
            // A partly saturated ramp is flagged but keeps its slope.
            if (in.cnt_sat > 0) {
                r.dq |= dq::SATURATED;
                partial_saturation_ = true;
            }
        }
    }

    void fit_segments(Integration& in, const double* v, const RampSegment* segs, SegmentFit* fits) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        RampResult& r = in.result;
        const double t1 = len1_time(in);
        double inv_r = 0.0, inv_p = 0.0, inv_e = 0.0, num = 0.0;
        for (int s = 0; s < in.segments.kept; ++s) {
            const SegmentFit& sf = fits[s] = fit_segment(px_, v, segs[s], plan_.tgroup, t1, &weights_, plan_.save_opt);
            inv_r += 1.0 / sf.var_r;
            if (sf.var_p > 0.0) inv_p += 1.0 / sf.var_p;
            inv_e += 1.0 / sf.var_e;
            num += sf.slope / sf.var_r;  // read-noise weights (JP-4318)
        }
        if (inv_p > 0.0) r.var_poisson = 1.0 / inv_p;
        if (r.var_poisson >= LARGE_VARIANCE_THRESHOLD) r.var_poisson = 0.0;
        r.var_rnoise = 1.0 / inv_r;
        if (r.var_rnoise >= LARGE_VARIANCE_THRESHOLD) r.var_rnoise = 0.0;

        if (r.dq & (dq::DO_NOT_USE | dq::SATURATED)) {
            r.slope = nan;
            r.var_poisson = r.var_rnoise = r.err = 0.0;
        } else {
            const double var_e = 1.0 / inv_e;
            r.slope = num * r.var_rnoise;
            // Not sqrt(var_poisson + var_rnoise): the segments' total variances combine.
            r.err = var_e > LARGE_VARIANCE_THRESHOLD ? 0.0 : std::sqrt(var_e);
        }
        if (inv_p > 0.0) inv_p_ += inv_p;
        inv_r_ += inv_r;
        num_ += num;
    }

    void combine_exposure() {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        const std::size_t n = plan_.nints;
        if (dnu_count_ == n) rate_.dq |= dq::DO_NOT_USE;
        if (sat_count_ == n) rate_.dq |= dq::SATURATED;

        double vp = inv_p_;
        if (vp > 0.0) vp = 1.0 / vp;
        if (vp >= LARGE_VARIANCE_THRESHOLD || vp < 0.0) vp = 0.0;
        double vr = inv_r_;
        if (vr > 0.0) vr = 1.0 / vr;
        if (vr >= LARGE_VARIANCE_THRESHOLD) vr = 0.0;
        rate_.var_poisson = vp;
        rate_.var_rnoise = vr;
        rate_.err = std::sqrt(vp + vr);
        rate_.slope = num_;

        if (rate_.dq & (dq::DO_NOT_USE | dq::SATURATED)) {
            rate_.slope = nan;
            rate_.var_poisson = rate_.var_rnoise = rate_.err = 0.0;
        }
        if (partial_saturation_) rate_.dq |= dq::SATURATED;
        if (!std::isnan(rate_.slope)) rate_.slope = rate_.slope * rate_.var_rnoise;
    }

    /// CHARGELOSS: read-noise variances from segments of the original flags with
    /// CHARGELOSS and DO_NOT_USE toggled off on the CHARGELOSS groups (slopes are kept).
    void recompute_chargeloss_rnoise(const RampModel& ramp, std::size_t y, std::size_t x) {
        const std::size_t plane = plan_.ny * plan_.nx;
        double inv_exposure = 0.0;
        for (std::size_t i = 0; i < plan_.nints; ++i) {
            Integration& in = ints_[i];
            if (!in.chargeloss) {
                if (in.result.var_rnoise > 0.0) inv_exposure += 1.0 / in.result.var_rnoise;
                continue;
            }
            // Original flags: GROUPDQ with the firstgroup/lastgroup marks, before suppression.
            const std::uint8_t* src = ramp.groupdq.data() + (i * plan_.ngroups_in) * plane + y * plan_.nx + x;
            std::uint32_t* f = full_flags_.data();
            for (int k = 0; k < ng_; ++k) {
                const std::size_t g = plan_.first + static_cast<std::size_t>(k);
                std::uint32_t flag = src[g * plane];
                if (g < plan_.dnu_before || g > plan_.dnu_after) flag |= dq::DO_NOT_USE;
                // The reference toggles (XOR) both bits, assuming DO_NOT_USE accompanies CHARGELOSS.
                if (flag & dq::CHARGELOSS) flag ^= (dq::DO_NOT_USE | dq::CHARGELOSS);
                f[k] = flag;
            }
            RampSegment* segs = chargeloss_segments_.data();
            const SegmentCount c = find_ramp_segments(f, ng_, segs);
            const double t1 = len1_time(in);
            double inv = 0.0;
            for (int s = 0; s < c.kept; ++s) {
                const double var_r = segment_rnoise(px_, segs[s].length, plan_.tgroup, t1);
                if (var_r > 0.0) inv += 1.0 / var_r;
            }
            in.result.var_rnoise = 1.0 / inv;
            if (in.result.var_rnoise >= LARGE_VARIANCE_THRESHOLD) in.result.var_rnoise = 0.0;
            inv_exposure += inv;
        }
        if (inv_exposure > 0.0) rate_.var_rnoise = 1.0 / inv_exposure;
        if (rate_.var_rnoise >= LARGE_VARIANCE_THRESHOLD) rate_.var_rnoise = 0.0;
    }

    const RampFitPlan& plan_;
    int ng_;
    std::vector<double> values_;         // (nints, ngroups) ramp values, NaN where saturated
    std::vector<std::uint32_t> flags_;   // (nints, ngroups) group flags as fitted
    std::vector<std::uint32_t> full_flags_;
    std::vector<double> scratch_;
    std::vector<RampSegment> segments_;  // (nints, ngroups) capacity
    std::vector<SegmentFit> fits_;
    std::vector<double> crmag_;
    std::vector<RampSegment> chargeloss_segments_;
    std::vector<Integration> ints_;
    OptimalWeightTable weights_;

    PixelNoise px_;
    RampResult rate_;
    bool any_chargeloss_ = false;
    double inv_p_ = 0.0, inv_r_ = 0.0, num_ = 0.0;  // exposure accumulators
    std::size_t dnu_count_ = 0, sat_count_ = 0;
    bool partial_saturation_ = false;
};

}  // namespace orrery::jwst::rampfit
