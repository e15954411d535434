#pragma once
// Where the science subarray sits inside a reference file (jwst
// lib/reffile_utils.py ref_matches_sci + get_subarray_model, docs/algorithms/reference_subarrays.md).
// Reference SUBSTRT/SUBSIZE default to full frame when absent and the array is
// full frame; sizes that disagree with the array follow the array (IRS2's 3200
// rows against SUBSIZE2=2048 excepted). A science region not contained in the
// reference is an input error naming both sets of keywords.

#include "orrery/array/fits/fits_error.hpp"
#include "orrery/array/fits/keywords.hpp"
#include "orrery/jwst/models.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace orrery::jwst::io {

/// Rows [y0, y0+ny) and columns [x0, x0+nx) of the reference planes to keep.
struct SubarrayCut {
    std::size_t y0 = 0, ny = 0, x0 = 0, nx = 0;
};

inline std::string geometry_text(int x0, int xs, int y0, int ys) {
    return "SUBSTRT1=" + std::to_string(x0) + " SUBSIZE1=" + std::to_string(xs) + " SUBSTRT2=" + std::to_string(y0) +
           " SUBSIZE2=" + std::to_string(ys);
}

/// Geometry of the reference (written to `geometry`) and the cut giving the science region.
/// `ref_ny, ref_nx` are the last two axes of the reference's primary array.
inline SubarrayCut reference_cut(const std::filesystem::path& ref_file, const Header& ref_primary, std::size_t ref_ny,
                                 std::size_t ref_nx, const ModelBase& science, RefGeometry& geometry) {
    const bool miri = science.meta.is_miri() || ref_primary.get_string("INSTRUME").value_or("") == "MIRI";
    const std::size_t full_ny = miri ? 1024 : 2048, full_nx = miri ? 1032 : 2048;

    const auto x0 = fits::keyword_int(ref_primary, "SUBSTRT1", ref_file), y0 = fits::keyword_int(ref_primary, "SUBSTRT2", ref_file);
    const auto xs = fits::keyword_int(ref_primary, "SUBSIZE1", ref_file), ys = fits::keyword_int(ref_primary, "SUBSIZE2", ref_file);
    RefGeometry g;
    if (x0 && y0 && xs && ys) {
        g = {*x0, *y0, *xs, *ys};
    } else if (ref_ny == full_ny && ref_nx == full_nx) {
        g = {1, 1, static_cast<int>(full_nx), static_cast<int>(full_ny)};
    } else {
        fits::input_error(ref_file, "cannot determine the reference subarray: SUBSTRT1/2 or SUBSIZE1/2 missing and the array (" +
                                  std::to_string(ref_ny) + " x " + std::to_string(ref_nx) + ") is not full frame");
    }
    if (g.substrt1 < 1 || g.substrt2 < 1)
        fits::input_error(ref_file, "bad subarray corners (" + geometry_text(g.substrt1, g.subsize1, g.substrt2, g.subsize2) + ")");
    if (static_cast<std::size_t>(g.subsize1) != ref_nx) g.subsize1 = static_cast<int>(ref_nx);
    if (static_cast<std::size_t>(g.subsize2) != ref_ny && !(g.subsize2 == 2048 && ref_ny == 3200)) g.subsize2 = static_cast<int>(ref_ny);
    geometry = g;

    const auto& m = science.meta;
    const std::string sci_name = science.filename.empty() ? std::string("science data") : science.filename;
    if (m.subsize1 <= 0 || m.subsize2 <= 0)
        fits::input_error(ref_file, "cannot place it on " + sci_name + ": the science subarray size (SUBSIZE1/SUBSIZE2) is unknown");
    if (m.substrt1 < 1 || m.substrt2 < 1)
        fits::input_error(ref_file, "cannot place it on " + sci_name + ": bad science subarray corners (" +
                                  geometry_text(m.substrt1, m.subsize1, m.substrt2, m.subsize2) + ")");

    if (m.substrt1 == g.substrt1 && m.substrt2 == g.substrt2 && m.subsize1 == g.subsize1 && m.subsize2 == g.subsize2)
        return {0, ref_ny, 0, ref_nx};

    const long xb = m.substrt1 - g.substrt1, yb = m.substrt2 - g.substrt2;
    const long xe = xb + m.subsize1, ye = yb + m.subsize2;
    if (xb < 0 || yb < 0 || xe > g.subsize1 || ye > g.subsize2)
        fits::input_error(ref_file, "reference subarray (" + geometry_text(g.substrt1, g.subsize1, g.substrt2, g.subsize2) +
                                  ") does not contain the science subarray of " + sci_name + " (" +
                                  geometry_text(m.substrt1, m.subsize1, m.substrt2, m.subsize2) + ")");
    return {static_cast<std::size_t>(yb), static_cast<std::size_t>(m.subsize2), static_cast<std::size_t>(xb),
            static_cast<std::size_t>(m.subsize1)};
}

}  // namespace orrery::jwst::io
