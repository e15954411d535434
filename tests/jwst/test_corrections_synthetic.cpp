// Synthetic cases for the ramp-correction kernels that the golden data does not reach:
// group_scale and gain_scale scaling and skips, dq_init with a user DQ, saturation's
// passes / growth / ZEROFRAME by hand, linearity's coefficient fixes and read-level
// variant, dark extrapolation / averaging / SKIPPED / NaN / MIRI integrations, and the
// one-line InputErrors for mismatched references.

#include "orrery/jwst/algorithms/dark_current.hpp"
#include "orrery/jwst/algorithms/dq_init.hpp"
#include "orrery/jwst/algorithms/gain_scale.hpp"
#include "orrery/jwst/algorithms/group_scale.hpp"
#include "orrery/jwst/algorithms/linearity.hpp"
#include "orrery/jwst/algorithms/saturation.hpp"
#include "orrery/jwst/algorithms/superbias.hpp"
#include "orrery/jwst/dq_flags.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <string>

using namespace orrery;
using namespace orrery::jwst;
using Catch::Matchers::Contains;

namespace {

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr std::uint8_t DNU = dq::DO_NOT_USE, SAT = dq::SATURATED, FLOOR = dq::AD_FLOOR;

RampModel make_ramp(std::size_t nints, std::size_t ngroups, std::size_t ny, std::size_t nx, float fill = 100.0f) {
    RampModel m;
    m.sci.resize({nints, ngroups, ny, nx}, fill);
    m.groupdq.resize({nints, ngroups, ny, nx}, 0);
    m.pixeldq.resize({ny, nx}, 0u);
    return m;
}

template <class Ref>
Ref plane_ref(std::size_t ny, std::size_t nx, float value) {
    Ref r;
    r.sci.resize({ny, nx}, value);
    r.dq.resize({ny, nx}, 0u);
    return r;
}

DarkRef make_dark(std::size_t nints_d, std::size_t ngroups_d, std::size_t ny, std::size_t nx, float value = 0.0f) {
    DarkRef d;
    d.sci.resize({nints_d, ngroups_d, ny, nx}, value);
    d.dq.resize({1, ny, nx}, 0u);
    return d;
}

}  // namespace

// ---------------------------------------------------------------- group_scale
TEST_CASE("group_scale multiplies by float(FRMDIVSR/NFRAMES)") {
    RampModel m = make_ramp(1, 2, 2, 2, 100.0f);
    m.sci(0, 1, 1, 1) = 3.0f;
    m.meta.nframes = 5;
    m.meta.frmdivsr = 4;
    const auto out = apply_group_scale(m);
    CHECK_FALSE(out.skipped);
    CHECK(m.sci(0, 0, 0, 0) == 100.0f * 0.8f);
    CHECK(m.sci(0, 1, 1, 1) == 3.0f * 0.8f);
    CHECK(m.groupdq(0, 0, 0, 0) == 0);
}

TEST_CASE("group_scale skips without FRMDIVSR, with FRMDIVSR == NFRAMES, or without NFRAMES") {
    RampModel m = make_ramp(1, 2, 2, 2, 100.0f);
    m.meta.nframes = 4;
    auto out = apply_group_scale(m);
    CHECK(out.skipped);
    CHECK_THAT(out.reason, Contains("power of 2"));
    m.meta.nframes = 3;
    out = apply_group_scale(m);
    CHECK(out.skipped);
    CHECK_THAT(out.reason, Contains("FRMDIVSR"));
    m.meta.frmdivsr = 3;
    out = apply_group_scale(m);
    CHECK(out.skipped);
    CHECK_THAT(out.reason, Contains("equal"));

    m.meta.frmdivsr = 4;
    m.primary.set("INSTRUME", "NIRCAM");  // a real header without NFRAMES
    out = apply_group_scale(m);
    CHECK(out.skipped);
    CHECK_THAT(out.reason, Contains("NFRAMES"));
    CHECK(m.sci(0, 0, 0, 0) == 100.0f);

    m.primary.set("NFRAMES", 0);
    m.meta.nframes = 0;
    CHECK_THROWS_AS(apply_group_scale(m), orrery::InputError);
}

