#pragma once
// jump (docs/algorithms/jump.md; jwst JumpStep -> stcal jump.py detect_jumps_data ->
// twopoint_difference.py find_crs): two-point-difference cosmic-ray detection. Flags
// JUMP_DET in GROUPDQ, and NO_GAIN_VALUE|DO_NOT_USE in PIXELDQ where the gain is <= 0 or
// NaN. SCI is not changed. The frame is ONE stcal slice (what maximum_cores='1' gives
// upstream), its rows processed in blocks, possibly in parallel; the result is the same
// for any thread count and block size:
//
//   StepOutcome detect_jumps_one_slice(model, gain, readnoise, params, for_rows [, &report]);
//     for_rows(rows, body): calls body(y0, y1) over row ranges covering [0, rows),
//     possibly concurrently (e.g. orrery::parallel_rows);
//     [](std::size_t n, auto&& body) { body(0, n); } runs serially.
//   skipped ("NGROUPS<=2") when the ramp has fewer than 3 groups: nothing is changed.
//   Otherwise COMPLETE -- also when the frame has too few usable groups (stcal then
//   leaves its flags as they were; report->slices[0].mode says so).
//   Throws NotSupportedError for expand_large_events / find_showers (snowballs and MIRI
//   showers are a later stage), InputError for reference or metadata that do not fit.
//
// Why the split into passes is exact: a pixel's detection, its neighbour seeds (JUMP on
// the later group and min < |d - median| / sigma < max) and its primary-CR count depend
// on that pixel alone, so one pass computes them per pixel and stores the seeds as one
// bit per difference plane. A second pass ORs the seeds of each pixel and its four
// neighbours into its own groups (no pixel writes another's flags), then the after-jump
// flags and the final JUMP cleanup, again per pixel. Sigma-clip mode first needs the
// whole-plane reset, so there the seeds come from a pass after it.
// Unlike upstream, maximum_cores never changes the result here: it only sets the threads.
// (Upstream's split into maximum_cores row slices, joined at their edges, is kept as the
// serial reference in tests/oracles/jump_oracle.hpp, for the cross-checks.)

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/jump/jump_params.hpp"
#include "orrery/jwst/algorithms/jump/neighbour_flags.hpp"
#include "orrery/jwst/algorithms/jump/two_point_difference.hpp"
#include "orrery/jwst/algorithms/small_sort.hpp"
#include "orrery/jwst/algorithms/reference_shape.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
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

/// What jump detection found, for the step's log and PRIMECRS keyword.
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

/// Per-pixel outputs of the detection pass.
struct OneSlicePlanes {
    std::size_t seed_bytes = 0;        // bytes of seed bits per pixel (0: no neighbour flagging)
    // Huge-page storage: fresh 4 KiB pages of plane-sized buffers cost more than their use.
    std::vector<std::uint8_t, LargePageAllocator<std::uint8_t>> seeds;  // (ny*nx, seed_bytes): bit i*(ngroups-1)+k = seed of difference (i, k)
    std::vector<double, LargePageAllocator<double>> medians;            // (ny*nx) pixel median, only when after-jump flagging runs
};

/// Count JUMP flags of pixel p after detection, record its seeds and median.
inline long long finish_detected_pixel(const Frame& f, std::size_t p, const PixelRamp& px, const PixelNoise& pn, const double* d,
                                       const Settings& st, OneSlicePlanes& out) {
    long long crs = 0;
    for (std::size_t ig = 0; ig < f.nints * f.ngroups; ++ig) crs += (px.gdq[ig * f.plane()] & g_jump) ? 1 : 0;
    if (out.seed_bytes) {
        std::uint8_t* s = out.seeds.data() + p * out.seed_bytes;
        const std::size_t nd = f.ngroups - 1;
        for (std::size_t i = 0; i < f.nints; ++i)
            for (std::size_t k = 0; k < nd; ++k) {
                if (!(px.dq_after(i, k) & g_jump)) continue;
                const double ratio = std::fabs(d[i * nd + k] - pn.median) / pn.sigma;
                if (ratio < st.max_neighbour_sigma && ratio > st.min_neighbour_sigma) {
                    const std::size_t bit = i * nd + k;
                    s[bit >> 3] = static_cast<std::uint8_t>(s[bit >> 3] | (1u << (bit & 7)));
                }
            }
    }
    if (!out.medians.empty()) out.medians[p] = pn.median;
    return crs;
}

/// first_differences of up to `size` consecutive pixels, formed plane by plane (contiguous
/// loads): df[j * size + c] is difference j of pixel c, in float32 (the reference computes it
/// in float32; as a double it is the same number). Also whether a pixel has a NaN difference
/// or a JUMP flag already.
struct ChunkDifferences {
    static constexpr std::size_t size = 256;
    std::size_t n;
    std::vector<float> df, prev, cur;
    std::vector<std::uint8_t> any_nan, any_jump;
    explicit ChunkDifferences(std::size_t n_) : n(n_), df(size * n_), prev(size), cur(size), any_nan(size), any_jump(size) {}

