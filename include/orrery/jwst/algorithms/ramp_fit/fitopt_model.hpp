#pragma once
// The optional ramp-fit product (`_fitopt`, stdatamodels RampFitOutputModel),
// returned when RampFitParams::save_opt is set.

#include "orrery/jwst/models.hpp"
#include "orrery/array/ndarray.hpp"

namespace orrery::jwst {

/// Per-segment fit results of every integration ramp. Segment arrays are
/// (nints, nsegments, ny, nx) with nsegments the largest segment count of any ramp
/// (unused slots are 0); crmag is (nints, ncrs, ny, nx), ncrs the largest number of
/// JUMP_DET groups in a ramp (may be 0).
struct FitOptModel : ModelBase {
    NdArray<float, 4> slope;        // segment slope [DN/s]
    NdArray<float, 4> sigslope;     // sqrt(Sw / den) (sqrt(2) R for 2-group segments, 0 for 1)
    NdArray<float, 4> var_poisson;  // segment Poisson variance
    NdArray<float, 4> var_rnoise;   // segment read-noise variance
    NdArray<float, 4> yint;         // y-intercept of the segment fit [DN]
    NdArray<float, 4> sigyint;      // its uncertainty
    NdArray<float, 4> weights;      // 1 / var_rnoise
    NdArray<float, 3> pedestal;     // group 0 extrapolated to zero time [DN] (0 if saturated)
    NdArray<float, 4> crmag;        // jump sizes [DN], in group order
};

}  // namespace orrery::jwst
