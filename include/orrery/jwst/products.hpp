#pragma once
// How the core treats the JWST models (orrery::product_traits): loading a raw or
// calibrated ramp as a CLI input, saving products with stpipe's names, and
// recording step status (S_*) and reference files (R_*) on the model.
// The suffixes output naming strips for jwst steps are jwst's own (io/known_suffixes.hpp).

#include "orrery/core/output_naming.hpp"
#include "orrery/core/product.hpp"
#include "orrery/jwst/algorithms/ramp_fit/fitopt_model.hpp"
#include "orrery/array/fits/fits_writer.hpp"
#include "orrery/jwst/io/known_suffixes.hpp"
#include "orrery/jwst/io/product_header.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/rate_io.hpp"
#include "orrery/jwst/io/reference_write.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::jwst {

namespace detail {
inline void ensure_parent(const std::filesystem::path& p) {
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
}
inline void record_status(Provenance& p, std::string_view key, StepStatus s) { p.cal_step[std::string(key)] = status_text(s); }
inline void record_reference(Provenance& p, std::string_view reftype, std::string_view path) {
    p.ref_file[std::string(reftype)] = std::string(path);
}
}  // namespace detail

/// One line about a rate image: median of finite rates, pixels with a jump, flagged pixels.
inline std::string rate_summary(const RateModel& rate) {
    std::vector<float> finite;
    finite.reserve(rate.sci.size());
    std::size_t jumps = 0, unusable = 0, saturated = 0;
    for (std::size_t k = 0; k < rate.sci.size(); ++k) {
        if (std::isfinite(rate.sci[k])) finite.push_back(rate.sci[k]);
        const std::uint32_t d = rate.dq[k];
        jumps += (d & dq::JUMP_DET) != 0;
        unusable += (d & dq::DO_NOT_USE) != 0;
        saturated += (d & dq::SATURATED) != 0;
    }
    double median = std::numeric_limits<double>::quiet_NaN();
    if (!finite.empty()) {
        auto mid = finite.begin() + static_cast<std::ptrdiff_t>(finite.size() / 2);
        std::nth_element(finite.begin(), mid, finite.end());
        median = *mid;
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "median rate %.4g DN/s over %zu pixels; %zu pixels with jumps; %zu DO_NOT_USE; %zu saturated", median,
                  finite.size(), jumps, unusable, saturated);
    return buf;
}

namespace io {
/// Write a rate and a rateints product to the paths given (the same path twice: the
/// rateints product replaces the rate, as two results saved under one name do in stpipe).
inline std::vector<std::filesystem::path> write_rate_products(const RateProducts& p, const std::filesystem::path& rate,
                                                              const std::filesystem::path& rateints) {
    jwst::detail::ensure_parent(rate);
    write_rate(p.rate, rate);
    write_rateints(p.rateints, rateints);
    if (rate == rateints) return {rate};
    return {rate, rateints};
}

/// Write the optional ramp-fit product (_fitopt).
inline void write_fitopt(const FitOptModel& f, const ModelBase& source, const std::filesystem::path& out) {
    jwst::detail::ensure_parent(out);
    fits::FitsWriter w(out, source.filename);
    w.write_primary(output_primary_header(source));
    w.write_image("SLOPE", f.slope);
    w.write_image("SIGSLOPE", f.sigslope);
    w.write_image("VAR_POISSON", f.var_poisson);
    w.write_image("VAR_RNOISE", f.var_rnoise);
    w.write_image("YINT", f.yint);
    w.write_image("SIGYINT", f.sigyint);
    w.write_image("PEDESTAL", f.pedestal);
    w.write_image("WEIGHTS", f.weights);
    w.write_image("CRMAG", f.crmag);
    w.commit();
}
/// Write the dark as subtracted (dark_current's dark_output).
inline void write_dark_reference(const DarkRef& dark, const std::filesystem::path& out) {
    jwst::detail::ensure_parent(out);
    write_reference(dark, out);
}
}  // namespace io

}  // namespace orrery::jwst

