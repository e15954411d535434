#pragma once
// jump (docs/algorithms/jump.md; jwst JumpStep -> stcal jump.py detect_jumps_data ->
// twopoint_difference.py find_crs): two-point-difference cosmic-ray detection. Flags
// JUMP_DET in GROUPDQ, and NO_GAIN_VALUE|DO_NOT_USE in PIXELDQ where the gain is <= 0 or
// NaN. SCI is not changed.
//
//   detect_jumps(model, gain, readnoise, params [, &report]) -> StepOutcome
//     skipped ("NGROUPS<=2") when the ramp has fewer than 3 groups: nothing is changed.
//     Otherwise COMPLETE -- also when a row slice has too few usable groups (stcal then
//     leaves its flags as they were; report->slices[s].mode says so).
//   Throws NotSupportedError for expand_large_events / find_showers (snowballs and MIRI
//   showers are a later stage), InputError for reference or metadata that do not fit.
//
// Work is split like the reference: maximum_cores gives the number of row slices, each
// handled as one find_crs call (its own usable-group counts, mode and neighbour flags,
// joined at the slice edges afterwards); with one slice the minimum usable group count
// is 3, otherwise minimum_groups. Within a slice every phase loops over a row range, so
// row blocks can later run in parallel; only the usable-group counts, the sigma-clip
// plane reset and the neighbour seeds of a difference plane need the whole slice first.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/jump/jump_params.hpp"
#include "orrery/jwst/algorithms/jump/neighbour_flags.hpp"
#include "orrery/jwst/algorithms/jump/two_point_difference.hpp"
#include "orrery/jwst/algorithms/reference_shape.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace orrery::jwst {

/// How one row slice was searched.
enum class JumpMode {
    not_run,      // too few usable groups for any method: flags left as they were
    iterative,    // fewer than min_diffs_single_pass usable differences
    single_pass,  // min_diffs_single_pass or more usable differences
    sigma_clip,   // minimum_sigclip_groups integrations (only_use_ints) or groups
};

inline const char* to_string(JumpMode m) {
    switch (m) {
        case JumpMode::not_run: return "not run (less than the minimum number of usable groups)";
        case JumpMode::iterative: return "iterative";
        case JumpMode::single_pass: return "single pass";
        case JumpMode::sigma_clip: return "sigma clip";
    }
    return "?";
}

struct JumpSliceReport {
    std::size_t y0 = 0, y1 = 0;  // rows
    JumpMode mode = JumpMode::not_run;
    long long primary_crs = 0;   // JUMP flags after detection, before neighbours (-99 if not run, as stcal)
};

/// What detect_jumps found, for the step's log and PRIMECRS keyword.
struct JumpReport {
    std::vector<JumpSliceReport> slices;
    long long primary_crs = 0;  // stcal total_primary_crs: sum over slices (including their -99s)
};

namespace jump_detail {

/// The ramp, references and per-pixel inputs shared by all slices.
struct Frame {
    const float* sci;
    std::uint8_t* gdq;
    const float* gain;
    const float* readnoise;
    std::size_t nints, ngroups, ny, nx;
    double nframes;

