#pragma once
// ExposureMeta from a primary header. Keywords absent from the header keep the
// struct defaults; present keywords of the wrong type are input errors.
// SUBSIZE1/2 left at 0 here are filled from the array shape by the model reader.

#include "orrery/array/fits/keywords.hpp"
#include "orrery/jwst/models.hpp"

#include <filesystem>

namespace orrery::jwst::io {

inline ExposureMeta parse_exposure_meta(const Header& h, const std::filesystem::path& file) {
    ExposureMeta m;
    auto str = [&](const char* k, std::string& out) { if (auto v = fits::keyword_string(h, k)) out = *v; };
    auto i = [&](const char* k, int& out) { if (auto v = fits::keyword_int(h, k, file)) out = *v; };
    auto d = [&](const char* k, double& out) { if (auto v = fits::keyword_double(h, k, file)) out = *v; };
    str("INSTRUME", m.instrument);
    str("DETECTOR", m.detector);
    str("EXP_TYPE", m.exp_type);
    i("NINTS", m.nints);
    i("NGROUPS", m.ngroups);
    i("NFRAMES", m.nframes);
    i("GROUPGAP", m.groupgap);
    d("TFRAME", m.tframe);
    d("TGROUP", m.tgroup);
    str("READPATT", m.readpatt);
    str("SUBARRAY", m.subarray);
    i("SUBSTRT1", m.substrt1);
    i("SUBSTRT2", m.substrt2);
    i("SUBSIZE1", m.subsize1);
    i("SUBSIZE2", m.subsize2);
    i("FASTAXIS", m.fastaxis);
    i("SLOWAXIS", m.slowaxis);
    if (auto v = fits::keyword_bool(h, "ZEROFRAM", file)) m.zeroframe = *v;
    m.frmdivsr = fits::keyword_int(h, "FRMDIVSR", file);
    m.gain_factor = fits::keyword_double(h, "GAINFACT", file);
    i("INTSTART", m.intstart);
    i("DRPFRMS1", m.drpfrms1);
    return m;
}

}  // namespace orrery::jwst::io
