#pragma once
// The one table mapping Provenance keys to JWST primary-header keywords:
// meta.cal_step.<step> -> S_* (COMPLETE/SKIPPED/...) and meta.ref_file.<reftype>
// -> R_* (reference file name). Writers set them; readers parse them back.

#include "orrery/array/header.hpp"
#include "orrery/jwst/models.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::jwst::io {

struct KeywordName {
    std::string_view key;      // Provenance map key
    std::string_view keyword;  // FITS keyword
};

/// Provenance::cal_step key -> status keyword.
inline constexpr std::array<KeywordName, 18> status_keywords{{
    {"group_scale", "S_GRPSCL"},      {"dq_init", "S_DQINIT"},     {"emicorr", "S_MIREMI"},
    {"saturation", "S_SATURA"},       {"ipc", "S_IPC"},            {"firstframe", "S_FRSTFR"},
    {"lastframe", "S_LASTFR"},        {"reset", "S_RESET"},        {"superbias", "S_SUPERB"},
    {"refpix", "S_REFPIX"},           {"linearity", "S_LINEAR"},   {"rscd", "S_RSCD"},
    {"dark_sub", "S_DARK"},           {"charge_migration", "S_CHGMIG"}, {"jump", "S_JUMP"},
    {"persistence", "S_PERSIS"},      {"ramp_fit", "S_RAMP"},      {"gain_scale", "S_GANSCL"},
}};

/// Provenance::ref_file reftype -> reference keyword.
inline constexpr std::array<KeywordName, 12> reference_keywords{{
    {"mask", "R_MASK"},       {"saturation", "R_SATURA"}, {"superbias", "R_SUPERB"}, {"linearity", "R_LINEAR"},
    {"dark", "R_DARK"},       {"gain", "R_GAIN"},         {"readnoise", "R_READNO"}, {"ipc", "R_IPC"},
    {"refpix", "R_REFPIX"},   {"persat", "R_PERSAT"},     {"trapdensity", "R_TRPDEN"}, {"trappars", "R_TRPPAR"},
}};

template <std::size_t N>
constexpr std::optional<std::string_view> lookup_keyword(const std::array<KeywordName, N>& table, std::string_view key) {
    for (const auto& k : table)
        if (k.key == key) return k.keyword;
    return std::nullopt;
}

inline std::optional<std::string_view> status_keyword(std::string_view cal_step) { return lookup_keyword(status_keywords, cal_step); }
inline std::optional<std::string_view> reference_keyword(std::string_view reftype) { return lookup_keyword(reference_keywords, reftype); }

/// Write the provenance into a header (existing cards are replaced in place, new ones appended).
/// Keys without a JWST keyword are not written.
inline void apply_provenance(Header& h, const Provenance& p) {
    for (const auto& [step, status] : p.cal_step)
        if (auto kw = status_keyword(step)) h.set(*kw, status);
    for (const auto& [reftype, file] : p.ref_file)
        if (auto kw = reference_keyword(reftype)) h.set(*kw, file);
}

/// Read back the S_* / R_* keywords a header carries.
inline Provenance provenance_from(const Header& h) {
    Provenance p;
    for (const auto& k : status_keywords)
        if (auto v = h.get_string(k.keyword)) p.cal_step[std::string(k.key)] = *v;
    for (const auto& k : reference_keywords)
        if (auto v = h.get_string(k.keyword)) p.ref_file[std::string(k.key)] = *v;
    return p;
}

}  // namespace orrery::jwst::io
