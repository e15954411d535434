#pragma once
// saturation (docs/algorithms/saturation.md; stcal flag_saturated_pixels): flag SATURATED groups
// against the SATURATION threshold on raw DN, grow them by n_pix_grow_sat pixels, flag
// A/D-floor groups, and (use_readpatt) the two read-pattern passes that catch saturation
// hidden by frame averaging. ZEROFRAME pixels that saturate or hit the floor become 0.
// Flags GROUPDQ in place, ORs the SATURATION DQ (with NO_SAT_CHECK for NaN thresholds)
// into PIXELDQ. Runs on raw DN: call before superbias. `bias` (nullptr = none, i.e. 0) is
// the SUPERBIAS SCI used only by the group-2 pass; its NaNs are not cleaned.
//
// Over row blocks, with the same bits for any split:
//
//   flag_saturation_rows(model, sat, bias, params, for_rows);
//     for_rows(rows, body): body(y0, y1) over row ranges covering [0, rows), possibly
//     concurrently (e.g. orrery::parallel_rows); flag_saturation(...) runs it on one thread.
//
// The growth (n_pix_grow_sat) of a group's flags needs that group's flags on the rows
// around, final before anyone grows them, while no group's tests depend on another
// group's growth. So pass 1 takes two phases: (A) the per-pixel tests of every group,
// a few rows at a time (their thresholds stay in cache across the groups), writing the
// flags and a 0/1 copy of each group's bit to grow; (B) after all rows did A, each row
// block dilates those copies (reading their halo rows) into its own rows. Pass 2 (read
// pattern, backward) is organised the same way: a plane's test reads only its own
// flags and the SATURATED bit of the next plane, which pass 2 never changes. Pass 3
// (group 2) and the ZEROFRAME tests are per pixel; the ZEROFRAME growth again takes a
// second phase. Thresholds are formed on the fly (pixel_threshold).

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/reference_shape.hpp"
#include "orrery/jwst/algorithms/square_dilation.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace orrery::jwst {

/// stpipe SaturationStep parameters.
struct SaturationParams {
    int n_pix_grow_sat = 1;    // layers of neighbours also flagged (1 = the 8 around)
    bool use_readpatt = true;  // use the NFRAMES read pattern (passes 2 and 3)
};

/// jwst ATOD_LIMIT: the 16-bit converter's ceiling; NO_SAT_CHECK thresholds sit above it.
inline constexpr float atod_limit = 65535.0f;

namespace detail {

constexpr std::uint8_t g_dnu = static_cast<std::uint8_t>(dq::DO_NOT_USE);
constexpr std::uint8_t g_sat = static_cast<std::uint8_t>(dq::SATURATED);
constexpr std::uint8_t g_floor = static_cast<std::uint8_t>(dq::AD_FLOOR);

/// Group g of a frame-averaged ramp holds frames g*nf+1 .. g*nf+nf (1-based; GROUPGAP ignored,
/// as jwst builds the read pattern). numpy mean of those integers, in double.
inline double read_pattern_mean(std::size_t g, std::size_t nf) {
    double sum = 0.0;
    for (std::size_t r = 1; r <= nf; ++r) sum += static_cast<double>(g * nf + r);
    return sum / static_cast<double>(nf);
}

}  // namespace detail

/// The input checks of flag_saturation (InputError, see below).
inline void check_saturation_inputs(const RampModel& model, const SaturationRef& sat, const SuperbiasRef* bias,
                                    const SaturationParams& params) {
    using namespace detail;
    require_science_plane("SATURATION", sat, "SCI", sat.sci, model);
    require_science_plane("SATURATION", sat, "DQ", sat.dq, model);
    if (bias) require_science_plane("SUPERBIAS", *bias, "SCI", bias->sci, model);
    require_zeroframe_shape("saturation", model);
    if (model.groupdq.shape() != model.sci.shape())
        throw InputError("saturation: GROUPDQ has shape " + shape_text(model.groupdq.shape()) + " but SCI is " +
                         shape_text(model.sci.shape()));
    if (model.pixeldq.shape() != std::array<std::size_t, 2>{model.ny(), model.nx()})
        throw InputError("saturation: PIXELDQ has shape " + shape_text(model.pixeldq.shape()) + " but SCI is " +
                         shape_text(model.sci.shape()));
    if (params.use_readpatt && model.meta.nframes < 1)
        throw InputError("saturation: NFRAMES=" + std::to_string(model.meta.nframes) + " in the science header is not positive");
}