// ---------------------------------------------------------------- gain_scale
TEST_CASE("gain_scale scales SCI/ERR by gf and variances by gf^2") {
    RateModel r;
    r.sci.resize({2, 2}, 10.0f);
    r.err.resize({2, 2}, 2.0f);
    r.var_poisson.resize({2, 2}, 4.0f);
    r.var_rnoise.resize({2, 2}, 1.0f);
    r.dq.resize({2, 2}, 0u);
    GainRef g;
    g.gain_factor = 1.5;
    const auto out = apply_gain_scale(r, &g);
    CHECK_FALSE(out.skipped);
    CHECK(r.sci(0, 0) == 15.0f);
    CHECK(r.err(1, 1) == 3.0f);
    CHECK(r.var_poisson(0, 1) == 9.0f);
    CHECK(r.var_rnoise(1, 0) == 2.25f);
    CHECK(r.meta.gain_factor == 1.5);
    CHECK(r.primary.get_double("GAINFACT") == 1.5);

    // meta.gain_factor (from ramp_fit) wins over the reference; factors are rounded to float32.
    RateIntsModel ri;
    ri.sci.resize({1, 1, 1}, 1.0f);
    ri.err.resize({1, 1, 1}, 1.0f);
    ri.meta.gain_factor = 0.1;
    CHECK_FALSE(apply_gain_scale(ri, &g).skipped);
    CHECK(ri.sci(0, 0, 0) == 0.1f);
    CHECK(ri.var_poisson.empty());
}

TEST_CASE("gain_scale skips without a gain factor") {
    RateModel r;
    r.sci.resize({1, 1}, 10.0f);
    GainRef g;  // no GAINFACT
    auto out = apply_gain_scale(r, &g);
    CHECK(out.skipped);
    CHECK_THAT(out.reason, Contains("GAINFACT"));
    CHECK(apply_gain_scale(r, nullptr).skipped);
    CHECK(r.sci(0, 0) == 10.0f);
    CHECK_FALSE(r.meta.gain_factor);
}

// ---------------------------------------------------------------- dq_init
TEST_CASE("dq_init ORs the mask and the user DQ; DO_NOT_USE reaches every group") {
    RampModel m = make_ramp(2, 3, 2, 3);
    m.pixeldq.resize({0, 0});  // missing: replaced by zeros
    m.groupdq.resize({1, 1, 1, 1}, 7);  // wrong shape: replaced by zeros
    m.pixeldq.resize({2, 3}, 0u);
    m.pixeldq(0, 0) = dq::JUMP_DET;
    MaskRef mask;
    mask.dq.resize({2, 3}, 0u);
    mask.dq(0, 1) = dq::DO_NOT_USE | dq::DEAD;
    mask.dq(1, 2) = dq::HOT;
    NdArray<std::uint32_t, 2> user({2, 3}, 0u);
    user(1, 0) = dq::DO_NOT_USE | dq::WARM;

    initialize_dq(m, mask, DqInitParams{.user_supplied_dq = "user.fits"}, &user);
    CHECK(m.pixeldq(0, 0) == dq::JUMP_DET);
    CHECK(m.pixeldq(0, 1) == (dq::DO_NOT_USE | dq::DEAD));
    CHECK(m.pixeldq(1, 2) == dq::HOT);
    CHECK(m.pixeldq(1, 0) == (dq::DO_NOT_USE | dq::WARM));
    CHECK(m.groupdq.shape() == m.sci.shape());
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t g = 0; g < 3; ++g) {
            CHECK(m.groupdq(i, g, 0, 1) == DNU);
            CHECK(m.groupdq(i, g, 1, 0) == DNU);
            CHECK(m.groupdq(i, g, 1, 2) == 0);
            CHECK(m.groupdq(i, g, 0, 0) == 0);
        }
}

TEST_CASE("dq_init rejects a mask or user DQ of the wrong shape") {
    RampModel m = make_ramp(1, 2, 4, 5);
    MaskRef mask;
    mask.path = "/refs/mask.fits";
    mask.dq.resize({4, 4}, 0u);
    CHECK_THROWS_WITH(initialize_dq(m, mask), Contains("MASK") && Contains("/refs/mask.fits") && Contains("(4, 4)") &&
                                                  Contains("(1, 2, 4, 5)"));
    CHECK_THROWS_AS(initialize_dq(m, mask), orrery::InputError);
    mask.dq.resize({4, 5}, 0u);
    NdArray<std::uint32_t, 2> user({5, 4}, 0u);
    CHECK_THROWS_WITH(initialize_dq(m, mask, {}, &user), Contains("user_supplied_dq") && Contains("(5, 4)"));
}

