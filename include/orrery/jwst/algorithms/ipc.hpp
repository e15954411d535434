#pragma once
// ipc: inter-pixel capacitance (docs/algorithms/ipc.md; jwst ipc/ipc_corr.py).
//
// Every group plane is replaced by its true convolution (kernel flipped) with the
// IPC kernel, in float32 exactly as jwst sums it: products rounded to float32,
// added in row-major kernel order with the centre term last. Only the science
// region is read and written: the reference-pixel border (from SUBSTRT/SUBSIZE, not
// from DQ) and pixels beyond the array count as 0 for their neighbours. NaN is not
// special: a NaN science pixel turns its whole kernel footprint NaN.
// Kernels: 2-D (ky, kx), or 4-D (ky, kx, NY, NX) with one kernel per output pixel,
// cut at SUBSTRT when SUBSIZE is smaller than the full detector. Odd sizes only.
// Not supported (NotSupportedError): IRS2 planes (NIRSpec), even kernel sizes.
// DQ, ERR and ZEROFRAME are untouched.

#include "orrery/core/errors.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace orrery::jwst {

/// IPCStep has no step parameters.
struct IpcParams {};

/// Reference rows/columns at each edge of the plane (jwst get_num_ref_pixels).
struct IpcBorder {
    std::size_t bottom = 0, top = 0, left = 0, right = 0;
    friend bool operator==(const IpcBorder&, const IpcBorder&) = default;
};

/// The border from SUBSTRT/SUBSIZE keywords: 4 reference rows/columns on each edge of
/// the 2048x2048 NIR detector; MIRI has only 4 columns left and right (1032 wide).
inline IpcBorder ipc_reference_border(const ExposureMeta& m) {
    const long x0 = m.substrt1 - 1L, y0 = m.substrt2 - 1L;
    const auto clamp = [](long v) { return static_cast<std::size_t>(std::max(0L, v)); };
    if (m.is_miri()) return {0, 0, clamp(4 - x0), clamp(x0 + m.subsize1 - 1028)};
    return {clamp(4 - y0), clamp(y0 + m.subsize2 - 2044), clamp(4 - x0), clamp(x0 + m.subsize1 - 2044)};
}

/// One kernel as applied to a plane: either shared (2-D) or per output pixel (4-D).
struct IpcKernelView {
    std::size_t ky = 0, kx = 0;
    const float* data = nullptr;   // 2-D: ky*kx values; 4-D: ky*kx planes of the reference
    bool per_pixel = false;
    std::size_t ref_ny = 0, ref_nx = 0;  // 4-D: reference plane shape
    std::size_t y_off = 0, x_off = 0;    // 4-D: reference pixel of science plane pixel (0, 0)

    /// Weight of kernel element (j, i) for output pixel (y, x) of the science plane.
    [[nodiscard]] float weight(std::size_t j, std::size_t i, std::size_t y, std::size_t x) const noexcept {
        if (!per_pixel) return data[j * kx + i];
        return data[((j * kx + i) * ref_ny + y_off + y) * ref_nx + x_off + x];
    }
};

/// Check the reference against the science plane and build the kernel view.
inline IpcKernelView make_ipc_kernel(const RampModel& model, const IpcRef& ref) {
    const ExposureMeta& m = model.meta;
    IpcKernelView k;
    if (ref.is_per_pixel()) {
        const auto& s = ref.per_pixel.shape();
        k = {s[0], s[1], ref.per_pixel.data(), true, s[2], s[3], 0, 0};
    } else {
        if (ref.kernel.empty()) throw InputError("ipc: reference file " + ref.path + " has no kernel in SCI");
        k = {ref.kernel.extent(0), ref.kernel.extent(1), ref.kernel.data(), false, 0, 0, 0, 0};
    }
    if (k.ky % 2 == 0 || k.kx % 2 == 0)
        throw NotSupportedError("ipc: kernel size " + std::to_string(k.ky) + "x" + std::to_string(k.kx) + " in " + ref.path +
                                " is even; only odd kernel sizes are supported");
    if (m.subsize1 <= 0 || m.subsize2 <= 0) throw InputError("ipc: SUBSIZE1/SUBSIZE2 keywords missing");
    if (!k.per_pixel) return k;

    const std::size_t ny = model.ny(), nx = model.nx();
    const bool subarray = m.is_miri() ? (m.subsize1 < 1032 || m.subsize2 < 1024) : (m.subsize1 < 2048 || m.subsize2 < 2048);
    std::size_t want_ny = k.ref_ny, want_nx = k.ref_nx;
    if (subarray) {
        if (m.substrt1 < 1 || m.substrt2 < 1 || static_cast<std::size_t>(m.substrt2 - 1 + m.subsize2) > k.ref_ny ||
            static_cast<std::size_t>(m.substrt1 - 1 + m.subsize1) > k.ref_nx)
            throw InputError("ipc: subarray SUBSTRT/SUBSIZE fall outside the per-pixel kernel plane " +
                             std::to_string(k.ref_ny) + "x" + std::to_string(k.ref_nx) + " of " + ref.path);
        k.y_off = static_cast<std::size_t>(m.substrt2 - 1);
        k.x_off = static_cast<std::size_t>(m.substrt1 - 1);
        want_ny = static_cast<std::size_t>(m.subsize2);
        want_nx = static_cast<std::size_t>(m.subsize1);
    }
    if (want_ny != ny || want_nx != nx)
        throw InputError("ipc: per-pixel kernel plane " + std::to_string(want_ny) + "x" + std::to_string(want_nx) + " of " +
                         ref.path + " does not match the science plane " + std::to_string(ny) + "x" + std::to_string(nx));
    return k;
}

