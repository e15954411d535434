#pragma once
// Reference-file DQ translation through a DQ_DEF table (stdatamodels
// dynamicdq.dynamic_mask, docs/algorithms/dq_flags.md): for each row whose NAME is a known
// mnemonic, pixels with (dq & VALUE) != 0 get that mnemonic's standard bit.
// Unknown names are ignored; without a DQ_DEF table (or an empty one) the DQ
// array is used verbatim.

#include "orrery/jwst/dq_flags.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/array/ndarray.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orrery::jwst::io {

struct DqDefRow {
    std::uint32_t value = 0;  // bit(s) as stored in the file's DQ
    std::string name;         // mnemonic, whitespace-stripped
};
using DqDef = std::vector<DqDefRow>;

/// The DQ_DEF table of a reference file, or nullopt when absent or empty.
inline std::optional<DqDef> read_dq_def(fits::FitsReader& r) {
    if (!r.has("DQ_DEF")) return std::nullopt;
    const auto values = r.read_column<std::int64_t>("DQ_DEF", "VALUE");
    const auto names = r.read_string_column("DQ_DEF", "NAME");
    if (values.empty()) return std::nullopt;
    DqDef def;
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::string n = names[i];
        const auto b = n.find_first_not_of(" \t");
        n = b == std::string::npos ? std::string{} : n.substr(b);
        while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.pop_back();
        def.push_back({static_cast<std::uint32_t>(values[i]), std::move(n)});
    }
    return def;
}

/// Translate in place. (dq & VALUE) != 0 holds exactly when some bit of dq is in
/// VALUE, so the rows fold into one table: file bit -> standard flags to set.
template <std::size_t R>
void translate_dq(NdArray<std::uint32_t, R>& dq, const DqDef& def) {
    std::array<std::uint32_t, 32> by_bit{};
    for (const auto& row : def) {
        const auto flag = dq::value_of(row.name);
        if (!flag) continue;
        for (int b = 0; b < 32; ++b)
            if (row.value & (1u << b)) by_bit[static_cast<std::size_t>(b)] |= *flag;
    }
    for (auto& v : dq) {
        std::uint32_t in = v, out = 0;
        while (in) {
            const int b = __builtin_ctz(in);
            out |= by_bit[static_cast<std::size_t>(b)];
            in &= in - 1;
        }
        v = out;
    }
}

}  // namespace orrery::jwst::io