// ---------------------------------------------------------------- saturation
TEST_CASE("saturation pass 1: cumulative flag, 8-neighbour growth, A/D floor, NO_SAT_CHECK") {
    RampModel m = make_ramp(1, 4, 7, 7, 100.0f);
    for (std::size_t g = 2; g < 4; ++g) m.sci(0, g, 3, 3) = 2000.0f;  // saturates at group 2
    m.sci(0, 3, 3, 3) = 500.0f;                                        // drops back: still flagged
    m.sci(0, 1, 0, 6) = 0.0f;                                          // A/D floor, group 1 only
    m.sci(0, 0, 6, 0) = 5000.0f;                                       // NO_SAT_CHECK pixel
    m.sci(0, 0, 6, 6) = nan_f;                                         // NaN data never trips
    auto sat = plane_ref<SaturationRef>(7, 7, 1000.0f);
    sat.dq(6, 0) = dq::NO_SAT_CHECK;
    sat.sci(5, 6) = nan_f;  // NaN threshold -> NO_SAT_CHECK in PIXELDQ
    sat.dq(0, 0) = dq::DEAD;

    flag_saturation(m, sat, nullptr, SaturationParams{});
    for (std::size_t g = 0; g < 4; ++g)
        for (std::size_t y = 2; y <= 4; ++y)
            for (std::size_t x = 2; x <= 4; ++x) CHECK(m.groupdq(0, g, y, x) == (g >= 2 ? SAT : 0));
    CHECK(m.groupdq(0, 3, 1, 3) == 0);  // outside the 3x3 ring
    CHECK(m.groupdq(0, 1, 0, 6) == (FLOOR | DNU));
    CHECK(m.groupdq(0, 2, 0, 6) == 0);
    CHECK(m.groupdq(0, 1, 1, 5) == 0);  // floor is not grown
    CHECK(m.groupdq(0, 0, 6, 0) == 0);
    CHECK(m.groupdq(0, 0, 6, 6) == 0);
    CHECK(m.pixeldq(6, 0) == dq::NO_SAT_CHECK);
    CHECK(m.pixeldq(5, 6) == dq::NO_SAT_CHECK);
    CHECK(m.pixeldq(0, 0) == dq::DEAD);
}

TEST_CASE("saturation growth: n_pix_grow_sat = 0 and 2 (clipped at the edge)") {
    auto sat = plane_ref<SaturationRef>(6, 6, 1000.0f);
    RampModel m0 = make_ramp(1, 1, 6, 6);
    m0.sci(0, 0, 0, 1) = 1e4f;
    RampModel m2 = m0;
    flag_saturation(m0, sat, nullptr, SaturationParams{.n_pix_grow_sat = 0});
    flag_saturation(m2, sat, nullptr, SaturationParams{.n_pix_grow_sat = 2});
    std::size_t n0 = 0, n2 = 0;
    for (std::size_t y = 0; y < 6; ++y)
        for (std::size_t x = 0; x < 6; ++x) {
            n0 += m0.groupdq(0, 0, y, x) == SAT;
            const bool inside = y <= 2 && x <= 3;
            CHECK(m2.groupdq(0, 0, y, x) == (inside ? SAT : 0));
            n2 += inside;
        }
    CHECK(n0 == 1);
    CHECK(n2 == 12);
}