    void load(const Frame& f, std::size_t p0, std::size_t count) {
        const std::size_t nd = f.ngroups - 1, total = f.plane() * f.nints * f.ngroups;
        const float* gain = f.gain + p0;
        std::fill_n(any_jump.begin(), count, std::uint8_t{0});
        std::fill_n(any_nan.begin(), count, std::uint8_t{0});
        for (std::size_t i = 0; i < f.nints; ++i)
            for (std::size_t g = 0; g < f.ngroups; ++g) {
                const std::size_t o = (i * f.ngroups + g) * f.plane() + p0;
                const float* s = f.sci + o;
                const std::uint8_t* q = f.gdq + o;
                // Many planes are read at once: fetch this plane's next run ahead (no effect on results).
                for (std::size_t c = 0; c < size && o + count + c < total; c += 16) {
                    __builtin_prefetch(s + count + c);
                    if (c % 64 == 0) __builtin_prefetch(q + count + c);
                }
                float* __restrict e = cur.data();
                std::uint8_t* __restrict jumps = any_jump.data();
                constexpr std::uint32_t nan_bits = std::bit_cast<std::uint32_t>(std::numeric_limits<float>::quiet_NaN());
                for (std::size_t c = 0; c < count; ++c) {
                    // group_electrons with the NaN chosen by a bit mask: no control flow, so it vectorises.
                    const std::uint32_t bad = 0u - static_cast<std::uint32_t>((q[c] & (g_dnu | g_sat)) != 0);
                    const std::uint32_t bits = std::bit_cast<std::uint32_t>(s[c] * gain[c]);
                    e[c] = std::bit_cast<float>((bits & ~bad) | (nan_bits & bad));
                    jumps[c] = static_cast<std::uint8_t>(jumps[c] | (q[c] & g_jump));
                }
                if (g > 0) {
                    float* out = df.data() + (i * nd + g - 1) * size;
                    for (std::size_t c = 0; c < count; ++c) {
                        out[c] = cur[c] - prev[c];
                        any_nan[c] |= std::isnan(out[c]);
                    }
                }
                prev.swap(cur);
            }
    }
    /// Pixel c's differences as doubles (first_differences).
    void differences(std::size_t c, double* d) const {
        for (std::size_t j = 0; j < n; ++j) d[j] = static_cast<double>(df[j * size + c]);
    }
};

/// The quiet pixels of iterative mode, four at a time: at least 4 differences, none NaN, and no
/// integration over the threshold in the first round, so nothing is flagged. Same numbers as
/// detect_iterative: the medians are the same order statistics (sorted in float32, where the
/// differences are exact), and max_j(|e_j| / sigma) == max_j(|e_j|) / sigma because dividing by
/// a positive sigma is monotonic under rounding. Sets quiet[l] and noise[l] for lanes
/// c0 + l < c0 + lanes whose pixel has no NaN difference; the others need the general path.
struct QuietLanes {
    std::vector<float> sorted, abs_sorted;  // (n, 4) interleaved
    explicit QuietLanes(std::size_t n) : sorted(4 * n), abs_sorted(4 * n) {}

    void decide(const ChunkDifferences& ch, std::size_t c0, std::size_t lanes, const Frame& f, std::size_t p0,
                const RejectionThresholds& thr, bool quiet[4], PixelNoise noise[4]) {
        const std::size_t n = ch.n, h = n / 2, nd = n / f.nints;
        for (std::size_t l = 0; l < 4; ++l) quiet[l] = false;
        if (n < 4 || n > small_sort_max) return;
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t l = 0; l < 4; ++l) {
                const float v = ch.df[j * ChunkDifferences::size + c0 + std::min(l, lanes - 1)];
                sorted[4 * j + l] = v;
                abs_sorted[4 * j + l] = std::fabs(v);
            }
        sort_small_lanes4(sorted.data(), n);
        sort_small_lanes4(abs_sorted.data(), n);
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::size_t c = c0 + l;
            if (ch.any_nan[c]) continue;
            const auto at = [&](const std::vector<float>& v, std::size_t j) { return static_cast<double>(v[4 * j + l]); };
            const double rn2nf = f.rn2_over_nframes(p0 + c);
            PixelNoise& pn = noise[l];
            pn.median = n % 2 ? at(sorted, h) : (at(sorted, h - 1) + at(sorted, h)) / 2.0;  // = nanmedian(d)
            pn.sigma = noise_sigma(pn.median, rn2nf);
            // robust_median of |d| with n >= 4 usable: every value equal to the largest dropped.
            std::size_t kept = n;
            while (kept > 0 && abs_sorted[4 * (kept - 1) + l] == abs_sorted[4 * (n - 1) + l]) --kept;
            quiet[l] = true;
            if (kept == 0) continue;  // robust median NaN: every ratio NaN, nothing flagged
            const double m = kept % 2 ? at(abs_sorted, kept / 2) : (at(abs_sorted, kept / 2 - 1) + at(abs_sorted, kept / 2)) / 2.0;
            const double sigma = noise_sigma(m, rn2nf);
            if (std::isnan(sigma)) continue;
            for (std::size_t i = 0; i < f.nints && quiet[l]; ++i) {
                double emax = 0.0;
                for (std::size_t k = 0; k < nd; ++k) {
                    const double a = std::fabs(static_cast<double>(ch.df[(i * nd + k) * ChunkDifferences::size + c]));
                    emax = std::max(emax, std::fabs(static_cast<double>(static_cast<float>(a - m))));
                }
                if (emax / sigma > thr.four_or_more) quiet[l] = false;
            }
        }
    }
};

