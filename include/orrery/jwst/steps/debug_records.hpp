#pragma once
// The text of the detector1 steps' DEBUG records (strun -v): what jwst and stcal log
// at debug level — the exposure's layout, each step's plan and thresholds, and counts
// of what it flagged. Callers test ctx.debug_enabled() first: counting scans arrays.

#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace orrery::jwst::debug_text {

/// "nints=2, ngroups=10, nframes=1, groupgap=0, size=2048x2048" (x by y, as jwst prints it).
inline std::string exposure(const RampModel& m) {
    return "nints=" + std::to_string(m.nints()) + ", ngroups=" + std::to_string(m.ngroups()) + ", nframes=" + std::to_string(m.meta.nframes) +
           ", groupgap=" + std::to_string(m.meta.groupgap) + ", size=" + std::to_string(m.nx()) + "x" + std::to_string(m.ny());
}

/// "substrt1=1, subsize1=2048, substrt2=1, subsize2=2048" of the science exposure.
inline std::string subarray(const RampModel& m) {
    const auto& e = m.meta;
    return "sci substrt1=" + std::to_string(e.substrt1) + ", subsize1=" + std::to_string(e.subsize1) + ", substrt2=" + std::to_string(e.substrt2) +
           ", subsize2=" + std::to_string(e.subsize2);
}

/// Group-DQ values of the ramp carrying `flag`.
inline std::size_t groups_flagged(const RampModel& m, std::uint32_t flag) {
    const auto bits = static_cast<std::uint8_t>(flag);
    return static_cast<std::size_t>(std::count_if(m.groupdq.begin(), m.groupdq.end(), [bits](std::uint8_t v) { return (v & bits) != 0; }));
}

/// Pixels (of any integration) with at least one group carrying `flag`.
inline std::size_t pixels_flagged(const RampModel& m, std::uint32_t flag) {
    const auto bits = static_cast<std::uint8_t>(flag);
    const std::size_t pixels = m.ny() * m.nx(), groups = m.ngroups();
    std::size_t n = 0;
    for (std::size_t k = 0; k < pixels; ++k) {
        bool hit = false;
        for (std::size_t i = 0; i < m.nints() && !hit; ++i)
            for (std::size_t g = 0; g < groups && !hit; ++g) hit = (m.groupdq.data()[(i * groups + g) * pixels + k] & bits) != 0;
        n += hit ? 1 : 0;
    }
    return n;
}

}  // namespace orrery::jwst::debug_text
