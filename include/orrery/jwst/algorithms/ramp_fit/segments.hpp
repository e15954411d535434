#pragma once
// Ramp segmentation for OLS_C ramp fitting (docs/algorithms/ramp_fit.md "Segments"):
// one integration ramp of one pixel is split into runs of good groups, each
// fitted on its own and combined afterwards.

#include "orrery/jwst/dq_flags.hpp"

#include <cstddef>
#include <cstdint>

namespace orrery::jwst::rampfit {

/// Groups [start, start + length) of one integration ramp.
struct RampSegment {
    int start = 0;
    int length = 0;
};

/// How many segments `find_ramp_segments` kept, and how many the reference counts.
struct SegmentCount {
    int kept = 0;
    /// The reference's list size: it keeps only the first segment when all
    /// segments have length 1 but does not lower its count, and that count sizes
    /// the second axis of the fitopt product. Equal to `kept` otherwise.
    int reported = 0;
};

/// A group is good iff it has no flag other than PERSISTENCE.
constexpr bool is_good_group(std::uint32_t gdq) noexcept { return (gdq & ~dq::PERSISTENCE) == 0; }

/// Segments of one integration ramp (`gdq[0..ngroups)`), in group order, written to `out`
/// (capacity >= ngroups). A segment is a maximal run of good groups; when the group just
/// before the run is flagged JUMP_DET only (PERSISTENCE ignored), it becomes the first point
/// of the run. Length-1 segments are dropped when any longer segment exists; when all have
/// length 1, only the first is kept. No allocation.
inline SegmentCount find_ramp_segments(const std::uint32_t* gdq, int ngroups, RampSegment* out) noexcept {
    SegmentCount count;
    int longest = 0;
    // Mirrors the reference's order of decisions: a length-1 run is refused as soon as a
    // longer one was seen; earlier length-1 runs are pruned at the end.
    auto add = [&](int start, int end) {
        const int length = end - start;
        if (length == 1 && longest > 1) return;
        out[count.kept++] = RampSegment{start, length};
        if (length > longest) longest = length;
    };

    bool in_segment = false;
    int start = 0;
    for (int g = 0; g < ngroups; ++g) {
        if (is_good_group(gdq[g])) {
            if (!in_segment) {
                const bool after_jump = g > 0 && (gdq[g - 1] & ~dq::PERSISTENCE) == dq::JUMP_DET;
                start = after_jump ? g - 1 : g;
                in_segment = true;
            }
        } else if (in_segment) {
            add(start, g);
            in_segment = false;
        }
    }
    if (in_segment) add(start, ngroups);

    count.reported = count.kept;
    if (count.kept < 2) return count;
    if (longest < 2) {  // all length 1: keep the first (reported count unchanged)
        count.kept = 1;
        return count;
    }
    int kept = 0;
    for (int s = 0; s < count.kept; ++s)
        if (out[s].length != 1) out[kept++] = out[s];
    count.kept = count.reported = kept;
    return count;
}

}  // namespace orrery::jwst::rampfit
