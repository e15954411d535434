#pragma once
// numpy-compatible medians for the jump kernel, on caller-owned scratch (no allocation):
// nanmedian (NaNs ignored, mean of the two middle values for an even count, NaN when
// nothing is left) and stcal's "robust" median of |first differences|
// (calc_med_first_diffs: with >= 4 usable values every value equal to the maximum is
// dropped first -- all ties, not just one).

#include "orrery/jwst/algorithms/small_sort.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace orrery::jwst::jump_detail {

inline constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

/// Median of buf[0, n) (no NaNs). Reorders buf. NaN for n == 0. Short ramps are sorted by a
/// network (small_sort.hpp): the same order statistics as nth_element, several times faster.
template <class T>
T median_in_place(T* buf, std::size_t n) {
    if (n == 0) return std::numeric_limits<T>::quiet_NaN();
    const std::size_t h = n / 2;
    if (sort_small(buf, n)) {
        if (n % 2 == 1) return buf[h];
        const T sum = buf[h - 1] + buf[h];  // numpy: mean of the two, summed in T
        return sum / T(2);
    }
    std::nth_element(buf, buf + h, buf + n);
    const T hi = buf[h];
    if (n % 2 == 1) return hi;
    const T lo = *std::max_element(buf, buf + h);
    const T sum = lo + hi;  // numpy: mean of the two, summed in T
    return sum / T(2);
}

/// numpy nanmedian of values[0, n); `work` holds at least n elements.
template <class T>
T nanmedian(const T* values, std::size_t n, T* work) {
    std::size_t m = 0;
    for (std::size_t j = 0; j < n; ++j)
        if (!std::isnan(values[j])) work[m++] = values[j];
    return median_in_place(work, m);
}

/// stcal calc_med_first_diffs for one pixel; `a` are the |differences| (NaN = unusable),
/// `work` holds at least n doubles. u = usable count:
///   u >= 4: drop every value equal to the largest, then nanmedian;
///   u == 3: nanmedian;  u == 2: the smaller one;  u < 2: NaN.
inline double robust_median(const double* a, std::size_t n, double* work) {
    std::size_t usable = 0;
    double largest = -std::numeric_limits<double>::infinity();
    double smallest = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < n; ++j) {
        if (std::isnan(a[j])) continue;
        ++usable;
        largest = std::max(largest, a[j]);
        smallest = std::min(smallest, a[j]);
    }
    if (usable < 2) return nan_value;
    if (usable == 2) return smallest;
    std::size_t m = 0;
    for (std::size_t j = 0; j < n; ++j)
        if (!std::isnan(a[j]) && (usable == 3 || a[j] != largest)) work[m++] = a[j];
    return median_in_place(work, m);
}

}  // namespace orrery::jwst::jump_detail
