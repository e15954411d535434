#pragma once
// Iterative sigma clipping as scipy.stats.sigmaclip(a, low, high) followed by
// .mean(), in double precision: repeat {m = mean, s = population std; keep
// m - low*s <= v <= m + high*s} until nothing is removed. NaN or inf anywhere
// makes every comparison fail, so everything is clipped and the mean is NaN.

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

namespace orrery::jwst {

namespace detail {
inline double plain_mean(const std::vector<double>& v) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    double sum = 0.0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
}
inline double population_std(const std::vector<double>& v, double mean) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    double sum = 0.0;
    for (double x : v) sum += (x - mean) * (x - mean);
    return std::sqrt(sum / static_cast<double>(v.size()));
}
}  // namespace detail

/// Mean after scipy-style sigma clipping. `values` is consumed (clipped in place).
inline double sigma_clipped_mean(std::vector<double>& values, double low, double high) {
    for (;;) {
        const double mean = detail::plain_mean(values);
        const double sd = detail::population_std(values, mean);
        const double lo = mean - sd * low, hi = mean + sd * high;
        std::size_t kept = 0;
        for (double x : values)
            if (x >= lo && x <= hi) values[kept++] = x;
        const bool removed = kept != values.size();
        values.resize(kept);
        if (!removed) return detail::plain_mean(values);
    }
}

/// The jwst refpix wrapper (Dataset.sigma_clip) over already DO_NOT_USE-filtered
/// values: nullopt ("None") when there are none, the plain mean when their std is
/// exactly 0 (scipy would fail), else the sigma-clipped mean with +-siglimit.
inline std::optional<double> refpix_clipped_mean(std::vector<double>& good, double siglimit) {
    if (good.empty()) return std::nullopt;
    const double mean = detail::plain_mean(good);
    if (detail::population_std(good, mean) == 0.0) return mean;
    return sigma_clipped_mean(good, siglimit, siglimit);
}

}  // namespace orrery::jwst