TEST_CASE("saturation read-pattern passes 2 and 3 set DO_NOT_USE (not SATURATED)") {
    // NFRAMES = 4: dilution 2.5/4 for group 0, 6.5/8 for group 1; T = 1000.
    RampModel m = make_ramp(1, 3, 9, 9, 50.0f);
    m.meta.nframes = 4;
    // pixel A (2,2): group 1 at 900 >= 812.5 before a saturated group 2 -> pass 2
    m.sci(0, 0, 2, 2) = 100.0f;
    m.sci(0, 1, 2, 2) = 900.0f;
    m.sci(0, 2, 2, 2) = 1200.0f;
    // pixel B (6,6): group 1 jumps by 300 > (1000-100)/4 while 100/2.5*12 = 480 < 1000 -> pass 3
    m.sci(0, 0, 6, 6) = 100.0f;
    m.sci(0, 1, 6, 6) = 400.0f;
    m.sci(0, 2, 6, 6) = 1200.0f;
    const auto sat = plane_ref<SaturationRef>(9, 9, 1000.0f);
    RampModel plain = m;

    flag_saturation(m, sat, nullptr, SaturationParams{});
    CHECK(m.groupdq(0, 1, 2, 2) == DNU);
    CHECK(m.groupdq(0, 1, 1, 1) == DNU);  // pass-2 flags are grown
    CHECK(m.groupdq(0, 1, 2, 4) == 0);
    CHECK(m.groupdq(0, 2, 2, 2) == SAT);
    CHECK(m.groupdq(0, 0, 2, 2) == 0);  // 100 < 625
    CHECK(m.groupdq(0, 1, 6, 6) == DNU);
    CHECK(m.groupdq(0, 1, 5, 5) == 0);  // pass 3 is not grown
    CHECK(m.groupdq(0, 2, 5, 5) == SAT);

    flag_saturation(plain, sat, nullptr, SaturationParams{.n_pix_grow_sat = 1, .use_readpatt = false});
    CHECK(plain.groupdq(0, 1, 2, 2) == 0);
    CHECK(plain.groupdq(0, 1, 6, 6) == 0);

    // With a superbias of -2000 pixel B's group 0 extrapolates to (2100/2.5)*12 - 2000 = 8080 >= 1000:
    // group 3 was expected to saturate anyway, so group 2 is not flagged.
    auto bias = plane_ref<SuperbiasRef>(9, 9, -2000.0f);
    RampModel biased = make_ramp(1, 3, 9, 9, 50.0f);
    biased.meta.nframes = 4;
    biased.sci(0, 0, 6, 6) = 100.0f;
    biased.sci(0, 1, 6, 6) = 400.0f;
    biased.sci(0, 2, 6, 6) = 1200.0f;
    flag_saturation(biased, sat, &bias, SaturationParams{});
    CHECK(biased.groupdq(0, 1, 6, 6) == 0);
}

TEST_CASE("saturation ZEROFRAME: saturated (grown) and floor pixels become 0") {
    RampModel m = make_ramp(1, 2, 5, 5);
    m.meta.zeroframe = true;
    m.zeroframe.emplace(std::array<std::size_t, 3>{1, 5, 5}, 10.0f);
    (*m.zeroframe)(0, 2, 2) = 3000.0f;
    (*m.zeroframe)(0, 0, 4) = -1.0f;
    const auto sat = plane_ref<SaturationRef>(5, 5, 1000.0f);
    flag_saturation(m, sat, nullptr);
    for (std::size_t y = 0; y < 5; ++y)
        for (std::size_t x = 0; x < 5; ++x) {
            const bool bad = (y >= 1 && y <= 3 && x >= 1 && x <= 3) || (y == 0 && x == 4);
            CHECK((*m.zeroframe)(0, y, x) == (bad ? 0.0f : 10.0f));
        }
    CHECK(m.groupdq(0, 0, 2, 2) == 0);  // ZEROFRAME does not touch GROUPDQ
}

TEST_CASE("saturation rejects a threshold of the wrong shape") {
    RampModel m = make_ramp(1, 2, 5, 5);
    const auto sat = plane_ref<SaturationRef>(5, 4, 1000.0f);
    CHECK_THROWS_WITH(flag_saturation(m, sat, nullptr), Contains("SATURATION") && Contains("(5, 4)") && Contains("(1, 2, 5, 5)"));
}

