#pragma once
// charge_migration (docs/algorithms/charge_migration.md; jwst charge_migration/charge_migration.py).
//
// A group triggers when SCI > (float)signal_threshold and its GROUPDQ is not exactly
// DO_NOT_USE (a bit test would be wrong: 3 = DNU|SATURATED still triggers). The
// trigger set is taken from the input. Each trigger ORs CHARGELOSS|DO_NOT_USE into
// that group and every later group of the same integration, for the pixel and its
// 4 neighbours (no diagonals, no wrap). Computed here as: first(q) = earliest
// trigger of pixel q; every pixel is flagged from min(first over itself and its
// 4 neighbours) onward. Only GROUPDQ changes.
// Skipped (StepOutcome::skipped) when the SCI array has fewer than 3 groups.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace orrery::jwst {

/// ChargeMigrationStep parameters (stpipe names and defaults; `skip` belongs to the step).
struct ChargeMigrationParams {
    double signal_threshold = 25000.0;  // DN
};

/// Earliest triggering group of each pixel in rows [y0, y1) of integration n (ngroups if none);
/// `first` is the whole (ny * nx) plane.
inline void charge_migration_first_triggers(const RampModel& model, std::size_t n, float threshold,
                                            std::vector<std::uint32_t>& first, std::size_t y0, std::size_t y1) {
    const std::size_t ng = model.ngroups(), nx = model.nx();
    for (std::size_t q = y0 * nx; q < y1 * nx; ++q) first[q] = static_cast<std::uint32_t>(ng);
    for (std::size_t g = ng; g-- > 0;) {  // last to first, so the earliest trigger wins
        const float* sci = model.sci.plane(n * ng + g);
        const std::uint8_t* gdq = model.groupdq.plane(n * ng + g);
        for (std::size_t q = y0 * nx; q < y1 * nx; ++q)
            if (sci[q] > threshold && gdq[q] != dq::DO_NOT_USE) first[q] = static_cast<std::uint32_t>(g);
    }
}

/// Flag rows [y0, y1) of integration n from the first-trigger plane of that integration.
inline void charge_migration_flag_rows(RampModel& model, std::size_t n, const std::vector<std::uint32_t>& first,
                                       std::size_t y0, std::size_t y1) {
    constexpr auto flag = static_cast<std::uint8_t>(dq::CHARGELOSS | dq::DO_NOT_USE);
    const std::size_t ng = model.ngroups(), ny = model.ny(), nx = model.nx();
    for (std::size_t y = y0; y < y1; ++y)
        for (std::size_t x = 0; x < nx; ++x) {
            const std::size_t q = y * nx + x;
            std::uint32_t start = first[q];
            if (y > 0) start = std::min(start, first[q - nx]);
            if (y + 1 < ny) start = std::min(start, first[q + nx]);
            if (x > 0) start = std::min(start, first[q - 1]);
            if (x + 1 < nx) start = std::min(start, first[q + 1]);
            for (std::size_t g = start; g < ng; ++g) model.groupdq.plane(n * ng + g)[q] |= flag;
        }
}

/// The charge_migration step on a ramp, in place.
inline StepOutcome flag_charge_migration(RampModel& model, const ChargeMigrationParams& p) {
    if (model.groupdq.shape() != model.sci.shape())
        throw InputError("charge_migration: GROUPDQ shape " + shape_text(model.groupdq.shape()) + " does not match SCI " +
                         shape_text(model.sci.shape()));
    if (model.ngroups() < 3)
        return StepOutcome::skip("charge_migration needs at least 3 groups per integration (SCI has " +
                                   std::to_string(model.ngroups()) + ")");
    const float threshold = static_cast<float>(p.signal_threshold);  // numpy compares in float32
    const std::size_t ny = model.ny();
    std::vector<std::uint32_t> first(ny * model.nx());
    for (std::size_t n = 0; n < model.nints(); ++n) {
        charge_migration_first_triggers(model, n, threshold, first, 0, ny);
        charge_migration_flag_rows(model, n, first, 0, ny);
    }
    return StepOutcome::complete();
}

}  // namespace orrery::jwst
