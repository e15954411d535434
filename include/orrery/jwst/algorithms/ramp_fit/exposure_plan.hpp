#pragma once
// Exposure-level decisions of OLS_C ramp fitting, taken once before the pixel
// loop (docs/algorithms/ramp_fit.md, "Ramp-level rules"): the firstgroup/lastgroup window,
// one-good-group suppression, MIRI discarding of all-DO_NOT_USE leading/trailing
// groups, the all-saturated check, and the timing constants. The plan never
// modifies the ramp: each pixel applies it to its own copy of its group flags.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/ramp_fit/params.hpp"
#include "orrery/jwst/algorithms/ramp_fit/segments.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace orrery::jwst::rampfit {

struct RampFitPlan {
    std::size_t nints = 0, ny = 0, nx = 0;
    std::size_t ngroups_in = 0;  // groups in the ramp
    std::size_t first = 0;       // first group the fit sees (MIRI leading discard)
    std::size_t ngroups = 0;     // groups the fit sees: [first, first + ngroups)

    // Groups g < dnu_before or g > dnu_after (ramp indices) get DO_NOT_USE (firstgroup/lastgroup).
    std::size_t dnu_before = 0;
    std::size_t dnu_after = static_cast<std::size_t>(-1);

    bool suppress_one_group = false;  // effective: requested and ngroups_in > 1
    bool special_timing = false;      // !suppress_one_group: first-group timing and ZEROFRAME
    bool use_zeroframe = false;       // special_timing and the ramp has ZEROFRAME
    bool save_opt = false;

    double tgroup = 0.0;          // double((float)TGROUP)
    double tframe = 0.0;          // double((float)TFRAME)
    double one_group_time = 0.0;  // (nframes + 1) * tframe / 2, for a ramp whose only good group is 0
    double pedestal_time = 0.0;   // ((nframes + 1) / 2 + DRPFRMS1) / (nframes + GROUPGAP), in groups
    double sqrt_2nframes = 0.0;   // R = RN * gain / sqrt(2 nframes)

    std::vector<std::string> notes;  // warnings worth logging (ignored firstgroup, discarded groups)
};

/// Group flags of integration `i` of pixel (y, x) over all ngroups_in groups, as the fit sees
/// them before the MIRI window: GROUPDQ | DO_NOT_USE outside firstgroup..lastgroup | DO_NOT_USE
/// everywhere when suppression applies (exactly one good group). `out` has ngroups_in entries.
inline void load_integration_flags(const RampFitPlan& plan, const RampModel& ramp, std::size_t i, std::size_t y,
                                   std::size_t x, std::uint32_t* out) noexcept {
    const std::size_t plane = plan.ny * plan.nx;
    const std::uint8_t* src = ramp.groupdq.data() + (i * plan.ngroups_in) * plane + y * plan.nx + x;
    int good = 0;
    for (std::size_t g = 0; g < plan.ngroups_in; ++g) {
        std::uint32_t f = src[g * plane];
        if (g < plan.dnu_before || g > plan.dnu_after) f |= dq::DO_NOT_USE;
        out[g] = f;
        good += is_good_group(f) ? 1 : 0;
    }
    if (plan.suppress_one_group && good == 1)
        for (std::size_t g = 0; g < plan.ngroups_in; ++g) out[g] |= dq::DO_NOT_USE;
}