// ---------------------------------------------------------------- superbias
TEST_CASE("superbias subtracts in float32, NaN bias counts as 0, DQ propagates, ZEROFRAME zeros stay") {
    RampModel m = make_ramp(2, 2, 2, 2, 1000.5f);
    m.meta.zeroframe = true;
    m.zeroframe.emplace(std::array<std::size_t, 3>{2, 2, 2}, 900.0f);
    (*m.zeroframe)(1, 0, 0) = 0.0f;
    auto bias = plane_ref<SuperbiasRef>(2, 2, 0.25f);
    bias.sci(1, 1) = nan_f;
    bias.dq(0, 1) = dq::UNRELIABLE_BIAS;
    subtract_superbias(m, bias);
    CHECK(m.sci(1, 1, 0, 0) == 1000.25f);
    CHECK(m.sci(0, 0, 1, 1) == 1000.5f);
    CHECK(m.pixeldq(0, 1) == dq::UNRELIABLE_BIAS);
    CHECK((*m.zeroframe)(0, 0, 0) == 899.75f);
    CHECK((*m.zeroframe)(1, 0, 0) == 0.0f);
    CHECK((*m.zeroframe)(1, 1, 1) == 900.0f);
}

// ---------------------------------------------------------------- linearity
TEST_CASE("linearity: Horner polynomial, SATURATED groups skipped, DO_NOT_USE corrected") {
    RampModel m = make_ramp(1, 3, 1, 2, 3.0f);
    m.groupdq(0, 1, 0, 0) = SAT;
    m.groupdq(0, 2, 0, 0) = DNU;
    LinearityRef lin;
    lin.coeffs.resize({4, 1, 2}, 0.0f);
    for (std::size_t x = 0; x < 2; ++x) {
        lin.coeffs(0, 0, x) = 1.0f;
        lin.coeffs(1, 0, x) = 2.0f;
        lin.coeffs(2, 0, x) = 0.5f;
        lin.coeffs(3, 0, x) = 0.25f;
    }
    lin.dq.resize({1, 2}, 0u);
    correct_linearity(m, lin);
    const float want = 1.0f + 2.0f * 3.0f + 0.5f * 9.0f + 0.25f * 27.0f;  // 18.25, exact
    CHECK(m.sci(0, 0, 0, 0) == want);
    CHECK(m.sci(0, 1, 0, 0) == 3.0f);
    CHECK(m.sci(0, 2, 0, 0) == want);
    CHECK(m.sci(0, 1, 0, 1) == want);
    CHECK(m.pixeldq(0, 0) == 0u);
}

TEST_CASE("linearity: zero linear term, NaN coefficient and NO_LIN_CORR give the identity") {
    RampModel m = make_ramp(1, 1, 1, 4, 7.0f);
    m.sci(0, 0, 0, 3) = nan_f;
    LinearityRef lin;
    lin.coeffs.resize({3, 1, 4}, 0.5f);
    lin.coeffs(1, 0, 0) = 0.0f;        // zero linear term
    lin.coeffs(2, 0, 1) = nan_f;       // NaN coefficient
    lin.dq.resize({1, 4}, 0u);
    lin.dq(0, 2) = dq::NO_LIN_CORR;    // flagged in the reference
    lin.dq(0, 3) = dq::NONLINEAR;
    correct_linearity(m, lin);
    CHECK(m.sci(0, 0, 0, 0) == 7.0f);
    CHECK(m.sci(0, 0, 0, 1) == 7.0f);
    CHECK(m.sci(0, 0, 0, 2) == 7.0f);
    CHECK(std::isnan(m.sci(0, 0, 0, 3)));  // NaN stays NaN
    CHECK(m.pixeldq(0, 0) == dq::NO_LIN_CORR);
    CHECK(m.pixeldq(0, 1) == dq::NO_LIN_CORR);
    CHECK(m.pixeldq(0, 2) == dq::NO_LIN_CORR);
    CHECK(m.pixeldq(0, 3) == dq::NONLINEAR);

    lin.coeffs.resize({1, 1, 4}, 1.0f);
    CHECK_THROWS_AS(correct_linearity(m, lin), orrery::InputError);
}

