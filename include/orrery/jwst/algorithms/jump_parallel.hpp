#pragma once
// Jump detection as ONE stcal slice (what maximum_cores='1' gives upstream), with the
// rows processed in parallel blocks. The result is bit-identical to
// detect_jumps_in_slices(..., 1) for any thread count and block size:
//
//   StepOutcome detect_jumps_one_slice(model, gain, readnoise, params, for_rows [, &report]);
//     for_rows(rows, body): calls body(y0, y1) over row ranges covering [0, rows),
//     possibly concurrently (e.g. parallel_rows in orrery/jwst/parallel.hpp);
//     [](std::size_t n, auto&& body) { body(0, n); } runs serially.
//
// Why the split into passes is exact: a pixel's detection, its neighbour seeds (JUMP on
// the later group and min < |d - median| / sigma < max) and its primary-CR count depend
// on that pixel alone, so one pass computes them per pixel and stores the seeds as one
// bit per difference plane. A second pass ORs the seeds of each pixel and its four
// neighbours into its own groups (no pixel writes another's flags), then the after-jump
// flags and the final JUMP cleanup, again per pixel. Sigma-clip mode first needs the
// whole-plane reset, so there the seeds come from a pass after it.
// Unlike upstream, maximum_cores never changes the result here: it only sets the threads.

#include "orrery/jwst/algorithms/jump.hpp"
#include "orrery/jwst/algorithms/small_sort.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace orrery::jwst {

namespace jump_detail {

/// Per-pixel outputs of the detection pass.
struct OneSlicePlanes {
    std::size_t seed_bytes = 0;        // bytes of seed bits per pixel (0: no neighbour flagging)
    std::vector<std::uint8_t> seeds;   // (ny*nx, seed_bytes): bit i*(ngroups-1)+k = seed of difference (i, k)
    std::vector<double> medians;       // (ny*nx) pixel median, only when after-jump flagging runs
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

/// first_differences of up to `size` consecutive pixels, formed plane by plane: d[c * n + j] is
/// difference j of pixel c. Also whether a pixel has a NaN difference or a JUMP flag already.
struct ChunkDifferences {
    static constexpr std::size_t size = 256;
    std::vector<double> d;
    std::vector<float> prev, cur;
    std::vector<std::uint8_t> any_nan, any_jump;
    explicit ChunkDifferences(std::size_t n) : d(size * n), prev(size), cur(size), any_nan(size), any_jump(size) {}