/// setup_pdq for rows [y0, y1): bad gain -> NO_GAIN_VALUE | DO_NOT_USE.
inline void flag_bad_gain_rows(RampModel& model, const GainRef& gain, std::size_t y0, std::size_t y1) {
    const std::size_t nx = model.nx();
    for (std::size_t p = y0 * nx; p < y1 * nx; ++p) {
        const float g = gain.sci[p];
        if (g <= 0.0f || std::isnan(g)) model.pixeldq[p] |= dq::NO_GAIN_VALUE | dq::DO_NOT_USE;
    }
}

/// Pass 2 for rows [y0, y1): neighbour flags from the seeds, after-jump flags, JUMP cleanup.
/// Every pixel writes only its own flags, so the three run row by row, each over the whole
/// row: the cleanup then walks each group plane contiguously (vectorised).
inline void flag_and_clean_rows(const Frame& f, const Settings& st, const OneSlicePlanes& planes, bool detected, std::size_t y0,
                                std::size_t y1, PixelScratch& scratch) {
    const std::size_t nx = f.nx, nd = f.ngroups - 1, W = planes.seed_bytes;
    std::vector<std::uint8_t> hit(W);
    for (std::size_t y = y0; y < y1; ++y) {
        if (detected && W)
            for (std::size_t x = 0; x < nx; ++x) {
                const std::size_t p = y * nx + x;
                const std::uint8_t* s = planes.seeds.data() + p * W;
                bool any = false;
                for (std::size_t b = 0; b < W; ++b) {
                    std::uint8_t h = s[b];
                    if (x > 0) h |= s[b - W];
                    if (x + 1 < nx) h |= s[b + W];
                    if (y > 0) h |= s[b - nx * W];
                    if (y + 1 < f.ny) h |= s[b + nx * W];
                    hit[b] = h;
                    any = any || h != 0;
                }
                if (!any) continue;
                const PixelRamp px = f.pixel(p);
                for (std::size_t i = 0; i < f.nints; ++i)
                    for (std::size_t k = 0; k < nd; ++k) {
                        const std::size_t bit = i * nd + k;
                        if (!(hit[bit >> 3] & (1u << (bit & 7)))) continue;
                        std::uint8_t& q = px.dq_after(i, k);
                        if ((q & (g_sat | g_dnu)) == 0) q |= g_jump;
                    }
            }
        if (detected && st.after_jump)
            for (std::size_t x = 0; x < nx; ++x) {
                const std::size_t p = y * nx + x;
                const PixelRamp px = f.pixel(p);
                first_differences(px, scratch.d.data());
                flag_after_jumps(px, planes.medians[p], st.after1, st.after2, scratch.d.data());
            }
        for (std::size_t ig = 0; ig < f.nints * f.ngroups; ++ig) {
            std::uint8_t* q = f.gdq + ig * f.plane() + y * nx;
            for (std::size_t x = 0; x < nx; ++x) {
                const bool drop = ((q[x] & g_jump) != 0) & ((q[x] & (g_dnu | g_sat)) != 0);
                q[x] = static_cast<std::uint8_t>(q[x] & ~(drop ? g_jump : 0));
            }
        }
    }
}

}  // namespace jump_detail