    [[nodiscard]] std::size_t plane() const { return ny * nx; }
    [[nodiscard]] PixelRamp pixel(std::size_t p) const {
        return PixelRamp{sci + p, gdq + p, nints, ngroups, plane(), gain[p]};
    }
    [[nodiscard]] PixelRamp plane0() const { return PixelRamp{sci, gdq, nints, ngroups, plane(), 0.0f}; }
    /// rn2/NFRAMES in double, rn2 = (RN*gain)^2 in float32.
    [[nodiscard]] double rn2_over_nframes(std::size_t p) const {
        const float rn = readnoise[p] * gain[p];
        const float rn2 = rn * rn;
        return static_cast<double>(rn2) / nframes;
    }
};

struct Settings {
    RejectionThresholds thresholds;
    double rejection_threshold;
    int minimum_groups;
    int minimum_sigclip_groups;
    int min_diffs_single_pass;
    bool only_use_ints;
    bool flag_4_neighbors;
    double min_neighbour_sigma, max_neighbour_sigma;
    bool after_jump;
    AfterJumpRule after1, after2;
};

/// Seeds of a slice's first and last rows, per (integration, group), for the slice joins.
struct EdgeSeeds {
    std::vector<std::uint8_t> first_row, last_row;  // (nints, ngroups, nx)
};

/// stcal groups_all_set_dnu over the slice rows: groups whose every pixel is DO_NOT_USE.
struct UsableGroups {
    long long min_usable_groups = 0, total_groups = 0, last_int_flagged = 0;
};
inline UsableGroups count_usable_groups(const Frame& f, const RowSlice& s) {
    long long max_flagged = 0, total_flagged = 0, flagged = 0;
    for (std::size_t i = 0; i < f.nints; ++i) {
        flagged = 0;
        for (std::size_t g = 0; g < f.ngroups; ++g) {
            const std::uint8_t* q = f.gdq + (i * f.ngroups + g) * f.plane() + s.y0 * f.nx;
            const bool all_dnu = std::all_of(q, q + s.pixels(), [](std::uint8_t v) { return (v & g_dnu) != 0; });
            flagged += all_dnu ? 1 : 0;
        }
        max_flagged = std::max(max_flagged, flagged);
        total_flagged += flagged;
    }
    const auto nint = static_cast<long long>(f.nints), ngr = static_cast<long long>(f.ngroups);
    return {ngr - max_flagged, nint * ngr - total_flagged, flagged};
}

/// find_crs mode decision for a slice (check_group_counts, minimum_groups, check_sigma_clip_groups).
inline JumpMode choose_mode(const Frame& f, const UsableGroups& u, const Settings& st) {
    const auto nint = static_cast<long long>(f.nints), ngr = static_cast<long long>(f.ngroups);
    // total_sigclip_groups uses the DO_NOT_USE count of the *last* integration, as stcal does.
    const long long sigclip_groups = st.only_use_ints ? nint : nint * ngr - u.last_int_flagged;
    const bool sigclip_fails = sigclip_groups < st.minimum_sigclip_groups;
    const bool too_few_groups = u.min_usable_groups < st.minimum_groups;
    if (sigclip_fails && too_few_groups) return JumpMode::not_run;
    const bool sigclip = st.only_use_ints ? nint >= st.minimum_sigclip_groups : u.total_groups >= st.minimum_sigclip_groups;
    if (sigclip) return JumpMode::sigma_clip;
    return u.min_usable_groups - 1 >= st.min_diffs_single_pass ? JumpMode::single_pass : JumpMode::iterative;
}

/// Phase A, rows [r0, r1): differences, median and sigma of each pixel, then detection.
inline void detect_rows(const Frame& f, const RowSlice& s, std::size_t r0, std::size_t r1, JumpMode mode,
                        const Settings& st, PixelNoise* noise, PixelScratch& scratch) {
    const std::size_t n = f.nints * (f.ngroups - 1);
    for (std::size_t y = r0; y < r1; ++y)
        for (std::size_t x = 0; x < f.nx; ++x) {
            const std::size_t p = y * f.nx + x;
            const PixelRamp px = f.pixel(p);
            first_differences(px, scratch.d.data());
            const double rn2nf = f.rn2_over_nframes(p);
            const PixelNoise pn = pixel_noise(scratch.d.data(), n, rn2nf, scratch.work.data());
            noise[(y - s.y0) * f.nx + x] = pn;
            switch (mode) {
                case JumpMode::sigma_clip: detect_sigma_clip(px, st.rejection_threshold, st.only_use_ints, scratch); break;
                case JumpMode::single_pass: detect_single_pass(px, pn, st.rejection_threshold, scratch.d.data()); break;
                case JumpMode::iterative: detect_iterative(px, rn2nf, st.thresholds, scratch); break;
                case JumpMode::not_run: break;
            }
        }
}

/// Sigma-clip epilogue: in a group plane where every slice pixel is JUMP or DO_NOT_USE,
/// pixels flagged JUMP and nothing else are reset to 0.
inline void reset_all_jump_planes(const Frame& f, const RowSlice& s) {
    for (std::size_t ig = 0; ig < f.nints * f.ngroups; ++ig) {
        std::uint8_t* q = f.gdq + ig * f.plane() + s.y0 * f.nx;
        const bool all = std::all_of(q, q + s.pixels(), [](std::uint8_t v) { return (v & (g_jump | g_dnu)) != 0; });
        if (!all) continue;
        for (std::size_t j = 0; j < s.pixels(); ++j)
            if (q[j] == g_jump) q[j] = 0;
    }
}

inline long long count_jumps(const Frame& f, const RowSlice& s) {
    long long n = 0;
    for (std::size_t ig = 0; ig < f.nints * f.ngroups; ++ig) {
        const std::uint8_t* q = f.gdq + ig * f.plane() + s.y0 * f.nx;
        n += std::count_if(q, q + s.pixels(), [](std::uint8_t v) { return (v & g_jump) != 0; });
    }
    return n;
}

/// Phase C, rows [r0, r1): after-jump flags of each pixel.
inline void after_jump_rows(const Frame& f, const RowSlice& s, std::size_t r0, std::size_t r1, const Settings& st,
                            const PixelNoise* noise, PixelScratch& scratch) {
    for (std::size_t y = r0; y < r1; ++y)
        for (std::size_t x = 0; x < f.nx; ++x) {
            const std::size_t p = y * f.nx + x;
            const PixelRamp px = f.pixel(p);
            first_differences(px, scratch.d.data());
            flag_after_jumps(px, noise[(y - s.y0) * f.nx + x].median, st.after1, st.after2, scratch.d.data());
        }
}

/// One stcal find_crs call on rows [s.y0, s.y1).
inline JumpSliceReport find_crs(const Frame& f, const RowSlice& s, const Settings& st, EdgeSeeds* edges) {
    JumpSliceReport rep{s.y0, s.y1, JumpMode::not_run, -99};
    rep.mode = choose_mode(f, count_usable_groups(f, s), st);
    if (rep.mode == JumpMode::not_run) return rep;

    std::vector<PixelNoise> noise(s.pixels());
    PixelScratch scratch(f.nints, f.ngroups);
    detect_rows(f, s, s.y0, s.y1, rep.mode, st, noise.data(), scratch);
    if (rep.mode == JumpMode::sigma_clip) reset_all_jump_planes(f, s);
    rep.primary_crs = count_jumps(f, s);

    if (st.flag_4_neighbors) {
        std::vector<std::uint8_t> seeds(s.pixels());
        const PixelRamp plane0 = f.plane0();
        for (std::size_t i = 0; i < f.nints; ++i)
            for (std::size_t k = 0; k + 1 < f.ngroups; ++k) {
                neighbour_seeds(plane0, f.gain, noise.data(), s, s.y0, s.y1, i, k, st.min_neighbour_sigma,
                                st.max_neighbour_sigma, seeds.data());
                flag_neighbours(f.gdq + plane0.offset(i, k + 1), seeds.data(), s, s.y0, s.y1);
                if (edges) {
                    const std::size_t at = (i * f.ngroups + k + 1) * f.nx;
                    std::copy_n(seeds.data(), f.nx, edges->first_row.data() + at);
                    std::copy_n(seeds.data() + (s.rows() - 1) * f.nx, f.nx, edges->last_row.data() + at);
                }
            }
    }
    if (st.after_jump) after_jump_rows(f, s, s.y0, s.y1, st, noise.data(), scratch);
    return rep;
}

/// stcal reassemble_sliced_data: neighbours across a slice edge (no SATURATED/DO_NOT_USE
/// test here; the final cleanup removes those).
inline void join_slice_edges(const Frame& f, const std::vector<RowSlice>& slices, const std::vector<EdgeSeeds>& edges) {
    for (std::size_t k = 1; k < slices.size(); ++k) {
        const std::size_t above = slices[k].y0 - 1, below = slices[k].y0;
        for (std::size_t ig = 0; ig < f.nints * f.ngroups; ++ig) {
            std::uint8_t* row_above = f.gdq + ig * f.plane() + above * f.nx;
            std::uint8_t* row_below = f.gdq + ig * f.plane() + below * f.nx;
            const std::uint8_t* from_below = edges[k].first_row.data() + ig * f.nx;
            const std::uint8_t* from_above = edges[k - 1].last_row.data() + ig * f.nx;
            for (std::size_t x = 0; x < f.nx; ++x) {
                if (from_below[x]) row_above[x] |= g_jump;
                if (from_above[x]) row_below[x] |= g_jump;
            }
        }
    }
}

/// stcal detect_jumps_data: JUMP is dropped wherever DO_NOT_USE or SATURATED is also set.
inline void remove_redundant_jumps(std::uint8_t* gdq, std::size_t n) {
    for (std::size_t j = 0; j < n; ++j)
        if ((gdq[j] & g_jump) && (gdq[j] & (g_dnu | g_sat))) gdq[j] = static_cast<std::uint8_t>(gdq[j] & ~g_jump);
}

/// numpy nanmedian of the gain (float32 arithmetic).
inline float gain_nanmedian(const NdArray<float, 2>& gain) {
    std::vector<float> v;
    v.reserve(gain.size());
    for (float g : gain)
        if (!std::isnan(g)) v.push_back(g);
    return median_in_place(v.data(), v.size());
}

inline void check_supported(const JumpParams& p) {
    if (p.expand_large_events)
        throw NotSupportedError("jump: expand_large_events (snowball detection) is not supported in this version");
    if (p.find_showers)
        throw NotSupportedError("jump: find_showers (MIRI shower detection) is not supported in this version");
}

inline void check_inputs(const RampModel& m, const GainRef& gain, const ReadnoiseRef& rn) {
    if (m.groupdq.shape() != m.sci.shape())
        throw InputError("jump: GROUPDQ has shape " + shape_text(m.groupdq.shape()) + " but SCI is " + shape_text(m.sci.shape()));
    if (m.pixeldq.shape() != std::array<std::size_t, 2>{m.ny(), m.nx()})
        throw InputError("jump: PIXELDQ has shape " + shape_text(m.pixeldq.shape()) + " but SCI is " + shape_text(m.sci.shape()));
    detail::require_science_plane("GAIN", gain, "SCI", gain.sci, m);
    detail::require_science_plane("READNOISE", rn, "SCI", rn.sci, m);
    if (m.meta.nframes <= 0)
        throw InputError("jump: NFRAMES is " + std::to_string(m.meta.nframes) + "; it must be positive");
}

/// Detection settings from the step parameters; one slice hard-wires minimum_groups = 3 as stcal does.
inline Settings make_settings(const RampModel& model, const GainRef& gain, const JumpParams& params, std::size_t n_slices) {
    Settings st{};
    st.thresholds = {params.rejection_threshold, params.four_group_rejection_threshold, params.three_group_rejection_threshold};
    st.rejection_threshold = params.rejection_threshold;
    st.minimum_groups = n_slices == 1 ? 3 : params.minimum_groups;
    st.minimum_sigclip_groups = params.minimum_sigclip_groups;
    st.min_diffs_single_pass = params.min_diffs_single_pass;
    st.only_use_ints = params.only_use_ints;
    st.flag_4_neighbors = params.flag_4_neighbors;
    st.min_neighbour_sigma = params.min_jump_to_flag_neighbors;
    st.max_neighbour_sigma = params.max_jump_to_flag_neighbors;
    st.after1.n = after_jump_groups(params.after_jump_flag_time1, model.meta.tgroup, "after_jump_flag_time1");
    st.after2.n = after_jump_groups(params.after_jump_flag_time2, model.meta.tgroup, "after_jump_flag_time2");
    st.after_jump = st.after1.n > 0 || st.after2.n > 0;
    if (st.after_jump) {
        // numpy 2: Python float * float32 scalar stays float32.
        const float gain_median = gain_nanmedian(gain.sci);
        st.after1.e = static_cast<float>(params.after_jump_flag_dn1) * gain_median;
        st.after2.e = static_cast<float>(params.after_jump_flag_dn2) * gain_median;
    }
    return st;
}

}  // namespace jump_detail

