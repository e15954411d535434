#pragma once
// `_rate` / `_rateints` products (docs/algorithms/rate_products.md): PRIMARY (header only), SCI,
// ERR, DQ (uint32 = BITPIX 32 + BZERO 2^31), VAR_POISSON, VAR_RNOISE, located by
// EXTNAME when reading. Not written: the ASDF metadata BINTABLE and the
// rateints INT_TIMES table (orrery keeps its metadata in the FITS headers).

#include "orrery/jwst/io/exposure_meta.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/array/fits/fits_writer.hpp"
#include "orrery/jwst/io/product_header.hpp"
#include "orrery/jwst/io/status_keywords.hpp"
#include "orrery/jwst/models.hpp"

#include <filesystem>
#include <string>

namespace orrery::jwst::io {

namespace detail {

template <class Model, std::size_t R>
Model read_rate_product(const std::filesystem::path& path) {
    fits::FitsReader r(path);
    Model m;
    m.primary = r.primary_header();
    m.meta = parse_exposure_meta(m.primary, path);
    m.provenance = provenance_from(m.primary);
    m.filename = path.filename().string();
    m.source = std::filesystem::absolute(path);
    r.read_into("SCI", m.sci);
    const auto shape = m.sci.shape();
    auto same = [&](const char* ext, const auto& a) {
        if (a.shape() != shape)
            fits::input_error(path, "extension " + std::string(ext) + " has shape " + shape_text(a.shape()) + ", SCI has " + shape_text(shape));
    };
    r.read_into("ERR", m.err);
    same("ERR", m.err);
    r.read_into("DQ", m.dq);
    same("DQ", m.dq);
    r.read_into("VAR_POISSON", m.var_poisson);
    same("VAR_POISSON", m.var_poisson);
    r.read_into("VAR_RNOISE", m.var_rnoise);
    same("VAR_RNOISE", m.var_rnoise);
    if (m.meta.subsize1 == 0) m.meta.subsize1 = static_cast<int>(shape[R - 1]);
    if (m.meta.subsize2 == 0) m.meta.subsize2 = static_cast<int>(shape[R - 2]);
    return m;
}

template <class Model>
void write_rate_product(const Model& m, const std::filesystem::path& out) {
    const auto shape = m.sci.shape();
    if (m.err.shape() != shape || m.dq.shape() != shape || m.var_poisson.shape() != shape || m.var_rnoise.shape() != shape)
        throw orrery::InternalError(out.string() + ": rate arrays disagree with SCI shape " + shape_text(shape));
    fits::FitsWriter w(out, m.source);
    w.write_primary(output_primary_header(m));
    Header rate, var;
    rate.set("BUNIT", "DN/s", "physical units of the array values");
    var.set("BUNIT", "DN^2/s^2", "physical units of the array values");
    w.write_image("SCI", m.sci, rate);
    w.write_image("ERR", m.err, rate);
    w.write_image("DQ", m.dq);
    w.write_image("VAR_POISSON", m.var_poisson, var);
    w.write_image("VAR_RNOISE", m.var_rnoise, var);
    w.commit();
}

}  // namespace detail

inline RateModel read_rate(const std::filesystem::path& path) { return detail::read_rate_product<RateModel, 2>(path); }
inline RateIntsModel read_rateints(const std::filesystem::path& path) { return detail::read_rate_product<RateIntsModel, 3>(path); }

/// Atomic writes; refuse to overwrite the file the model was read from.
inline void write_rate(const RateModel& m, const std::filesystem::path& out) { detail::write_rate_product(m, out); }
inline void write_rateints(const RateIntsModel& m, const std::filesystem::path& out) { detail::write_rate_product(m, out); }

}  // namespace orrery::jwst::io
