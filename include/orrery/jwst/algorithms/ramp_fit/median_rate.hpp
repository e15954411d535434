#pragma once
// Median rate of one integration ramp (docs/algorithms/ramp_fit.md "Median rate"): the
// median of the first differences (DN/s) that are not DO_NOT_USE / SATURATED
// and do not end on a JUMP_DET group. It scales the segment Poisson variances.

#include "orrery/jwst/algorithms/small_sort.hpp"
#include "orrery/jwst/dq_flags.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace orrery::jwst::rampfit {

/// Median of the non-NaN entries of `values[0..n)` (reorders them); NaN when there are none.
/// `scratch` needs n doubles.
inline double nan_median(double* values, int n, double* scratch) noexcept {
    int m = 0;
    for (int k = 0; k < n; ++k)
        if (!std::isnan(values[k])) values[m++] = values[k];
    if (m == 0) return std::numeric_limits<double>::quiet_NaN();
    // Ramps are short: a branch-free sorting network (small_sort.hpp), std::sort beyond.
    if (!sort_small(values, static_cast<std::size_t>(m))) std::sort(values, values + m);
    (void)scratch;
    const int mid = m / 2;
    return (m & 1) ? values[mid] : (values[mid] + values[mid - 1]) / 2.0;
}

/// Median rate of one integration with ngroups >= 2. `v` holds the ramp (NaN where
/// saturated), `gdq` its group flags; `scratch` needs 2 ngroups doubles. NaN when nothing usable.
inline double integration_median_rate(const double* v, const std::uint32_t* gdq, int ngroups, double tg,
                                      double* scratch) noexcept {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (int g = 0; g < ngroups; ++g) scratch[g] = (gdq[g] & dq::DO_NOT_USE) ? nan : v[g] / tg;
    const double first = scratch[0];
    bool all_nan = true;
    for (int k = 0; k + 1 < ngroups; ++k) {
        scratch[k] = (gdq[k + 1] & dq::JUMP_DET) ? nan : scratch[k + 1] - scratch[k];
        if (!std::isnan(scratch[k])) all_nan = false;
    }
    // No usable difference: fall back to the first group's value over TGROUP.
    if (all_nan && !std::isnan(first)) scratch[0] = first;
    return nan_median(scratch, ngroups - 1, scratch + ngroups);
}

}  // namespace orrery::jwst::rampfit