namespace detail {

/// The threshold the passes compare with for pixel k: NaN or NO_SAT_CHECK thresholds raised to
/// ATOD_LIMIT+1; and the SATURATION DQ with NO_SAT_CHECK added where the threshold is NaN.
struct PixelThreshold {
    float value;
    bool no_sat_check;
    std::uint32_t dq;
};
inline PixelThreshold pixel_threshold(const SaturationRef& sat, std::size_t k) {
    const float v = sat.sci[k];
    const bool nan = std::isnan(v);
    const std::uint32_t d = sat.dq[k] | (nan ? dq::NO_SAT_CHECK : 0u);
    const bool nsc = dq::has_all(d, dq::NO_SAT_CHECK);
    return {nsc ? atod_limit + 1.0f : v, nsc, d};
}

/// Pass 1 tests of one group plane for n consecutive pixels (every pointer at the first):
/// cumulative threshold crossing (`ever`), SATURATED where ever crossed, A/D floor; with
/// Copy, the SATURATED bit as 0/1 into `copy` for the growth. pixel_threshold's value
/// written out; bitwise, not short-circuit, logic so the loop vectorises (NaN data never
/// trips: NaN >= t is false).
template <bool Copy>
inline void test_group_pixels(const float* __restrict thr, const std::uint32_t* __restrict tdq, const float* __restrict s,
                              std::uint8_t* __restrict q, std::uint8_t* __restrict ever, std::uint8_t* __restrict copy, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
        const float v = thr[k];
        const bool no_check = (v != v) | ((tdq[k] & dq::NO_SAT_CHECK) != 0);
        const float t = no_check ? atod_limit + 1.0f : v;
        const float x = s[k];
        const std::uint8_t e = static_cast<std::uint8_t>(ever[k] | static_cast<std::uint8_t>(x >= t));
        ever[k] = e;
        const std::uint8_t f = static_cast<std::uint8_t>(q[k] | (e * g_sat) | (static_cast<std::uint8_t>(x <= 0.0f) * (g_floor | g_dnu)));
        q[k] = f;
        if constexpr (Copy) copy[k] = (f & g_sat) != 0;
    }
}

/// Pass 3 for pixels [k0, k1): group 1 gets DO_NOT_USE where group 2 saturated in its
/// last frame (pixel_threshold and the tests written out branch-free, vectorised).
template <bool HasBias>
inline void flag_group1_rows(const SaturationRef& sat, const float* __restrict bias_sci, const float* __restrict s0,
                             const float* __restrict s1, std::uint8_t* __restrict dq1, const std::uint8_t* __restrict dq2,
                             float mean0, float last2, float nframes1, std::size_t k0, std::size_t k1) {
    const float* thr = sat.sci.data();
    const std::uint32_t* tdq = sat.dq.data();
    for (std::size_t k = k0; k < k1; ++k) {
        const float v = thr[k];
        const bool no_check = (v != v) | ((tdq[k] & dq::NO_SAT_CHECK) != 0);
        const float T = no_check ? atod_limit + 1.0f : v;
        float b = 0.0f;
        if constexpr (HasBias) b = bias_sci[k];
        const bool below = ((s0[k] - b) / mean0) * last2 + b < T;
        const bool jump = (s1[k] - s0[k]) > (T - s0[k]) / nframes1;
        const bool sat_next = ((dq2[k] & g_sat) != 0) & ((dq1[k] & g_sat) == 0);
        dq1[k] = static_cast<std::uint8_t>(dq1[k] | (static_cast<std::uint8_t>(below & jump & sat_next) * g_dnu));
    }
}

/// Scratch bytes from LargePageAllocator, not zero-filled, freed with the object.
class UninitialisedBytes {
public:
    explicit UninitialisedBytes(std::size_t n) : n_(n), p_(n ? LargePageAllocator<std::uint8_t>().allocate(n) : nullptr) {}
    ~UninitialisedBytes() {
        if (p_) LargePageAllocator<std::uint8_t>().deallocate(p_, n_);
    }
    UninitialisedBytes(const UninitialisedBytes&) = delete;
    UninitialisedBytes& operator=(const UninitialisedBytes&) = delete;
    [[nodiscard]] std::uint8_t* data() const noexcept { return p_; }

private:
    std::size_t n_;
    std::uint8_t* p_;
};