    void load(const Frame& f, std::size_t p0, std::size_t count) {
        const std::size_t nd = f.ngroups - 1, n = f.nints * nd;
        const float* gain = f.gain + p0;
        std::fill_n(any_jump.begin(), count, std::uint8_t{0});
        for (std::size_t i = 0; i < f.nints; ++i)
            for (std::size_t g = 0; g < f.ngroups; ++g) {
                const std::size_t o = (i * f.ngroups + g) * f.plane() + p0;
                const float* s = f.sci + o;
                const std::uint8_t* q = f.gdq + o;
                for (std::size_t c = 0; c < count; ++c) {
                    cur[c] = group_electrons(s[c], q[c], gain[c]);
                    any_jump[c] |= q[c] & g_jump;
                }
                if (g > 0)
                    for (std::size_t c = 0; c < count; ++c) d[c * n + i * nd + g - 1] = static_cast<double>(cur[c] - prev[c]);
                prev.swap(cur);
            }
        for (std::size_t c = 0; c < count; ++c) {
            bool nan = false;
            for (std::size_t j = 0; j < n; ++j) nan |= std::isnan(d[c * n + j]);
            any_nan[c] = nan;
        }
    }
};

/// The common pixel of iterative mode, decided without detect_iterative: at least 4
/// differences, none NaN, and no integration over the threshold in the first round, so
/// nothing is flagged. Same numbers as the general path: the medians are the same order
/// statistics, and max_j(|e_j| / sigma) == max_j(|e_j|) / sigma because dividing by a
/// positive sigma is monotonic under rounding. Returns false when the general path must run
/// (then `pn` is not set); `work` holds n doubles.
inline bool quiet_iterative_pixel(const double* d, std::size_t n, std::size_t nints, double rn2nf, const RejectionThresholds& thr,
                                  double* work, PixelNoise& pn) {
    if (n < 4 || n > small_sort_max) return false;
    std::copy_n(d, n, work);
    pn.median = median_in_place(work, n);  // = nanmedian: nothing to drop
    pn.sigma = noise_sigma(pn.median, rn2nf);
    // robust_median of |d| with n >= 4 usable: every value equal to the largest dropped.
    for (std::size_t j = 0; j < n; ++j) work[j] = std::fabs(d[j]);
    sort_small(work, n);
    std::size_t kept = n;
    while (kept > 0 && work[kept - 1] == work[n - 1]) --kept;
    if (kept == 0) return true;  // robust median NaN: every ratio NaN, nothing flagged
    const double m = kept % 2 ? work[kept / 2] : (work[kept / 2 - 1] + work[kept / 2]) / 2.0;
    const double sigma = noise_sigma(m, rn2nf);
    if (std::isnan(sigma)) return true;
    const std::size_t nd = n / nints;
    for (std::size_t i = 0; i < nints; ++i) {
        double emax = 0.0;
        for (std::size_t k = 0; k < nd; ++k) {
            const float e = static_cast<float>(std::fabs(d[i * nd + k]) - m);
            emax = std::max(emax, std::fabs(static_cast<double>(e)));
        }
        if (emax / sigma > thr.four_or_more) return false;
    }
    return true;
}

/// setup_pdq for rows [y0, y1): bad gain -> NO_GAIN_VALUE | DO_NOT_USE.
inline void flag_bad_gain_rows(RampModel& model, const GainRef& gain, std::size_t y0, std::size_t y1) {
    const std::size_t nx = model.nx();
    for (std::size_t p = y0 * nx; p < y1 * nx; ++p) {
        const float g = gain.sci[p];
        if (g <= 0.0f || std::isnan(g)) model.pixeldq[p] |= dq::NO_GAIN_VALUE | dq::DO_NOT_USE;
    }
}

/// Pass 2 for rows [y0, y1): neighbour flags from the seeds, after-jump flags, JUMP cleanup.
inline void flag_and_clean_rows(const Frame& f, const Settings& st, const OneSlicePlanes& planes, bool detected, std::size_t y0,
                                std::size_t y1, PixelScratch& scratch) {
    const std::size_t nx = f.nx, nd = f.ngroups - 1, W = planes.seed_bytes;
    std::vector<std::uint8_t> hit(W);
    for (std::size_t y = y0; y < y1; ++y)
        for (std::size_t x = 0; x < nx; ++x) {
            const std::size_t p = y * nx + x;
            const PixelRamp px = f.pixel(p);
            if (detected && W) {
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
                if (any)
                    for (std::size_t i = 0; i < f.nints; ++i)
                        for (std::size_t k = 0; k < nd; ++k) {
                            const std::size_t bit = i * nd + k;
                            if (!(hit[bit >> 3] & (1u << (bit & 7)))) continue;
                            std::uint8_t& q = px.dq_after(i, k);
                            if ((q & (g_sat | g_dnu)) == 0) q |= g_jump;
                        }
            }
            if (detected && st.after_jump) {
                first_differences(px, scratch.d.data());
                flag_after_jumps(px, planes.medians[p], st.after1, st.after2, scratch.d.data());
            }
            for (std::size_t ig = 0; ig < f.nints * f.ngroups; ++ig) {
                std::uint8_t& q = px.gdq[ig * f.plane()];
                if ((q & g_jump) && (q & (g_dnu | g_sat))) q = static_cast<std::uint8_t>(q & ~g_jump);
            }
        }
}

}  // namespace jump_detail

/// See the file comment. Throws as detect_jumps_in_slices.
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
        long long local = 0;
        for (std::size_t y = y0; y < y1; ++y)
            for (std::size_t x0 = 0; x0 < f.nx; x0 += chunk.size) {
                const std::size_t p0 = y * f.nx + x0, count = std::min(chunk.size, f.nx - x0);
                chunk.load(f, p0, count);
                for (std::size_t c = 0; c < count; ++c) {
                    const std::size_t p = p0 + c;
                    const PixelRamp px = f.pixel(p);
                    const double* d = chunk.d.data() + c * n;
                    const double rn2nf = f.rn2_over_nframes(p);
                    PixelNoise pn;
                    if (rep.mode == JumpMode::iterative && !chunk.any_nan[c] &&
                        quiet_iterative_pixel(d, n, f.nints, rn2nf, st.thresholds, scratch.work.data(), pn)) {
                        if (chunk.any_jump[c]) local += finish_detected_pixel(f, p, px, pn, d, st, planes);
                        else if (!planes.medians.empty()) planes.medians[p] = pn.median;
                        continue;
                    }
                    std::copy_n(d, n, scratch.d.data());
                    pn = pixel_noise(scratch.d.data(), n, rn2nf, scratch.work.data());
                    switch (rep.mode) {
                        case JumpMode::sigma_clip: detect_sigma_clip(px, st.rejection_threshold, st.only_use_ints, scratch); continue;
                        case JumpMode::single_pass: detect_single_pass(px, pn, st.rejection_threshold, scratch.d.data()); break;
                        case JumpMode::iterative: detect_iterative(px, rn2nf, st.thresholds, scratch); break;
                        case JumpMode::not_run: break;
                    }
                    local += finish_detected_pixel(f, p, px, pn, scratch.d.data(), st, planes);
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
