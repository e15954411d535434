#pragma once
// The serial reference of jump detection, shaped as stcal runs it: maximum_cores row
// slices, each one find_crs call (its own usable-group counts, mode and neighbour flags),
// joined at the slice edges afterwards; with one slice the minimum usable group count is
// 3, otherwise minimum_groups. The parity tests hold the product's row-block kernel
// (detect_jumps_one_slice, orrery/jwst/algorithms/jump.hpp) to detect_jumps_in_slices(..., 1)
// bit for bit; the cross-checks against upstream use the multi-slice behaviour.
//
//   detect_jumps(model, gain, readnoise, params [, &report]) -> StepOutcome
//     slices from maximum_cores and this machine's cores, as upstream.

#include "orrery/jwst/algorithms/jump.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace orrery::jwst::oracle {

namespace jump_reference {  // its own scope for the kernel's helper names

using namespace orrery::jwst::jump_detail;

/// Seeds of a slice's first and last rows, per (integration, group), for the slice joins.
struct EdgeSeeds {
    std::vector<std::uint8_t> first_row, last_row;  // (nints, ngroups, nx)
};

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

/// Jump detection with the work split into `n_slices` row slices (what maximum_cores
/// resolves to); detect_jumps picks the count. See the file comment.
inline StepOutcome detect_jumps_in_slices(RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise,
                                          const JumpParams& params, std::size_t n_slices, JumpReport* report = nullptr) {
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

/// Jump detection as upstream JumpStep runs it: maximum_cores resolved against this machine's cores.
inline StepOutcome detect_jumps(RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise,
                                const JumpParams& params, JumpReport* report = nullptr) {
    check_supported(params);
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t slices = slice_count(params.maximum_cores, model.ny(), cores);
    return detect_jumps_in_slices(model, gain, readnoise, params, slices, report);
}

}  // namespace jump_reference

using jump_reference::detect_jumps;
using jump_reference::detect_jumps_in_slices;

}  // namespace orrery::jwst::oracle
