#pragma once
// Reading ramp products: raw level-1b `_uncal` files (SCI uint16, no PIXELDQ/
// GROUPDQ) and calibrated ramps (SCI float32 with PIXELDQ, GROUPDQ, ERR, and
// optionally ZEROFRAME). The SCI shape is checked against the primary header
// (NINTS or INTEND-INTSTART+1, NGROUPS, SUBSIZE2, SUBSIZE1) before any data is read.
// Writing: calibrated ramps (SCI, PIXELDQ, GROUPDQ, ERR, ZEROFRAME) or the raw
// `_uncal` layout (SCI as uint16 = int16 + BZERO 32768, nothing else). The jwst
// ASDF metadata extension is not written.

#include "orrery/jwst/io/exposure_meta.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/array/fits/fits_writer.hpp"
#include "orrery/jwst/io/product_header.hpp"
#include "orrery/array/fits/keywords.hpp"
#include "orrery/jwst/io/status_keywords.hpp"
#include "orrery/jwst/models.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

namespace orrery::jwst::io {

namespace detail {

template <std::size_t R>
inline void require_shape(const std::filesystem::path& file, const char* ext, const std::array<std::size_t, R>& got,
                          const std::array<std::size_t, R>& want) {
    if (got != want)
        fits::input_error(file, "extension " + std::string(ext) + " has shape " + shape_text(got) + ", expected " + shape_text(want));
}

/// The SCI shape must agree with the primary header. NIRSpec IRS2 ramps (3200 rows
/// while SUBSIZE2 says 2048) are accepted as jwst's reffile_utils does.
inline void check_ramp_against_header(const std::filesystem::path& file, const Header& h, const std::vector<std::size_t>& sci) {
    std::array<std::size_t, 4> got{sci[0], sci[1], sci[2], sci[3]};
    std::array<std::size_t, 4> want = got;
    std::string names;
    const auto intstart = fits::keyword_int(h, "INTSTART", file);
    const auto intend = fits::keyword_int(h, "INTEND", file);
    if (intstart && intend) {
        want[0] = static_cast<std::size_t>(*intend - *intstart + 1);
        names = "INTEND-INTSTART+1";
    } else if (auto n = fits::keyword_int(h, "NINTS", file)) {
        want[0] = static_cast<std::size_t>(*n);
        names = "NINTS";
    }
    auto take = [&](std::size_t axis, const char* key) {
        if (auto v = fits::keyword_int(h, key, file)) {
            want[axis] = static_cast<std::size_t>(*v);
            names += std::string(names.empty() ? "" : ", ") + key;
        }
    };
    take(1, "NGROUPS");
    take(2, "SUBSIZE2");
    take(3, "SUBSIZE1");
    const bool irs2 = want[2] == 2048 && got[2] == 3200;
    if (irs2) want[2] = 3200;
    if (got != want)
        fits::input_error(file, "SCI extension has shape " + shape_text(got) + " but the primary header describes " + shape_text(want) +
                              " (" + names + ")");
}

}  // namespace detail

/// Read a raw (`_uncal`) or calibrated ramp file. Absent PIXELDQ/GROUPDQ become zeros;
/// absent ERR stays empty. The primary header is kept card for card.
inline RampModel read_ramp(const std::filesystem::path& path) {
    fits::FitsReader r(path);
    RampModel m;
    m.primary = r.primary_header();
    m.meta = parse_exposure_meta(m.primary, path);
    m.provenance = provenance_from(m.primary);
    m.filename = path.filename().string();
    m.source = std::filesystem::absolute(path);

    if (!r.has("SCI")) fits::input_error(path, "no SCI extension");
    const auto sci_shape = r.shape("SCI");
    if (sci_shape.size() != 4) {
        std::string s = "(";
        for (std::size_t i = 0; i < sci_shape.size(); ++i) s += (i ? ", " : "") + std::to_string(sci_shape[i]);
        fits::input_error(path, "SCI extension has " + std::to_string(sci_shape.size()) + " axes, shape " + s +
                              "), expected 4 (nints, ngroups, ny, nx)");
    }
    detail::check_ramp_against_header(path, m.primary, sci_shape);
    r.read_into("SCI", m.sci);
    const auto& s = m.sci.shape();
    const std::array<std::size_t, 2> plane{s[2], s[3]};

    if (r.has("PIXELDQ")) {
        r.read_into("PIXELDQ", m.pixeldq);
        detail::require_shape(path, "PIXELDQ", m.pixeldq.shape(), plane);
    } else {
        m.pixeldq.resize(plane, 0);
    }
    if (r.has("GROUPDQ")) {
        r.read_into("GROUPDQ", m.groupdq);
        detail::require_shape(path, "GROUPDQ", m.groupdq.shape(), s);
    } else {
        m.groupdq.resize(s, 0);
    }
    if (r.has("ERR")) {
        r.read_into("ERR", m.err);
        detail::require_shape(path, "ERR", m.err.shape(), s);
    }
    if (r.has("ZEROFRAME")) {
        m.zeroframe.emplace();
        r.read_into("ZEROFRAME", *m.zeroframe);
        detail::require_shape(path, "ZEROFRAME", m.zeroframe->shape(), std::array<std::size_t, 3>{s[0], s[2], s[3]});
    }
    if (m.meta.subsize1 == 0) m.meta.subsize1 = static_cast<int>(s[3]);
    if (m.meta.subsize2 == 0) m.meta.subsize2 = static_cast<int>(s[2]);
    return m;
}

enum class RampLayout {
    calibrated,  // SCI float32, PIXELDQ uint32, GROUPDQ uint8, ERR float32 (if any), ZEROFRAME (if any)
    raw,         // level-1b: SCI only, uint16; every value must be an integer in [0, 65535]
};

/// Write a ramp atomically; refuses to overwrite the file `m` was read from.
inline void write_ramp(const RampModel& m, const std::filesystem::path& out, RampLayout layout = RampLayout::calibrated) {
    const auto& s = m.sci.shape();
    if (layout == RampLayout::raw) {
        for (std::size_t i = 0; i < m.sci.size(); ++i) {
            const float v = m.sci[i];
            if (!(v >= 0.0f && v <= 65535.0f) || std::floor(v) != v)
                fits::input_error(out, "cannot write SCI as raw uint16: element " + std::to_string(i) + " is " + std::to_string(v));
        }
    } else {
        if (m.pixeldq.shape() != std::array<std::size_t, 2>{s[2], s[3]} || m.groupdq.shape() != s ||
            (!m.err.empty() && m.err.shape() != s) ||
            (m.zeroframe && m.zeroframe->shape() != std::array<std::size_t, 3>{s[0], s[2], s[3]}))
            throw orrery::InternalError(out.string() + ": RampModel arrays disagree with SCI shape " + shape_text(s));
    }
    fits::FitsWriter w(out, m.source);
    w.write_primary(output_primary_header(m));
    Header dn;
    dn.set("BUNIT", "DN", "physical units of the array values");
    if (layout == RampLayout::raw) {
        w.write_image_as<std::uint16_t>("SCI", m.sci, dn);
    } else {
        w.write_image("SCI", m.sci, dn);
        w.write_image("PIXELDQ", m.pixeldq);
        w.write_image("GROUPDQ", m.groupdq);
        if (!m.err.empty()) w.write_image("ERR", m.err, dn);
        if (m.zeroframe) w.write_image("ZEROFRAME", *m.zeroframe, dn);
    }
    w.commit();
}

}  // namespace orrery::jwst::io
