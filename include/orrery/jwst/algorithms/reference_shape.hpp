#pragma once
// Shape checks between a reference array and the science ramp, shared by the
// correction kernels: a mismatch is a bad input (orrery::InputError, exit 3) with
// one line naming the reference, the extension and both shapes.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/models.hpp"
#include "orrery/array/ndarray.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace orrery::jwst::detail {

/// "SATURATION reference 'x.fits' SCI has shape (32, 30) but the science SCI is (1, 6, 32, 32)".
template <std::size_t R, std::size_t S>
[[noreturn]] inline void throw_shape_mismatch(std::string_view reftype, const RefBase& ref, std::string_view ext,
                                              const std::array<std::size_t, R>& ref_shape,
                                              const std::array<std::size_t, S>& sci_shape, std::string_view expected = {}) {
    std::string msg(reftype);
    msg += " reference";
    if (!ref.path.empty()) msg += " '" + ref.path + "'";
    msg += " ";
    msg += ext;
    msg += " has shape " + shape_text(ref_shape) + " but the science SCI is " + shape_text(sci_shape);
    if (!expected.empty()) {
        msg += " (";
        msg += expected;
        msg += ")";
    }
    throw InputError(msg);
}

/// The last two axes of `a` must be the science (ny, nx) and every leading axis non-empty.
template <class T, std::size_t R>
inline void require_science_plane(std::string_view reftype, const RefBase& ref, std::string_view ext,
                                  const NdArray<T, R>& a, const RampModel& sci) {
    static_assert(R >= 2);
    bool ok = a.extent(R - 2) == sci.ny() && a.extent(R - 1) == sci.nx();
    for (std::size_t ax = 0; ax + 2 < R; ++ax) ok = ok && a.extent(ax) > 0;
    if (!ok) throw_shape_mismatch(reftype, ref, ext, a.shape(), sci.sci.shape());
}

/// A ZEROFRAME in use must be (nints, ny, nx).
inline void require_zeroframe_shape(std::string_view step, const RampModel& sci) {
    if (!sci.meta.zeroframe || !sci.zeroframe) return;
    const std::array<std::size_t, 3> want{sci.nints(), sci.ny(), sci.nx()};
    if (sci.zeroframe->shape() != want)
        throw InputError(std::string(step) + ": science ZEROFRAME has shape " + shape_text(sci.zeroframe->shape()) +
                         " but the science SCI is " + shape_text(sci.sci.shape()) + " (expecting " + shape_text(want) + ")");
}

}  // namespace orrery::jwst::detail