TEST_CASE("linearity: ZEROFRAME corrected, zeros stay zero") {
    RampModel m = make_ramp(1, 1, 1, 2, 2.0f);
    m.meta.zeroframe = true;
    m.zeroframe.emplace(std::array<std::size_t, 3>{1, 1, 2}, 2.0f);
    (*m.zeroframe)(0, 0, 1) = 0.0f;
    LinearityRef lin;
    lin.coeffs.resize({2, 1, 2}, 1.0f);  // 1 + x
    lin.dq.resize({1, 2}, 0u);
    correct_linearity(m, lin);
    CHECK((*m.zeroframe)(0, 0, 0) == 3.0f);
    CHECK((*m.zeroframe)(0, 0, 1) == 0.0f);
}

TEST_CASE("linearity read-level variant recovers the mean of linear frames better than per group") {
    // Frames read q_r = 100 r (linear counts) through m = q - a q^2; groups average 4 frames.
    const double a = 1e-5;
    const std::size_t nf = 4, ng = 5;
    RampModel m = make_ramp(1, ng, 1, 1);
    m.meta.nframes = static_cast<int>(nf);
    std::vector<double> truth(ng);
    for (std::size_t g = 0; g < ng; ++g) {
        double meas = 0, lin = 0;
        for (std::size_t r = 1; r <= nf; ++r) {
            const double q = 100.0 * static_cast<double>(g * nf + r);
            meas += q - a * q * q;
            lin += q;
        }
        m.sci(0, g, 0, 0) = static_cast<float>(meas / nf);
        truth[g] = lin / nf;
    }
    LinearityRef lin;
    lin.coeffs.resize({4, 1, 1}, 0.0f);  // q = m + a m^2 + 2 a^2 m^3 (series inverse)
    lin.coeffs(1, 0, 0) = 1.0f;
    lin.coeffs(2, 0, 0) = static_cast<float>(a);
    lin.coeffs(3, 0, 0) = static_cast<float>(2 * a * a);
    lin.dq.resize({1, 1}, 0u);
    lin.inv_coeffs.emplace(std::array<std::size_t, 3>{3, 1, 1}, 0.0f);
    (*lin.inv_coeffs)(1, 0, 0) = 1.0f;
    (*lin.inv_coeffs)(2, 0, 0) = static_cast<float>(-a);

    RampModel classic = m;
    classic.meta.nframes = 1;  // NFRAMES == 1: INV_COEFFS ignored, per-group correction
    correct_linearity(classic, lin);
    correct_linearity(m, lin);
    for (std::size_t g = 1; g + 1 < ng; ++g) {
        const double err_read = std::fabs(m.sci(0, g, 0, 0) - truth[g]);
        const double err_group = std::fabs(classic.sci(0, g, 0, 0) - truth[g]);
        std::cout << "read-level linearity, group " << g << ": error " << err_read << " (per-group " << err_group << ")\n";
        INFO("group " << g << ": read-level error " << err_read << ", per-group error " << err_group);
        CHECK(err_read < err_group);
        CHECK(err_read < 0.05);
    }

    // A SATURATED group keeps its raw value in the read-level path too.
    RampModel s = m;
    for (std::size_t g = 0; g < ng; ++g) s.sci(0, g, 0, 0) = classic.sci(0, g, 0, 0);
    s.groupdq(0, ng - 1, 0, 0) = SAT;
    const float raw = s.sci(0, ng - 1, 0, 0);
    correct_linearity(s, lin);
    CHECK(s.sci(0, ng - 1, 0, 0) == raw);
}

// ---------------------------------------------------------------- dark_current
TEST_CASE("dark_current subtracts matching planes; NaN dark counts as 0; DQ propagates") {
    RampModel m = make_ramp(2, 3, 2, 2, 100.0f);
    DarkRef d = make_dark(1, 5, 2, 2);
    for (std::size_t g = 0; g < 5; ++g) d.sci(0, g, 0, 0) = 0.5f * static_cast<float>(g);
    d.sci(0, 1, 1, 1) = nan_f;
    d.dq(0, 1, 0) = dq::HOT;
    m.groupdq(1, 2, 0, 0) = SAT;  // subtracted anyway
    const auto r = subtract_dark_current(m, d);
    CHECK_FALSE(r.outcome.skipped);
    CHECK(m.sci(0, 2, 0, 0) == 99.0f);
    CHECK(m.sci(1, 2, 0, 0) == 99.0f);
    CHECK(m.sci(1, 1, 1, 1) == 100.0f);
    CHECK(m.pixeldq(1, 0) == dq::HOT);
    CHECK_FALSE(r.dark_used);
    CHECK(r.warnings.empty());
}