/// Rows [y0, y1) of plane `flags`: OR `bit` wherever the dilation of `mask` is set.
/// Rows with nothing set around them (most rows) cost one vertical OR.
inline void grow_into_rows(const std::uint8_t* mask, std::uint8_t* flags, std::uint8_t bit, std::size_t ny, std::size_t nx, std::size_t n,
                           std::size_t y0, std::size_t y1, std::vector<std::uint8_t>& grown, std::vector<std::uint8_t>& column) {
    grown.resize(nx);
    for (std::size_t y = y0; y < y1; ++y) {
        if (!dilate_square_row(mask, grown.data(), ny, nx, n, y, column)) continue;
        std::uint8_t* out = flags + y * nx;
        for (std::size_t x = 0; x < nx; ++x) out[x] = static_cast<std::uint8_t>(out[x] | (grown[x] ? bit : 0));
    }
}

}  // namespace detail

/// See the file comment. Throws InputError for a reference not (ny, nx) or NFRAMES < 1
/// with use_readpatt (check_saturation_inputs).
template <class ForRows>
void flag_saturation_rows(RampModel& model, const SaturationRef& sat, const SuperbiasRef* bias, const SaturationParams& params,
                          ForRows&& for_rows) {
    using namespace detail;
    check_saturation_inputs(model, sat, bias, params);
    const std::size_t ny = model.ny(), nx = model.nx(), np = ny * nx;
    const std::size_t nints = model.nints(), ngroups = model.ngroups();
    const std::size_t grow = params.n_pix_grow_sat > 0 ? static_cast<std::size_t>(params.n_pix_grow_sat) : 0;
    const std::size_t nf = params.use_readpatt ? static_cast<std::size_t>(model.meta.nframes) : 1;
    if (np == 0) return;

    // The SATURATED bit of every group as 0/1, the source of its growth (a copy: growing a
    // block's rows must not feed the neighbouring blocks' growth).
    // Huge-page storage and no zero fill (phase A writes every byte): fresh 4 KiB pages cost
    // more than the tests themselves on virtual machines.
    UninitialisedBytes masks(grow ? ngroups * np : 0);
    std::uint8_t* const mask_data = masks.data();
    for (std::size_t i = 0; i < nints; ++i) {
        // Pass 1 (forward): cumulative threshold crossing, A/D floor. Phase A tests all groups
        // of a few rows at a time, so those rows' thresholds stay in cache across the groups.
        for_rows(ny, [&](std::size_t y0, std::size_t y1) {
            constexpr std::size_t rows_in_cache = 16;
            std::vector<std::uint8_t> ever(rows_in_cache * nx);
            for (std::size_t ya = y0; ya < y1; ya += rows_in_cache) {
                const std::size_t k0 = ya * nx, n = (std::min(y1, ya + rows_in_cache) - ya) * nx;
                std::fill_n(ever.begin(), n, std::uint8_t{0});
                for (std::size_t g = 0; g < ngroups; ++g) {
                    const float* s = model.sci.plane(i * ngroups + g) + k0;
                    std::uint8_t* q = model.groupdq.plane(i * ngroups + g) + k0;
                    if (grow) test_group_pixels<true>(sat.sci.data() + k0, sat.dq.data() + k0, s, q, ever.data(), mask_data + g * np + k0, n);
                    else test_group_pixels<false>(sat.sci.data() + k0, sat.dq.data() + k0, s, q, ever.data(), nullptr, n);
                }
            }
        });
        // Phase B, once every group's flags are final: each group's SATURATED grown.
        if (grow)
            for_rows(ny, [&](std::size_t y0, std::size_t y1) {
                std::vector<std::uint8_t> grown, column;
                for (std::size_t g = 0; g < ngroups; ++g)
                    grow_into_rows(mask_data + g * np, model.groupdq.plane(i * ngroups + g), g_sat, ny, nx, grow, y0, y1, grown, column);
            });
        if (!params.use_readpatt) continue;

        // Pass 2 (backward) over the groups whose frame averaging dilutes the threshold.
        std::vector<std::size_t> active;
        std::vector<double> dilution;
        for (std::size_t g = ngroups >= 2 ? ngroups - 1 : 0; g-- > 0;) {
            const double d = read_pattern_mean(g, nf) / static_cast<double>((g + 1) * nf);
            if (d == 1.0) continue;
            active.push_back(g);
            dilution.push_back(d);
        }
        std::vector<std::uint8_t> flag2[2] = {std::vector<std::uint8_t>(active.empty() ? 0 : np),
                                              std::vector<std::uint8_t>(active.size() > 1 ? np : 0)};
        for (std::size_t j = 0; j <= active.size(); ++j) {
            if (active.empty()) break;
            for_rows(ny, [&](std::size_t y0, std::size_t y1) {
                std::vector<std::uint8_t> grown, column;
                if (j > 0)  // phase B of the previous active group
                    grow_into_rows(flag2[(j - 1) & 1].data(), model.groupdq.plane(i * ngroups + active[j - 1]), g_dnu, ny, nx, grow, y0, y1,
                                   grown, column);
                if (j == active.size()) return;
                const std::size_t g = active[j];
                const float* s = model.sci.plane(i * ngroups + g);
                const std::uint8_t* q = model.groupdq.plane(i * ngroups + g);
                const std::uint8_t* next = model.groupdq.plane(i * ngroups + g + 1);
                std::uint8_t* f = flag2[j & 1].data();
                for (std::size_t k = y0 * nx; k < y1 * nx; ++k) {
                    const PixelThreshold t = pixel_threshold(sat, k);
                    // float32 threshold times a float64 factor: compared in double, as numpy does.
                    const double thr = static_cast<double>(t.value) * (t.no_sat_check ? 1.0 : dilution[j]);
                    f[k] = static_cast<double>(s[k]) >= thr && (q[k] & (g_sat | g_dnu)) == 0 && (next[k] & g_sat) != 0;
                }
            });
        }
    }

    // Pass 3 (group 2 saturating in its last frame), PIXELDQ, and the ZEROFRAME tests: per pixel.
    const bool zeroframe = model.meta.zeroframe && model.zeroframe;
    std::vector<std::uint8_t> zsat(zeroframe ? nints * np : 0);
    const float mean0 = static_cast<float>(read_pattern_mean(0, nf));
    const float last2 = static_cast<float>(3 * nf);
    const float nframes1 = static_cast<float>(nf);
    for_rows(ny, [&](std::size_t y0, std::size_t y1) {
        for (std::size_t i = 0; i < nints; ++i) {
            if (params.use_readpatt && ngroups > 2) {
                const float* s0 = model.sci.plane(i * ngroups + 0);
                const float* s1 = model.sci.plane(i * ngroups + 1);
                std::uint8_t* dq1 = model.groupdq.plane(i * ngroups + 1);
                const std::uint8_t* dq2 = model.groupdq.plane(i * ngroups + 2);
                const std::size_t k0 = y0 * nx, k1 = y1 * nx;
                if (bias) flag_group1_rows<true>(sat, bias->sci.data(), s0, s1, dq1, dq2, mean0, last2, nframes1, k0, k1);
                else flag_group1_rows<false>(sat, nullptr, s0, s1, dq1, dq2, mean0, last2, nframes1, k0, k1);
            }
            if (zeroframe) {
                const float* z = model.zeroframe->plane(i);
                for (std::size_t k = y0 * nx; k < y1 * nx; ++k) zsat[i * np + k] = z[k] >= pixel_threshold(sat, k).value;
            }
        }
        const float* thr = sat.sci.data();
        const std::uint32_t* tdq = sat.dq.data();
        std::uint32_t* pdq = model.pixeldq.data();
        for (std::size_t k = y0 * nx; k < y1 * nx; ++k)  // pixel_threshold(sat, k).dq, branch-free
            pdq[k] |= tdq[k] | (thr[k] != thr[k] ? dq::NO_SAT_CHECK : 0u);
    });
    // ZEROFRAME: saturated (grown) or floor pixels become 0.0, the "bad" marker.
    if (zeroframe)
        for_rows(ny, [&](std::size_t y0, std::size_t y1) {
            std::vector<std::uint8_t> grown((y1 - y0) * nx), column;
            for (std::size_t i = 0; i < nints; ++i) {
                dilate_square_rows(zsat.data() + i * np, grown.data(), ny, nx, grow, y0, y1, column);
                float* z = model.zeroframe->plane(i) + y0 * nx;
                for (std::size_t k = 0; k < grown.size(); ++k)
                    if (grown[k] || z[k] <= 0.0f) z[k] = 0.0f;
            }
        });
}

/// flag_saturation_rows on one thread.
inline void flag_saturation(RampModel& model, const SaturationRef& sat, const SuperbiasRef* bias, const SaturationParams& params = {}) {
    flag_saturation_rows(model, sat, bias, params, [](std::size_t rows, const auto& body) { body(std::size_t{0}, rows); });
}

}  // namespace orrery::jwst