template <>
struct orrery::product_traits<orrery::jwst::RampModel> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = true;
    static constexpr std::string_view extension = ".fits";
    static orrery::jwst::RampModel load(const std::filesystem::path& p) { return orrery::jwst::io::read_ramp(p); }
    static std::vector<std::filesystem::path> save(const orrery::jwst::RampModel& m, const OutputNamer& namer, std::string_view suffix) {
        const auto path = namer.path(suffix);
        orrery::jwst::detail::ensure_parent(path);
        orrery::jwst::io::write_ramp(m, path);
        return {path};
    }
    static void record_status(orrery::jwst::RampModel& m, std::string_view key, StepStatus s) {
        orrery::jwst::detail::record_status(m.provenance, key, s);
    }
    static void record_reference(orrery::jwst::RampModel& m, std::string_view type, std::string_view path) {
        orrery::jwst::detail::record_reference(m.provenance, type, path);
    }
    static std::string filename(const orrery::jwst::RampModel& m) { return m.filename; }
    // Row steps (fused block-wise execution): rows are the (y) rows of every plane.
    static std::size_t rows(const orrery::jwst::RampModel& m) { return m.sci.empty() ? 0 : m.ny(); }
    /// Bytes one row occupies across SCI, GROUPDQ, PIXELDQ and ZEROFRAME (sizes the fused blocks).
    static std::size_t row_bytes(const orrery::jwst::RampModel& m) {
        if (m.sci.empty()) return 0;
        const std::size_t planes = m.nints() * m.ngroups();
        return m.nx() * (planes * (sizeof(float) + sizeof(std::uint8_t)) + sizeof(std::uint32_t) +
                         (m.zeroframe ? m.nints() * sizeof(float) : 0));
    }
};

/// rate + rateints: "<root>_<suffix>.fits" and "<root>_<suffix>ints.fits" (detector1: _rate, _rateints;
/// gain_scale: _gain_scale, _gain_scaleints). ramp_fit saves its two results itself (_0_ramp_fit, _1_ramp_fit).
template <>
struct orrery::product_traits<orrery::jwst::RateProducts> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = false;
    static constexpr std::string_view extension = ".fits";
    static std::vector<std::filesystem::path> save(const orrery::jwst::RateProducts& p, const OutputNamer& namer, std::string_view suffix) {
        if (p.unfitted) return product_traits<orrery::jwst::RampModel>::save(*p.unfitted, namer, suffix);  // ramp_fit skipped
        return orrery::jwst::io::write_rate_products(p, namer.path(suffix), namer.path(std::string(suffix) + "ints"));
    }
    static void record_status(orrery::jwst::RateProducts& p, std::string_view key, StepStatus s) {
        if (p.unfitted) return orrery::jwst::detail::record_status(p.unfitted->provenance, key, s);
        orrery::jwst::detail::record_status(p.rate.provenance, key, s);
        orrery::jwst::detail::record_status(p.rateints.provenance, key, s);
    }
    static void record_reference(orrery::jwst::RateProducts& p, std::string_view type, std::string_view path) {
        if (p.unfitted) return orrery::jwst::detail::record_reference(p.unfitted->provenance, type, path);
        orrery::jwst::detail::record_reference(p.rate.provenance, type, path);
        orrery::jwst::detail::record_reference(p.rateints.provenance, type, path);
    }
    static std::string filename(const orrery::jwst::RateProducts& p) { return p.unfitted ? p.unfitted->filename : p.rate.filename; }
    /// "median rate 1.23 DN/s, 456 pixels with jumps, 789 flagged pixels (DO_NOT_USE), 12 saturated".
    static std::string summary(const orrery::jwst::RateProducts& p) {
        if (p.unfitted)
            return "calibrated ramp (ramp_fit skipped): " + std::to_string(p.unfitted->nints()) + " integrations of " +
                   std::to_string(p.unfitted->ngroups()) + " groups, " + std::to_string(p.unfitted->nx()) + "x" + std::to_string(p.unfitted->ny());
        return orrery::jwst::rate_summary(p.rate);
    }
};
