#pragma once
// Science (DMS) frame <-> detector readout frame, from the SUBARRAY keywords
// FASTAXIS/SLOWAXIS (jwst lib/reffile_utils.py science_detector_frame_transform).
// |FASTAXIS| == 1: flip rows when SLOWAXIS < 0 and columns when FASTAXIS < 0.
// |FASTAXIS| == 2: flip rows when FASTAXIS < 0, columns when SLOWAXIS < 0, then transpose.
// FASTAXIS=1, SLOWAXIS=2 is the identity.

#include "orrery/core/errors.hpp"

#include <cstddef>
#include <cstdlib>
#include <string>
#include <utility>

namespace orrery::jwst {

/// A rectangle of rows [row0, row0+nrows) and columns [col0, col0+ncols).
struct PixelRect {
    std::size_t row0 = 0, col0 = 0, nrows = 0, ncols = 0;
    friend bool operator==(const PixelRect&, const PixelRect&) = default;
};

class DetectorOrientation {
public:
    /// Throws InputError unless FASTAXIS/SLOWAXIS are +-1/+-2 on different axes.
    DetectorOrientation(int fastaxis, int slowaxis) : fast_(fastaxis), slow_(slowaxis) {
        const int af = std::abs(fastaxis), as = std::abs(slowaxis);
        if (!((af == 1 && as == 2) || (af == 2 && as == 1)))
            throw InputError("FASTAXIS=" + std::to_string(fastaxis) + ", SLOWAXIS=" + std::to_string(slowaxis) +
                             ": expected +-1 and +-2 on different axes");
    }

    [[nodiscard]] int fastaxis() const noexcept { return fast_; }
    [[nodiscard]] int slowaxis() const noexcept { return slow_; }
    [[nodiscard]] bool transposed() const noexcept { return std::abs(fast_) == 2; }
    [[nodiscard]] bool identity() const noexcept { return fast_ == 1 && slow_ == 2; }

    /// Detector-frame (rows, cols) of a science plane of shape (ny, nx).
    [[nodiscard]] std::pair<std::size_t, std::size_t> detector_shape(std::size_t ny, std::size_t nx) const noexcept {
        return transposed() ? std::pair{nx, ny} : std::pair{ny, nx};
    }

    /// Science (y, x) of detector pixel (r, c), for a science plane of shape (ny, nx).
    [[nodiscard]] std::pair<std::size_t, std::size_t> science_index(std::size_t r, std::size_t c, std::size_t ny,
                                                                    std::size_t nx) const noexcept {
        if (!transposed()) return {slow_ < 0 ? ny - 1 - r : r, fast_ < 0 ? nx - 1 - c : c};
        return {fast_ < 0 ? ny - 1 - c : c, slow_ < 0 ? nx - 1 - r : r};
    }

    /// Where a science-frame rectangle of a (full_ny, full_nx) science frame lands in
    /// the detector frame of that full frame (e.g. a subarray inside 2048x2048).
    [[nodiscard]] PixelRect to_detector(const PixelRect& sci, std::size_t full_ny, std::size_t full_nx) const noexcept {
        const auto span = [](bool flip, std::size_t start, std::size_t n, std::size_t full) {
            return flip ? full - (start + n) : start;
        };
        if (!transposed())
            return {span(slow_ < 0, sci.row0, sci.nrows, full_ny), span(fast_ < 0, sci.col0, sci.ncols, full_nx),
                    sci.nrows, sci.ncols};
        return {span(slow_ < 0, sci.col0, sci.ncols, full_nx), span(fast_ < 0, sci.row0, sci.nrows, full_ny),
                sci.ncols, sci.nrows};
    }

private:
    int fast_, slow_;
};

/// Copy a science-frame plane (ny, nx) into detector-frame storage (see detector_shape()).
template <class Src, class Dst>
void science_to_detector(const Src* sci, std::size_t ny, std::size_t nx, Dst* det, const DetectorOrientation& o) {
    const auto [dny, dnx] = o.detector_shape(ny, nx);
    for (std::size_t r = 0; r < dny; ++r)
        for (std::size_t c = 0; c < dnx; ++c) {
            const auto [y, x] = o.science_index(r, c, ny, nx);
            det[r * dnx + c] = static_cast<Dst>(sci[y * nx + x]);
        }
}

/// Inverse of science_to_detector: (ny, nx) is the science shape.
template <class Src, class Dst>
void detector_to_science(const Src* det, std::size_t ny, std::size_t nx, Dst* sci, const DetectorOrientation& o) {
    const auto [dny, dnx] = o.detector_shape(ny, nx);
    for (std::size_t r = 0; r < dny; ++r)
        for (std::size_t c = 0; c < dnx; ++c) {
            const auto [y, x] = o.science_index(r, c, ny, nx);
            sci[y * nx + x] = static_cast<Dst>(det[r * dnx + c]);
        }
}

}  // namespace orrery::jwst
