#pragma once
// The primary header an output product gets: the input's cards in order, with
// the S_* status and R_* reference keywords from the provenance set in place (or
// appended) and GAINFACT when the exposure carries a gain factor.

#include "orrery/jwst/io/status_keywords.hpp"
#include "orrery/jwst/models.hpp"

namespace orrery::jwst::io {

inline Header output_primary_header(const ModelBase& m) {
    Header h = m.primary;
    apply_provenance(h, m.provenance);
    if (m.meta.gain_factor) h.set("GAINFACT", *m.meta.gain_factor, "Gain scale factor");
    return h;
}

}  // namespace orrery::jwst::io