TEST_CASE("dark_current extrapolates a short dark linearly from its last two planes") {
    RampModel m = make_ramp(1, 5, 1, 2, 100.0f);
    DarkRef d = make_dark(1, 3, 1, 2);
    d.sci(0, 0, 0, 0) = 1.0f;
    d.sci(0, 1, 0, 0) = 2.0f;
    d.sci(0, 2, 0, 0) = 4.0f;  // rate 2 -> 6, 8
    d.sci(0, 1, 0, 1) = 1.0f;
    d.sci(0, 2, 0, 1) = nan_f;  // NaN rate: extrapolated planes are 0, and so is plane 2
    DarkCurrentParams save;
    save.dark_output = "dark_out.fits";
    const auto r = subtract_dark_current(m, d, save);
    CHECK_FALSE(r.outcome.skipped);
    REQUIRE(r.warnings.size() == 1);
    CHECK_THAT(r.warnings[0], Contains("extrapolated by 2"));
    CHECK(m.sci(0, 2, 0, 0) == 96.0f);
    CHECK(m.sci(0, 3, 0, 0) == 94.0f);
    CHECK(m.sci(0, 4, 0, 0) == 92.0f);
    CHECK(m.sci(0, 1, 0, 1) == 99.0f);
    CHECK(m.sci(0, 2, 0, 1) == 100.0f);
    CHECK(m.sci(0, 4, 0, 1) == 100.0f);
    REQUIRE(r.dark_used);
    CHECK(r.dark_used->sci.shape() == std::array<std::size_t, 4>{1, 5, 1, 2});
    CHECK(r.dark_used->sci(0, 4, 0, 0) == 8.0f);

    // Extrapolated dark values are float64 (numpy promotion): subtraction rounds once.
    RampModel p = make_ramp(1, 3, 1, 1, 1.0f);
    DarkRef e = make_dark(1, 2, 1, 1);
    e.sci(0, 0, 0, 0) = 0.0f;
    e.sci(0, 1, 0, 0) = 0.1f;
    subtract_dark_current(p, e);
    CHECK(p.sci(0, 2, 0, 0) == static_cast<float>(1.0 - (1.0 * double(0.1f) + double(0.1f))));

    DarkRef one = make_dark(1, 1, 1, 2);
    RampModel q = make_ramp(1, 2, 1, 2);
    CHECK_THROWS_AS(subtract_dark_current(q, one), orrery::InputError);
}

TEST_CASE("dark_current averages dark frames to the science NFRAMES/GROUPGAP") {
    // Science: 3 groups of 2 frames with 1 skipped -> frames {0,1}, {3,4}, {6,7} of an 8-frame dark.
    RampModel m = make_ramp(1, 3, 1, 1, 100.0f);
    m.meta.nframes = 2;
    m.meta.groupgap = 1;
    DarkRef d = make_dark(1, 8, 1, 1);
    for (std::size_t p = 0; p < 8; ++p) d.sci(0, p, 0, 0) = static_cast<float>(p);
    d.sci(0, 4, 0, 0) = nan_f;  // -> 0 before averaging: (3 + 0) / 2
    DarkCurrentParams save;
    save.dark_output = "avg.fits";
    const auto r = subtract_dark_current(m, d, save);
    CHECK(m.sci(0, 0, 0, 0) == 99.5f);
    CHECK(m.sci(0, 1, 0, 0) == 98.5f);
    CHECK(m.sci(0, 2, 0, 0) == 93.5f);
    REQUIRE(r.dark_used);
    CHECK(r.dark_used->nframes == 2);
    CHECK(r.dark_used->groupgap == 1);
    CHECK(r.dark_used->sci.shape() == std::array<std::size_t, 4>{1, 3, 1, 1});
    CHECK(r.dark_used->sci(0, 2, 0, 0) == 6.5f);
}