/// Zero-padded copy of a plane's science region: (ny+ky-1) x (nx+kx-1), data at (ky/2, kx/2).
struct IpcPadded {
    std::size_t ny = 0, nx = 0;   // science region
    std::size_t width = 0;        // padded row length
    std::vector<float> values;
};

inline IpcPadded ipc_pad_science(const float* plane, std::size_t plane_nx, const IpcBorder& b, std::size_t ny,
                                 std::size_t nx, const IpcKernelView& k) {
    IpcPadded t{ny, nx, nx + k.kx - 1, {}};
    t.values.assign((ny + k.ky - 1) * t.width, 0.0f);
    for (std::size_t y = 0; y < ny; ++y)
        std::copy_n(plane + (b.bottom + y) * plane_nx + b.left, nx, t.values.begin() + static_cast<std::ptrdiff_t>((y + k.ky / 2) * t.width + k.kx / 2));
    return t;
}

/// Write science-region rows [y0, y1) of the convolved plane (rows are independent
/// once the padded copy exists).
inline void ipc_convolve_rows(const IpcPadded& t, const IpcKernelView& k, const IpcBorder& b, float* plane,
                              std::size_t plane_nx, std::size_t y0, std::size_t y1) {
    const std::size_t cy = k.ky / 2, cx = k.kx / 2;
    std::vector<float> acc(t.nx);
    const auto add_term = [&](std::size_t y, std::size_t j, std::size_t i) {
        // S(y + cy - j, x + cx - i) lives at padded (y + ky-1-j, x + kx-1-i).
        const float* src = t.values.data() + (y + k.ky - 1 - j) * t.width + (k.kx - 1 - i);
        for (std::size_t x = 0; x < t.nx; ++x) {
            const float product = k.weight(j, i, b.bottom + y, b.left + x) * src[x];
            acc[x] += product;
        }
    };
    for (std::size_t y = y0; y < y1; ++y) {
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (std::size_t j = 0; j < k.ky; ++j)
            for (std::size_t i = 0; i < k.kx; ++i)
                if (j != cy || i != cx) add_term(y, j, i);
        add_term(y, cy, cx);  // the centre (largest) term last, as jwst does
        std::copy(acc.begin(), acc.end(), plane + (b.bottom + y) * plane_nx + b.left);
    }
}

/// Convolve one (plane_ny x plane_nx) plane in place.
inline void ipc_convolve_plane(float* plane, std::size_t plane_ny, std::size_t plane_nx, const IpcKernelView& k,
                               const IpcBorder& b) {
    if (b.bottom + b.top >= plane_ny || b.left + b.right >= plane_nx) return;  // no science region
    const std::size_t ny = plane_ny - b.bottom - b.top, nx = plane_nx - b.left - b.right;
    const IpcPadded t = ipc_pad_science(plane, plane_nx, b, ny, nx, k);
    ipc_convolve_rows(t, k, b, plane, plane_nx, 0, ny);
}

/// The ipc step on a ramp, in place (every group of every integration, group 0 included).
inline void correct_ipc(RampModel& model, const IpcRef& ref, const IpcParams& = {}) {
    const std::size_t ny = model.ny(), nx = model.nx();
    if (std::max(ny, nx) > 2048)
        throw NotSupportedError("ipc: NIRSpec IRS2 data (plane " + std::to_string(ny) + "x" + std::to_string(nx) +
                                ") are not supported");
    const IpcKernelView k = make_ipc_kernel(model, ref);
    const IpcBorder b = ipc_reference_border(model.meta);
    const std::size_t nplanes = model.nints() * model.ngroups();
    for (std::size_t p = 0; p < nplanes; ++p) ipc_convolve_plane(model.sci.plane(p), ny, nx, k, b);
}

}  // namespace orrery::jwst
