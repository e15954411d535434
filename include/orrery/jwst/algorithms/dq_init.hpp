#pragma once
// dq_init (docs/algorithms/dq_init.md): OR the MASK reference (and an optional user DQ array) into
// PIXELDQ, and its DO_NOT_USE bit into every group of GROUPDQ.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/algorithms/reference_shape.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orrery::jwst {

/// stpipe DQInitStep parameters. The step loads `user_supplied_dq` (a FITS file) and
/// hands the kernel the array; the kernel never reads files.
struct DqInitParams {
    std::optional<std::string> user_supplied_dq;
};

namespace detail {
/// n pixels: pdq |= mask (| user); dnu = the DO_NOT_USE bit of that, as a GROUPDQ byte.
/// Restrict-qualified pointers: GROUPDQ bytes could otherwise alias anything, and the
/// loops would not vectorise.
inline void dq_init_pixels(std::uint32_t* __restrict pdq, const std::uint32_t* __restrict mask, const std::uint32_t* __restrict user,
                           std::uint8_t* __restrict dnu, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t m = mask[k] | (user ? user[k] : 0u);
        pdq[k] |= m;
        dnu[k] = static_cast<std::uint8_t>(m & dq::DO_NOT_USE);
    }
}

inline void or_bytes(std::uint8_t* __restrict dst, const std::uint8_t* __restrict src, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) dst[k] = static_cast<std::uint8_t>(dst[k] | src[k]);
}

/// Rows [y0, y1): PIXELDQ |= mask (| user), GROUPDQ |= mask & DO_NOT_USE.
inline void dq_init_rows(RampModel& model, const NdArray<std::uint32_t, 2>& mask,
                         const NdArray<std::uint32_t, 2>* user_dq, std::size_t y0, std::size_t y1) {
    const std::size_t nx = model.nx();
    const std::size_t k0 = y0 * nx, n = (y1 - y0) * nx;
    std::vector<std::uint8_t> dnu(n);
    dq_init_pixels(model.pixeldq.data() + k0, mask.data() + k0, user_dq ? user_dq->data() + k0 : nullptr, dnu.data(), n);
    const std::size_t planes = model.nints() * model.ngroups();
    for (std::size_t p = 0; p < planes; ++p) or_bytes(model.groupdq.plane(p) + k0, dnu.data(), n);
}
}  // namespace detail

/// Missing or mis-shaped PIXELDQ/GROUPDQ are first replaced by zeros (as jwst does).
/// `user_dq` (nullptr = none) is the already-loaded `user_supplied_dq` array, cast to uint32.
/// Throws InputError when the MASK DQ or the user array is not (ny, nx).
/// Row blocks: prepare_dq_init once (shapes and checks), then detail::dq_init_rows on any row ranges.
inline void prepare_dq_init(RampModel& model, const MaskRef& mask, const NdArray<std::uint32_t, 2>* user_dq = nullptr) {
    const std::array<std::size_t, 2> plane{model.ny(), model.nx()};
    if (model.pixeldq.shape() != plane) model.pixeldq.resize(plane, 0u);
    if (model.groupdq.shape() != model.sci.shape()) model.groupdq.resize(model.sci.shape(), 0u);

    detail::require_science_plane("MASK", mask, "DQ", mask.dq, model);
    if (user_dq && user_dq->shape() != plane)
        throw InputError("dq_init: user_supplied_dq has shape " + shape_text(user_dq->shape()) + " but the science SCI is " +
                         shape_text(model.sci.shape()) + " (expecting " + shape_text(plane) + ")");
}

inline void initialize_dq(RampModel& model, const MaskRef& mask, const DqInitParams& /*params*/ = {},
                          const NdArray<std::uint32_t, 2>* user_dq = nullptr) {
    prepare_dq_init(model, mask, user_dq);
    detail::dq_init_rows(model, mask.dq, user_dq, 0, model.ny());
}

}  // namespace orrery::jwst