namespace detail {

/// double(float(v)), kept out of the optimiser's reach: GCC 12's SLP vectorizer drops the
/// float rounding when it vectorizes two such conversions side by side (-O3), which made
/// TGROUP/TFRAME, and so every slope, depend on where this function was inlined.
inline double through_float(double v) noexcept {
    volatile float f = static_cast<float>(v);
    return static_cast<double>(f);
}

inline void plan_group_window(RampFitPlan& plan, const RampFitParams& params) {
    if (!params.firstgroup && !params.lastgroup) return;
    const long long ng = static_cast<long long>(plan.ngroups_in);
    long long first = params.firstgroup.value_or(0);
    long long last = params.lastgroup.value_or(static_cast<int>(ng - 1));
    if (first < 0) {
        plan.notes.push_back("ramp_fit: firstgroup < 0, reset to 0");
        first = 0;
    }
    if (last >= ng)  // upstream warns but then marks nothing after the last group
        plan.notes.push_back("ramp_fit: lastgroup >= ngroups (" + std::to_string(ng) + "), no groups after it to ignore");
    if (first >= last) {
        plan.notes.push_back("ramp_fit: firstgroup (" + std::to_string(first) + ") cannot be >= lastgroup (" +
                             std::to_string(last) + "); group selectors ignored");
        return;
    }
    plan.dnu_before = static_cast<std::size_t>(first);
    if (last < ng - 1) plan.dnu_after = static_cast<std::size_t>(last);
}

/// MIRI (ngroups > 1): drop leading groups that are DO_NOT_USE in every pixel of every
/// integration, then the last group if it is; fewer than 2 groups left means no product.
inline void plan_miri_discard(RampFitPlan& plan, const RampModel& ramp) {
    if (!ramp.meta.is_miri() || plan.ngroups_in < 2) return;
    std::vector<char> all_dnu(plan.ngroups_in, 1);
    std::vector<std::uint32_t> flags(plan.ngroups_in);
    for (std::size_t i = 0; i < plan.nints; ++i)
        for (std::size_t y = 0; y < plan.ny; ++y)
            for (std::size_t x = 0; x < plan.nx; ++x) {
                load_integration_flags(plan, ramp, i, y, x, flags.data());
                for (std::size_t g = 0; g < plan.ngroups_in; ++g)
                    if (!(flags[g] & dq::DO_NOT_USE)) all_dnu[g] = 0;
            }
    const std::string none_left = "ramp_fit: every group of every pixel is DO_NOT_USE; nothing to fit";
    std::size_t first = 0, n = plan.ngroups_in;
    while (all_dnu[first]) {
        ++first;
        if (--n < 1) throw NoScienceError(none_left);
    }
    if (first > 0) plan.notes.push_back("ramp_fit: " + std::to_string(first) + " leading MIRI group(s) are DO_NOT_USE everywhere; ignored");
    if (all_dnu[first + n - 1]) {
        if (--n < 1) throw NoScienceError(none_left);
        plan.notes.push_back("ramp_fit: the final MIRI group is DO_NOT_USE everywhere; ignored");
    }
    if (n < 2)
        throw NoScienceError("ramp_fit: MIRI ramps need at least 2 usable groups per integration, " + std::to_string(n) + " left");
    plan.first = first;
    plan.ngroups = n;
}

/// True when group 0 (of the window) is SATURATED in every pixel of every integration.
inline bool all_saturated_at_start(const RampFitPlan& plan, const RampModel& ramp) noexcept {
    const std::size_t plane = plan.ny * plan.nx;
    for (std::size_t i = 0; i < plan.nints; ++i) {
        const std::uint8_t* p = ramp.groupdq.data() + (i * plan.ngroups_in + plan.first) * plane;
        for (std::size_t k = 0; k < plane; ++k)
            if (!(p[k] & dq::SATURATED)) return false;
    }
    return true;
}

}  // namespace detail

/// Build the plan for `ramp` (validated by the caller). Throws NoScienceError when
/// nothing can be fitted (all ramps saturated in their first group, or MIRI ramps
/// left with fewer than 2 groups).
inline RampFitPlan make_ramp_fit_plan(const RampModel& ramp, const RampFitParams& params) {
    RampFitPlan plan;
    plan.nints = ramp.nints();
    plan.ngroups_in = ramp.ngroups();
    plan.ny = ramp.ny();
    plan.nx = ramp.nx();
    plan.ngroups = plan.ngroups_in;
    plan.save_opt = params.save_opt;

    detail::plan_group_window(plan, params);
    plan.suppress_one_group = params.suppress_one_group && plan.ngroups_in > 1;
    plan.special_timing = !plan.suppress_one_group;
    plan.use_zeroframe = plan.special_timing && ramp.zeroframe.has_value();

    detail::plan_miri_discard(plan, ramp);
    if (detail::all_saturated_at_start(plan, ramp))
        throw NoScienceError("ramp_fit: every pixel is saturated in the first group of every integration; no rate product");

    // The reference reads the times through a C float.
    const int nframes = ramp.meta.nframes;
    plan.tgroup = detail::through_float(ramp.meta.tgroup);
    plan.tframe = detail::through_float(ramp.meta.tframe);
    plan.one_group_time = (static_cast<double>(static_cast<float>(nframes)) + 1.0) * plan.tframe / 2.0;
    plan.pedestal_time = (static_cast<double>(nframes + 1) / 2.0 + static_cast<double>(ramp.meta.drpfrms1)) /
                         static_cast<double>(nframes + ramp.meta.groupgap);
    plan.sqrt_2nframes = std::sqrt(2.0 * static_cast<double>(nframes));
    return plan;
}

}  // namespace orrery::jwst::rampfit