/// See the file comment.
template <class ForRows>
StepOutcome detect_jumps_one_slice(RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise, const JumpParams& params,
                                   ForRows&& for_rows, JumpReport* report = nullptr) {
    using namespace jump_detail;
    check_supported(params);
    if (report) *report = {};
    if (model.ngroups() <= 2) return StepOutcome::skip("Cannot apply jump detection when NGROUPS<=2; jump step skipped");
    check_inputs(model, gain, readnoise);
    if (model.sci.empty()) return StepOutcome::complete();

    const Settings st = make_settings(model, gain, params, 1);

    const Frame f{model.sci.data(), model.groupdq.data(), gain.sci.data(), readnoise.sci.data(),
                  model.nints(),    model.ngroups(),     model.ny(),      model.nx(),
                  static_cast<double>(model.meta.nframes)};
    const RowSlice slice{0, f.ny, f.nx};
    JumpSliceReport rep{0, f.ny, JumpMode::not_run, -99};
    rep.mode = choose_mode(f, count_usable_groups(f, slice), st);
    const bool detected = rep.mode != JumpMode::not_run;

    OneSlicePlanes planes;
    if (detected && st.flag_4_neighbors) {
        planes.seed_bytes = (f.nints * (f.ngroups - 1) + 7) / 8;
        planes.seeds.assign(f.plane() * planes.seed_bytes, 0);
    }
    if (detected && st.after_jump) planes.medians.resize(f.plane());

    std::atomic<long long> crs{0};
    const std::size_t n = f.nints * (f.ngroups - 1);
    // Pass 1: bad-gain PIXELDQ, detection, then (except sigma clip) counts, seeds and medians.
    // The differences of a run of pixels are formed plane by plane (contiguous loads) first.
    for_rows(f.ny, [&](std::size_t y0, std::size_t y1) {
        flag_bad_gain_rows(model, gain, y0, y1);
        if (!detected) return;
        PixelScratch scratch(f.nints, f.ngroups);
        ChunkDifferences chunk(n);
        QuietLanes lanes4(n);
        long long local = 0;
        for (std::size_t y = y0; y < y1; ++y)
            for (std::size_t x0 = 0; x0 < f.nx; x0 += chunk.size) {
                const std::size_t p0 = y * f.nx + x0, count = std::min(chunk.size, f.nx - x0);
                chunk.load(f, p0, count);
                for (std::size_t c0 = 0; c0 < count; c0 += 4) {
                    const std::size_t lanes = std::min<std::size_t>(4, count - c0);
                    bool quiet[4] = {false, false, false, false};
                    PixelNoise noise[4];
                    if (rep.mode == JumpMode::iterative) lanes4.decide(chunk, c0, lanes, f, p0, st.thresholds, quiet, noise);
                    for (std::size_t l = 0; l < lanes; ++l) {
                        const std::size_t c = c0 + l, p = p0 + c;
                        const PixelRamp px = f.pixel(p);
                        if (quiet[l]) {
                            if (chunk.any_jump[c]) {
                                chunk.differences(c, scratch.d.data());
                                local += finish_detected_pixel(f, p, px, noise[l], scratch.d.data(), st, planes);
                            } else if (!planes.medians.empty()) {
                                planes.medians[p] = noise[l].median;
                            }
                            continue;
                        }
                        chunk.differences(c, scratch.d.data());
                        const double rn2nf = f.rn2_over_nframes(p);
                        const PixelNoise pn = pixel_noise(scratch.d.data(), n, rn2nf, scratch.work.data());
                        switch (rep.mode) {
                            case JumpMode::sigma_clip: detect_sigma_clip(px, st.rejection_threshold, st.only_use_ints, scratch); continue;
                            case JumpMode::single_pass: detect_single_pass(px, pn, st.rejection_threshold, scratch.d.data()); break;
                            case JumpMode::iterative: detect_iterative(px, rn2nf, st.thresholds, scratch); break;
                            case JumpMode::not_run: break;
                        }
                        local += finish_detected_pixel(f, p, px, pn, scratch.d.data(), st, planes);
                    }
                }
            }
        crs += local;
    });
    if (rep.mode == JumpMode::sigma_clip) {
        reset_all_jump_planes(f, slice);
        for_rows(f.ny, [&](std::size_t y0, std::size_t y1) {
            PixelScratch scratch(f.nints, f.ngroups);
            long long local = 0;
            for (std::size_t p = y0 * f.nx; p < y1 * f.nx; ++p) {
                const PixelRamp px = f.pixel(p);
                first_differences(px, scratch.d.data());
                const PixelNoise pn = pixel_noise(scratch.d.data(), n, f.rn2_over_nframes(p), scratch.work.data());
                local += finish_detected_pixel(f, p, px, pn, scratch.d.data(), st, planes);
            }
            crs += local;
        });
    }
    if (detected) rep.primary_crs = crs.load();

    // Pass 2: neighbours, after-jump, and stcal's final cleanup (JUMP dropped where DO_NOT_USE or SATURATED).
    for_rows(f.ny, [&](std::size_t y0, std::size_t y1) {
        PixelScratch scratch(f.nints, f.ngroups);
        flag_and_clean_rows(f, st, planes, detected, y0, y1, scratch);
    });

    if (report) {
        report->slices.push_back(rep);
        report->primary_crs = rep.primary_crs;
    }
    return StepOutcome::complete();
}

}  // namespace orrery::jwst
