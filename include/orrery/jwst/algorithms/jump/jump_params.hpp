#pragma once
// stpipe JumpStep parameters (jwst jump_step.py spec; docs/algorithms/jump.md): every one of
// the 35, with its exact name and default. The snowball (expand_large_events ...) and
// MIRI shower (find_showers ...) groups are carried so parameter files round-trip, but
// detect_jumps refuses to run with either switched on (NotSupportedError).
// Also: how maximum_cores becomes a number of row slices, and the group counts of the
// after-jump times, both as the reference computes them.

#include "orrery/core/errors.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <string>

namespace orrery::jwst {

/// stpipe JumpStep parameters (floats are double, integers int).
struct JumpParams {
    // two-point difference
    double rejection_threshold = 4.0;              // sigma, pixels with >= 4 usable differences
    double three_group_rejection_threshold = 6.0;  // sigma, pixels with 2 usable differences (3 groups)
    double four_group_rejection_threshold = 5.0;   // sigma, pixels with 3 usable differences (4 groups)
    std::string maximum_cores = "1";               // '1', an integer, 'quarter', 'half', 'all' (row slices)
    bool flag_4_neighbors = true;                  // also flag the 4 neighbours of a jump ...
    double max_jump_to_flag_neighbors = 1000;      // ... whose significance is below this
    double min_jump_to_flag_neighbors = 10;        // ... and above this
    double after_jump_flag_dn1 = 0;                // DN: jumps at least this large ...
    double after_jump_flag_time1 = 0;              // ... also flag the groups within this many seconds after
    double after_jump_flag_dn2 = 0;
    double after_jump_flag_time2 = 0;
    // snowballs (not supported)
    bool expand_large_events = false;
    double min_sat_area = 1.0;
    double min_jump_area = 5.0;
    double expand_factor = 2.0;
    bool use_ellipses = false;  // deprecated upstream
    bool sat_required_snowball = true;
    double min_sat_radius_extend = 2.5;
    int sat_expand = 2;
    int edge_size = 25;
    bool mask_snowball_core_next_int = true;
    int snowball_time_masked_next_int = 4000;
    // MIRI showers (not supported)
    bool find_showers = false;
    double max_shower_amplitude = 4;
    double extend_snr_threshold = 1.2;
    int extend_min_area = 90;
    double extend_inner_radius = 1;
    double extend_outer_radius = 2.6;
    double extend_ellipse_expand_ratio = 1.1;
    double time_masked_after_shower = 15;
    // mode selection
    int min_diffs_single_pass = 10;    // >= this many usable differences: one pass, no iteration
    int max_extended_radius = 200;     // showers/snowballs only
    int minimum_groups = 3;            // used only when maximum_cores gives more than one slice
    int minimum_sigclip_groups = 100;  // integrations (or groups) needed for sigma-clip mode
    bool only_use_ints = true;         // sigma clip across integrations only (else all differences)
};

namespace jump_detail {

/// stcal compute_num_cores: row slices for maximum_cores on `nrows` rows with `available`
/// cores. Decimal digits give that number; "none"/"one" (any case) 1; "quarter", "half",
/// "all" a share of the cores; anything else 1. Never more than rows or cores.
/// "0" (a division by zero upstream) is a ParameterError.
inline std::size_t slice_count(const std::string& maximum_cores, std::size_t nrows, std::size_t available) {
    available = std::max<std::size_t>(available, 1);
    std::size_t n = 1;
    const bool digits = !maximum_cores.empty() &&
                        std::all_of(maximum_cores.begin(), maximum_cores.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (digits) {
        n = 0;
        for (char c : maximum_cores) n = std::min<std::size_t>(n * 10 + static_cast<std::size_t>(c - '0'), 1u << 30);
        if (n == 0) throw ParameterError("maximum_cores", "", "'0' gives no row slices; use '1' or more");
    } else if (maximum_cores == "quarter") {
        n = std::max<std::size_t>(available / 4, 1);
    } else if (maximum_cores == "half") {
        n = std::max<std::size_t>(available / 2, 1);
    } else if (maximum_cores == "all") {
        n = available;
    }
    return std::max<std::size_t>(std::min({nrows, n, available}), 1);
}

/// Python's float floor division `a // b` (fmod based, as CPython's float_floor_div).
inline double python_floordiv(double a, double b) {
    double mod = std::fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
    if (div == 0.0) return std::copysign(0.0, a / b);
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    return floordiv;
}

/// jwst: int(after_jump_flag_time // TGROUP) groups flagged after a large jump.
inline long long after_jump_groups(double time, double tgroup, const char* name) {
    if (time == 0.0) return 0;
    if (tgroup == 0.0 || std::isnan(tgroup))
        throw InputError(std::string("jump: ") + name + " needs the group time, but TGROUP is 0 or missing");
    const double q = python_floordiv(time, tgroup);
    if (!std::isfinite(q)) throw ParameterError(name, "", "gives no finite number of groups");
    return static_cast<long long>(std::clamp(q, -1e15, 1e15));
}

}  // namespace jump_detail
}  // namespace orrery::jwst