TEST_CASE("dark_current is SKIPPED when the dark has larger NFRAMES or GROUPGAP") {
    RampModel m = make_ramp(1, 2, 1, 1, 100.0f);
    DarkRef d = make_dark(1, 4, 1, 1, 1.0f);
    d.nframes = 2;
    d.dq(0, 0, 0) = dq::HOT;
    auto r = subtract_dark_current(m, d, DarkCurrentParams{.dark_output = "x.fits", .average_dark_current = 0.3});
    CHECK(r.outcome.skipped);
    CHECK_THAT(r.outcome.reason, Contains("NFRAMES"));
    CHECK(m.sci(0, 1, 0, 0) == 100.0f);
    CHECK(m.pixeldq(0, 0) == 0u);
    CHECK_FALSE(r.dark_used);
    CHECK(r.average_dark_current(0, 0) == 0.3f);  // still set for ramp_fit

    d.nframes = 1;
    d.groupgap = 1;
    CHECK(subtract_dark_current(m, d).outcome.skipped);
}

TEST_CASE("dark_current average dark current: parameter > AVDRKCUR > AVGDRKCR > 0") {
    RampModel m = make_ramp(1, 1, 1, 2);
    DarkRef d = make_dark(1, 1, 1, 2);
    CHECK(subtract_dark_current(m, d).average_dark_current(0, 1) == 0.0f);
    d.avgdrkcr = 0.25;
    CHECK(subtract_dark_current(m, d).average_dark_current(0, 1) == 0.25f);
    d.avdrkcur.emplace(std::array<std::size_t, 2>{1, 2}, 0.0f);  // all zero: falls back to the scalar
    CHECK(subtract_dark_current(m, d).average_dark_current(0, 0) == 0.25f);
    (*d.avdrkcur)(0, 1) = 0.125f;
    auto r = subtract_dark_current(m, d);
    CHECK(r.average_dark_current(0, 0) == 0.0f);
    CHECK(r.average_dark_current(0, 1) == 0.125f);
    DarkCurrentParams user;
    user.average_dark_current = 0.1;
    CHECK(subtract_dark_current(m, d, user).average_dark_current(0, 0) == 0.1f);
    d.avdrkcur.emplace(std::array<std::size_t, 2>{2, 2}, 1.0f);  // wrong shape: warned, not used
    r = subtract_dark_current(m, d);
    CHECK(r.average_dark_current(0, 0) == 0.0f);
    CHECK(r.warnings.size() == 1);
}

TEST_CASE("dark_current MIRI: integration i uses dark integration i, then the last; INTSTART != 1 uses the last") {
    RampModel m = make_ramp(3, 2, 1, 1, 100.0f);
    DarkRef d = make_dark(2, 2, 1, 1);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t g = 0; g < 2; ++g) d.sci(i, g, 0, 0) = static_cast<float>(10 * (i + 1) + g);
    d.dq.resize({2, 1, 1}, 0u);
    d.dq(0, 0, 0) = dq::HOT;
    d.dq(1, 0, 0) = dq::WARM;
    RampModel late = m;
    subtract_dark_current(m, d);
    CHECK(m.sci(0, 1, 0, 0) == 89.0f);
    CHECK(m.sci(1, 1, 0, 0) == 79.0f);
    CHECK(m.sci(2, 0, 0, 0) == 80.0f);
    CHECK(m.pixeldq(0, 0) == (dq::HOT | dq::WARM));
    late.meta.intstart = 4;
    subtract_dark_current(late, d);
    CHECK(late.sci(0, 0, 0, 0) == 80.0f);
}

TEST_CASE("dark_current rejects bad shapes and NFRAMES") {
    RampModel m = make_ramp(1, 2, 3, 3);
    DarkRef d = make_dark(1, 4, 3, 2);
    d.path = "/refs/dark.fits";
    CHECK_THROWS_WITH(subtract_dark_current(m, d), Contains("DARK") && Contains("/refs/dark.fits") && Contains("(1, 4, 3, 2)") &&
                                                       Contains("(1, 2, 3, 3)"));
    DarkRef ok = make_dark(1, 4, 3, 3);
    m.meta.nframes = 0;
    CHECK_THROWS_WITH(subtract_dark_current(m, ok), Contains("NFRAMES=0"));
    m.meta.nframes = 1;
    ok.nframes = -1;
    CHECK_THROWS_AS(subtract_dark_current(m, ok), orrery::InputError);
}