/// Jump detection with the work split into `n_slices` row slices (what maximum_cores
/// resolves to); detect_jumps picks the count. See the file comment.
inline StepOutcome detect_jumps_in_slices(RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise,
                                          const JumpParams& params, std::size_t n_slices, JumpReport* report = nullptr) {
    using namespace jump_detail;
    check_supported(params);
    if (report) *report = {};
    if (model.ngroups() <= 2) return StepOutcome::skip("Cannot apply jump detection when NGROUPS<=2; jump step skipped");
    check_inputs(model, gain, readnoise);
    if (model.sci.empty()) return StepOutcome::complete();

    // setup_pdq: bad gain
    for (std::size_t p = 0; p < model.pixeldq.size(); ++p) {
        const float g = gain.sci[p];
        if (g <= 0.0f || std::isnan(g)) model.pixeldq[p] |= dq::NO_GAIN_VALUE | dq::DO_NOT_USE;
    }

    n_slices = std::clamp<std::size_t>(n_slices, 1, model.ny());
    const Settings st = make_settings(model, gain, params, n_slices);

    const Frame f{model.sci.data(), model.groupdq.data(), gain.sci.data(), readnoise.sci.data(),
                  model.nints(), model.ngroups(), model.ny(), model.nx(), static_cast<double>(model.meta.nframes)};

    std::vector<RowSlice> slices;
    const std::size_t yinc = f.ny / n_slices;
    for (std::size_t k = 0; k < n_slices; ++k)
        slices.push_back({k * yinc, k + 1 == n_slices ? f.ny : (k + 1) * yinc, f.nx});
    std::vector<EdgeSeeds> edges;
    if (n_slices > 1 && st.flag_4_neighbors)
        edges.assign(n_slices, EdgeSeeds{std::vector<std::uint8_t>(f.nints * f.ngroups * f.nx),
                                         std::vector<std::uint8_t>(f.nints * f.ngroups * f.nx)});

    JumpReport rep;
    for (std::size_t k = 0; k < n_slices; ++k) {
        rep.slices.push_back(find_crs(f, slices[k], st, edges.empty() ? nullptr : &edges[k]));
        rep.primary_crs += rep.slices.back().primary_crs;
    }
    if (!edges.empty()) join_slice_edges(f, slices, edges);
    remove_redundant_jumps(model.groupdq.data(), model.groupdq.size());
    if (report) *report = std::move(rep);
    return StepOutcome::complete();
}

/// Jump detection as JumpStep runs it: maximum_cores resolved against this machine's cores.
inline StepOutcome detect_jumps(RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise,
                                const JumpParams& params, JumpReport* report = nullptr) {
    jump_detail::check_supported(params);
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t slices = jump_detail::slice_count(params.maximum_cores, model.ny(), cores);
    return detect_jumps_in_slices(model, gain, readnoise, params, slices, report);
}

}  // namespace orrery::jwst
