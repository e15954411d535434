#pragma once
// Parameters of ramp fitting (jwst ramp_fit_step.py spec; docs/algorithms/ramp_fit.md) and
// the average dark current the fit adds to the Poisson variance.

#include "orrery/array/ndarray.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace orrery::jwst {

/// RampFitStep parameters, stpipe names and defaults. The kernel uses algorithm,
/// save_opt, suppress_one_group, firstgroup and lastgroup; int_name / opt_name name
/// output files and maximum_cores sizes the thread pool: both are the step's business.
struct RampFitParams {
    std::string algorithm = "OLS_C";  // option('OLS_C', 'LIKELY'); LIKELY is not supported
    std::string int_name = "";
    bool save_opt = false;            // also return the fitopt product
    std::string opt_name = "";
    bool suppress_one_group = true;   // a ramp with one good group counts as having none
    std::optional<int> firstgroup;    // groups before this one (0-based) are DO_NOT_USE
    std::optional<int> lastgroup;     // groups after this one (0-based) are DO_NOT_USE
    std::string maximum_cores = "1";
};

/// RampModel.average_dark_current [DN/s] as the dark_current step leaves it: one value
/// per pixel (ny, nx), or one value for every pixel when `per_pixel` is empty.
struct AverageDarkCurrent {
    NdArray<float, 2> per_pixel;
    float value = 0.0f;

    [[nodiscard]] static AverageDarkCurrent uniform(float v) { return AverageDarkCurrent{{}, v}; }
    [[nodiscard]] static AverageDarkCurrent from_array(NdArray<float, 2> a) { return AverageDarkCurrent{std::move(a), 0.0f}; }

    [[nodiscard]] float at(std::size_t y, std::size_t x) const noexcept {
        return per_pixel.empty() ? value : per_pixel(y, x);
    }
};

}  // namespace orrery::jwst
