#pragma once
// Comparisons against the golden vectors, shared by the end-to-end tests:
// DQ bit for bit, floats by max relative difference, NaN positions exactly;
// the allowed differences are in golden_tolerances.hpp.
// (Test support: uses Catch2.)

#include "orrery/core/param_tree.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/array/ndarray.hpp"

#include "golden_tolerances.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <algorithm>
#include <fstream>
#include <vector>
#include <cstddef>
#include <iostream>
#include <sstream>
#include <string>
#include <tuple>

namespace orrery::test {

inline std::string golden_path(const std::string& rel) { return std::string(ORRERY_TEST_DATA_DIR) + "/golden/" + rel; }

/// {steps: {<alias>: {skip: True}}} for every step scenario.json lists as skipped by the
/// golden chain (e.g. group_scale, which jwst would apply to frame_avg's FRMDIVSR=1, NFRAMES=4).
/// Only aliases in `present` are listed (a partial chain has fewer steps).
inline ParamNode golden_skips(const std::string& scenario, const std::vector<std::string>& present) {
    std::ifstream in(golden_path(scenario + "/scenario.json"));
    const auto j = nlohmann::json::parse(in);
    ParamNode tree = ParamNode::map();
    for (const auto& alias : j.at("params").at("skipped"))
        if (std::find(present.begin(), present.end(), alias.get<std::string>()) != present.end())
            tree.set_path("steps." + alias.get<std::string>() + ".skip", ParamNode::scalar("True", scenario + "/scenario.json"));
    return tree;
}

template <std::size_t R>
std::string index_text(const std::array<std::size_t, R>& shape, std::size_t flat) {
    std::array<std::size_t, R> idx{};
    for (std::size_t a = R; a-- > 0;) {
        idx[a] = flat % shape[a];
        flat /= shape[a];
    }
    return orrery::shape_text(idx);
}

/// Number of differing DQ values; prints the count and the first few differences.
template <class T, std::size_t R>
std::size_t dq_mismatches(const std::string& label, const orrery::NdArray<T, R>& got, const orrery::NdArray<T, R>& want) {
    if (got.shape() != want.shape()) {
        std::cout << label << ": shape " << orrery::shape_text(got.shape()) << " vs " << orrery::shape_text(want.shape()) << "\n";
        return got.size() + want.size() + 1;
    }
    std::size_t bad = 0;
    std::ostringstream first;
    for (std::size_t k = 0; k < got.size(); ++k) {
        if (got[k] == want[k]) continue;
        if (bad < 5)
            first << "\n    at " << index_text(got.shape(), k) << ": got " << jwst::dq::to_string(got[k]) << " want "
                  << jwst::dq::to_string(want[k]);
        ++bad;
    }
    std::cout << label << ": " << bad << " of " << got.size() << " DQ values differ" << first.str() << "\n";
    return bad;
}

struct FloatComparison {
    double max_rel = 0.0;           // max |a-b|/|b| over finite pairs (|a-b| where b == 0)
    std::size_t nan_mismatches = 0; // NaN in one array and not the other
    std::size_t differing = 0;      // not bit-identical
};

template <std::size_t R>
FloatComparison compare_floats(const std::string& label, const orrery::NdArray<float, R>& got, const orrery::NdArray<float, R>& want) {
    FloatComparison c;
    if (got.shape() != want.shape()) {
        std::cout << label << ": shape " << orrery::shape_text(got.shape()) << " vs " << orrery::shape_text(want.shape()) << "\n";
        c.nan_mismatches = got.size() + want.size() + 1;
        return c;
    }
    std::size_t worst = 0;
    std::ostringstream nan_text;
    for (std::size_t k = 0; k < got.size(); ++k) {
        const float a = got[k], b = want[k];
        if (std::isnan(a) || std::isnan(b)) {
            if (std::isnan(a) != std::isnan(b) && c.nan_mismatches++ < 5)
                nan_text << "\n    NaN mismatch at " << index_text(got.shape(), k) << ": got " << a << " want " << b;
            continue;
        }
        if (a == b) continue;
        ++c.differing;
        const double d = std::fabs(double(a) - double(b));
        const double rel = b == 0.0f ? d : d / std::fabs(double(b));
        if (rel > c.max_rel) {
            c.max_rel = rel;
            worst = k;
        }
    }
    std::cout << label << ": max relative difference " << c.max_rel;
    if (c.differing) std::cout << " (at " << index_text(got.shape(), worst) << ": got " << got[worst] << " want " << want[worst] << ")";
    std::cout << ", " << c.differing << " values not identical, " << c.nan_mismatches << " NaN mismatches" << nan_text.str() << "\n";
    return c;
}

/// A rate or rateints product against the expected one: DQ bit-exact, the same NaN
/// positions, SCI/ERR/VAR_POISSON/VAR_RNOISE within their golden_tolerance (Catch2 checks).
template <class Model>
void check_rate_product(const std::string& label, const Model& got, const Model& want) {
    namespace tol = golden_tolerance;
    CHECK(dq_mismatches(label + " DQ", got.dq, want.dq) == 0);
    for (auto [name, a, b, tolerance] : {std::tuple{"SCI", &got.sci, &want.sci, tol::rate_sci},
                                         std::tuple{"ERR", &got.err, &want.err, tol::rate_err},
                                         std::tuple{"VAR_POISSON", &got.var_poisson, &want.var_poisson, tol::rate_var_poisson},
                                         std::tuple{"VAR_RNOISE", &got.var_rnoise, &want.var_rnoise, tol::rate_var_rnoise}}) {
        const auto c = compare_floats(label + " " + name, *a, *b);
        INFO(label << " " << name << " max relative difference " << c.max_rel << ", allowed " << tolerance);
        CHECK(c.nan_mismatches == 0);
        CHECK(c.max_rel <= tolerance);
    }
}

}  // namespace orrery::test
