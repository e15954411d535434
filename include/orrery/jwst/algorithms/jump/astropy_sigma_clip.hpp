#pragma once
// astropy.stats.sigma_clip(values, sigma, maxiters=5, cenfunc='median', stdfunc='std')
// along one axis, as its C fast path (_sigma_clip_fast / compute_sigma_clipped_bounds)
// evaluates it, which stcal's sigma-clip jump mode uses:
//   keep the finite values; repeat { centre = median, std = population std about the
//   mean; bounds = centre -/+ sigma*std; keep lower <= v <= upper } until nothing is
//   removed or maxiters rounds removed something; return the last bounds.
// A value is clipped when it is not finite or lies outside the *final* bounds (so a value
// dropped in an early round can come back if the bounds moved).
// The median is found with Wirth's selection in place, and the mean and std sum the
// buffer in the order that selection leaves behind, exactly as astropy does, so the
// bounds agree to the last bit.

#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace orrery::jwst::jump_detail {

/// Wirth's k-th smallest of a[0, n) (Algorithms + Data Structures = Programs), in place.
inline double wirth_kth_smallest(double* a, std::ptrdiff_t n, std::ptrdiff_t k) {
    std::ptrdiff_t l = 0, m = n - 1;
    while (l < m) {
        const double x = a[k];
        std::ptrdiff_t i = l, j = m;
        do {
            while (a[i] < x) ++i;
            while (x < a[j]) --j;
            if (i <= j) {
                std::swap(a[i], a[j]);
                ++i;
                --j;
            }
        } while (i <= j);
        if (j < k) l = i;
        if (k < i) m = j;
    }
    return a[k];
}

/// astropy's wirth_median: for an even count the upper middle is selected first.
inline double wirth_median(double* a, std::ptrdiff_t n) {
    if (n % 2 == 0) {
        const double upper = wirth_kth_smallest(a, n, n / 2);
        const double lower = wirth_kth_smallest(a, n, n / 2 - 1);
        return 0.5 * (upper + lower);
    }
    return wirth_kth_smallest(a, n, (n - 1) / 2);
}

struct ClipBounds {
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
};

/// Bounds of the iterative median/std clip over buf[0, count) (finite values only; the
/// buffer is reordered and shrunk). count == 0 gives NaN bounds (nothing passes).
inline ClipBounds sigma_clip_bounds(double* buf, std::ptrdiff_t count, double sigma_lower, double sigma_upper,
                                    int maxiters = 5) {
    ClipBounds b;
    if (count <= 0) return b;
    int iteration = 0;
    for (;;) {
        if (count == 0) return {};  // everything clipped (tiny sigma): astropy's bounds become NaN
        const double median = wirth_median(buf, count);
        double mean = 0;
        for (std::ptrdiff_t i = 0; i < count; ++i) mean += buf[i];
        mean /= static_cast<double>(count);
        double var = 0;
        for (std::ptrdiff_t i = 0; i < count; ++i) var += (buf[i] - mean) * (buf[i] - mean);
        const double std_dev = std::sqrt(var / static_cast<double>(count));
        b.lower = median - sigma_lower * std_dev;
        b.upper = median + sigma_upper * std_dev;
        std::ptrdiff_t kept = 0;
        for (std::ptrdiff_t i = 0; i < count; ++i)
            if (buf[i] >= b.lower && buf[i] <= b.upper) buf[kept++] = buf[i];
        if (kept == count) return b;
        count = kept;
        if (maxiters != -1 && ++iteration >= maxiters) return b;
    }
}

/// The astropy mask for one value given the final bounds.
inline bool sigma_clipped(double v, const ClipBounds& b) { return !std::isfinite(v) || v < b.lower || v > b.upper; }

}  // namespace orrery::jwst::jump_detail
