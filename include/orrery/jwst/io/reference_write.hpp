#pragma once
// Writing reference files in the JWST layout (the one in tests/data/golden/*/ref):
// MASK: DQ; SATURATION: SCI, DQ; SUPERBIAS: SCI, DQ; LINEARITY: COEFFS, DQ;
// DARK: SCI (3-D when it has one integration), DQ (2-D when one plane);
// GAIN / READNOISE: SCI; IPC: SCI (2-D or 4-D). An optional DQ_DEF table
// (BIT, VALUE, NAME, DESCRIPTION) follows the images. The primary header is the
// struct's, with SUBSTRT/SUBSIZE (when the geometry has sizes), NFRAMES/GROUPGAP
// (dark) and GAINFACT (gain) set from the struct fields. ERR arrays are not
// modelled and not written. Writes are atomic (FitsWriter).

#include "orrery/jwst/io/dq_def.hpp"
#include "orrery/array/fits/fits_writer.hpp"
#include "orrery/jwst/models.hpp"

#include <filesystem>

namespace orrery::jwst::io {

namespace detail {

/// Keep the existing card (and its comment) when it already says the same.
inline void set_int_if_different(Header& h, const char* key, int value, const char* comment) {
    if (h.get_int(key) != static_cast<long long>(value)) h.set(key, value, comment);
}

inline Header reference_header(const RefBase& ref) {
    Header h = ref.primary;
    if (ref.geometry.subsize1 > 0 && ref.geometry.subsize2 > 0) {
        set_int_if_different(h, "SUBSTRT1", ref.geometry.substrt1, "Starting pixel in axis 1 direction");
        set_int_if_different(h, "SUBSTRT2", ref.geometry.substrt2, "Starting pixel in axis 2 direction");
        set_int_if_different(h, "SUBSIZE1", ref.geometry.subsize1, "Number of pixels in axis 1 direction");
        set_int_if_different(h, "SUBSIZE2", ref.geometry.subsize2, "Number of pixels in axis 2 direction");
    }
    return h;
}

inline void write_dq_def(fits::FitsWriter& w, const DqDef& def) {
    fits::TableColumn bit{"BIT", "J", {}, {}, {}}, value{"VALUE", "K", {}, {}, {}}, name{"NAME", "40A", {}, {}, {}},
        desc{"DESCRIPTION", "80A", {}, {}, {}};
    for (const auto& row : def) {
        int b = 0;
        while (b < 31 && !(row.value & (1u << b))) ++b;
        bit.integers.push_back(b);
        value.integers.push_back(row.value);
        name.strings.push_back(row.name);
        desc.strings.push_back(row.name);
    }
    w.write_table("DQ_DEF", {bit, value, name, desc});
}

template <class F>
void write_ref(const RefBase& ref, const std::filesystem::path& out, const DqDef* def, Header h, F&& images) {
    fits::FitsWriter w(out);
    w.write_primary(h);
    images(w);
    if (def && !def->empty()) write_dq_def(w, *def);
    w.commit();
    (void)ref;
}

}  // namespace detail

inline void write_reference(const MaskRef& r, const std::filesystem::path& out, const DqDef* def = nullptr) {
    detail::write_ref(r, out, def, detail::reference_header(r), [&](fits::FitsWriter& w) { w.write_image("DQ", r.dq); });
}
inline void write_reference(const SaturationRef& r, const std::filesystem::path& out, const DqDef* def = nullptr) {
    detail::write_ref(r, out, def, detail::reference_header(r), [&](fits::FitsWriter& w) {
        w.write_image("SCI", r.sci);
        w.write_image("DQ", r.dq);
    });
}
inline void write_reference(const SuperbiasRef& r, const std::filesystem::path& out, const DqDef* def = nullptr) {
    detail::write_ref(r, out, def, detail::reference_header(r), [&](fits::FitsWriter& w) {
        w.write_image("SCI", r.sci);
        w.write_image("DQ", r.dq);
    });
}
inline void write_reference(const LinearityRef& r, const std::filesystem::path& out, const DqDef* def = nullptr) {
    detail::write_ref(r, out, def, detail::reference_header(r), [&](fits::FitsWriter& w) {
        w.write_image("COEFFS", r.coeffs);
        w.write_image("DQ", r.dq);
    });
}
inline void write_reference(const DarkRef& r, const std::filesystem::path& out, const DqDef* def = nullptr) {
    Header h = detail::reference_header(r);
    detail::set_int_if_different(h, "NFRAMES", r.nframes, "Number of frames per group");
    detail::set_int_if_different(h, "GROUPGAP", r.groupgap, "Number of frames dropped between groups");
    if (r.avgdrkcr) h.set("AVGDRKCR", *r.avgdrkcr, "Average dark current");
    detail::write_ref(r, out, def, h, [&](fits::FitsWriter& w) {
        const auto& s = r.sci.shape();
        if (s[0] == 1) {
            NdArray<float, 3> sci3;
            sci3.storage() = r.sci.storage();
            sci3.reshape({s[1], s[2], s[3]});
            w.write_image("SCI", sci3);
        } else {
            w.write_image("SCI", r.sci);
        }
        const auto& d = r.dq.shape();
        if (d[0] == 1) {
            NdArray<std::uint32_t, 2> dq2;
            dq2.storage() = r.dq.storage();
            dq2.reshape({d[1], d[2]});
            w.write_image("DQ", dq2);
        } else {
            w.write_image("DQ", r.dq);
        }
        if (r.avdrkcur) w.write_image("AVDRKCUR", *r.avdrkcur);
    });
}
inline void write_reference(const GainRef& r, const std::filesystem::path& out) {
    Header h = detail::reference_header(r);
    if (r.gain_factor) h.set("GAINFACT", *r.gain_factor, "Gain scale factor");
    detail::write_ref(r, out, nullptr, h, [&](fits::FitsWriter& w) { w.write_image("SCI", r.sci); });
}
inline void write_reference(const ReadnoiseRef& r, const std::filesystem::path& out) {
    detail::write_ref(r, out, nullptr, detail::reference_header(r), [&](fits::FitsWriter& w) { w.write_image("SCI", r.sci); });
}
inline void write_reference(const IpcRef& r, const std::filesystem::path& out) {
    detail::write_ref(r, out, nullptr, detail::reference_header(r), [&](fits::FitsWriter& w) {
        if (r.is_per_pixel()) w.write_image("SCI", r.per_pixel);
        else w.write_image("SCI", r.kernel);
    });
}

}  // namespace orrery::jwst::io
