// ramp_fit (OLS_C): synthetic ramps with hand-computed expectations, and the golden
// vectors: for each scenario the ramp is SCI of expected/after_dark_current.fits with
// PIXELDQ/GROUPDQ of expected/after_jump.fits and the _uncal metadata; rate and rateints
// must match expected/rate*.fits: DQ bit for bit, NaN at the same places, SCI/ERR/
// VAR_POISSON/VAR_RNOISE within tests/support/golden_tolerances.hpp.
#include "orrery/jwst/algorithms/ramp_fit.hpp"

#include "orrery/core/errors.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/rate_io.hpp"
#include "orrery/jwst/io/reference_io.hpp"
#include "orrery/jwst/models.hpp"

#include "../support/golden_compare.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

using namespace orrery;
using namespace orrery::jwst;
namespace dqf = orrery::jwst::dq;

namespace {

constexpr double kTg = 10.0;     // TGROUP = TFRAME [s]
constexpr float kGain = 2.0f;    // e-/DN
constexpr float kRn = 5.0f;      // DN (CDS)

/// A (nints, ngroups, 1, nx) ramp with v = 100 + 5 g (0.5 DN/s) everywhere, NIRCam timing.
RampModel make_ramp(std::size_t nints, std::size_t ngroups, std::size_t nx = 1) {
    RampModel r;
    r.filename = "synthetic_ramp.fits";
    r.meta.instrument = "NIRCAM";
    r.meta.nints = static_cast<int>(nints);
    r.meta.ngroups = static_cast<int>(ngroups);
    r.meta.nframes = 1;
    r.meta.groupgap = 0;
    r.meta.tframe = kTg;
    r.meta.tgroup = kTg;
    r.sci.resize({nints, ngroups, 1, nx});
    r.groupdq.resize({nints, ngroups, 1, nx});
    r.pixeldq.resize({1, nx});
    for (std::size_t i = 0; i < nints; ++i)
        for (std::size_t g = 0; g < ngroups; ++g)
            for (std::size_t x = 0; x < nx; ++x) r.sci(i, g, 0, x) = 100.0f + 5.0f * static_cast<float>(g);
    return r;
}

GainRef make_gain(std::size_t nx = 1, float value = kGain) {
    GainRef g;
    g.sci.resize({1, nx}, value);
    return g;
}

ReadnoiseRef make_readnoise(std::size_t nx = 1) {
    ReadnoiseRef r;
    r.sci.resize({1, nx}, kRn);
    return r;
}

/// R = RN * gain / sqrt(2 nframes), rounded to float32, as the fit uses it.
double R() { return static_cast<double>(static_cast<float>(double(kRn) * (double(kGain) / std::sqrt(2.0)))); }

/// Read-noise variance of an n-group segment (n >= 3).
double var_r_long(int n) { return 12.0 * (R() / kTg) * (R() / kTg) / ((double(n) * n * n - n) * double(kGain) * kGain); }
double var_r_short(double t) { return 12.0 * (R() / t) * (R() / t) / (6.0 * double(kGain) * kGain); }
/// Poisson variance of an n-group segment for median rate mr.
double var_p_long(double mr, int n, double dark = 0.0) { return (mr + dark) / (kTg * kGain * (n - 1)); }

RampFitResult fit(const RampModel& ramp, const RampFitParams& p = {}, const AverageDarkCurrent& dark = {},
                  const GainRef* gain = nullptr) {
    const std::size_t nx = ramp.nx();
    const GainRef g = gain ? *gain : make_gain(nx);
    return fit_ramps(ramp, g, make_readnoise(nx), p, dark);
}

}  // namespace

TEST_CASE("ramp_fit: a clean linear ramp gives the exact slope and the textbook variances") {
    RampModel ramp = make_ramp(1, 10);
    ramp.primary.set("TELESCOP", "JWST");
    ramp.provenance.cal_step["jump"] = "COMPLETE";
    const RampFitResult res = fit(ramp);
    const RateModel& rate = res.products.rate;
    const RateIntsModel& ints = res.products.rateints;

    REQUIRE(rate.sci.shape() == std::array<std::size_t, 2>{1, 1});
    REQUIRE(ints.sci.shape() == std::array<std::size_t, 3>{1, 1, 1});
    const double vp = var_p_long(0.5, 10), vr = var_r_long(10);
    CHECK(rate.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(rate.dq[0] == 0u);
    CHECK(rate.var_poisson[0] == Approx(vp).epsilon(1e-6));
    CHECK(rate.var_rnoise[0] == Approx(vr).epsilon(1e-6));
    CHECK(rate.err[0] == Approx(std::sqrt(vp + vr)).epsilon(1e-6));
    CHECK(ints.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(ints.err[0] == Approx(std::sqrt(vp + vr)).epsilon(1e-6));
    CHECK(ints.var_rnoise[0] == Approx(vr).epsilon(1e-6));
    CHECK(ints.dq[0] == 0u);
    // Metadata travels to both products; no fitopt without save_opt.
    CHECK(rate.filename == "synthetic_ramp.fits");
    CHECK(ints.primary.get_string("TELESCOP") == "JWST");
    CHECK(rate.provenance.cal_step.at("jump") == "COMPLETE");
    CHECK_FALSE(rate.meta.gain_factor.has_value());
    CHECK_FALSE(res.fitopt.has_value());
}

TEST_CASE("ramp_fit: the gain reference's GAINFACT reaches both products") {
    GainRef g = make_gain();
    g.gain_factor = 2.5;
    const RampFitResult res = fit(make_ramp(1, 5), {}, {}, &g);
    CHECK(res.products.rate.meta.gain_factor == 2.5);
    CHECK(res.products.rateints.meta.gain_factor == 2.5);
}

TEST_CASE("ramp_fit: a jump starts the next segment and the segments combine by read-noise weight") {
    RampModel ramp = make_ramp(1, 10);
    for (std::size_t g = 5; g < 10; ++g) ramp.sci(0, g, 0, 0) += 1000.0f;
    ramp.groupdq(0, 5, 0, 0) = dqf::JUMP_DET;
    const RampFitResult res = fit(ramp);
    // Segments [0,5) and [5,10): the jump group is the first point of the second.
    const double vr = 1.0 / (2.0 / var_r_long(5));
    const double vp = 1.0 / (2.0 / var_p_long(0.5, 5));
    CHECK(res.products.rate.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(res.products.rate.var_rnoise[0] == Approx(vr).epsilon(1e-6));
    CHECK(res.products.rate.var_poisson[0] == Approx(vp).epsilon(1e-6));
    CHECK(res.products.rate.dq[0] == dqf::JUMP_DET);
    CHECK(res.products.rateints.dq[0] == dqf::JUMP_DET);
    CHECK(res.products.rateints.sci[0] == Approx(0.5).epsilon(1e-6));
}

TEST_CASE("ramp_fit: segments follow the OLS_C rules") {
    using rampfit::find_ramp_segments;
    rampfit::RampSegment s[12];
    SECTION("jump group prepended, DNU group not") {
        const std::uint32_t f[8] = {0, 0, 0, dqf::JUMP_DET, 0, 0, dqf::DO_NOT_USE, 0};
        const auto c = find_ramp_segments(f, 8, s);
        // [0,3), [3,6); the trailing single good group is dropped.
        REQUIRE(c.kept == 2);
        CHECK((s[0].start == 0 && s[0].length == 3));
        CHECK((s[1].start == 3 && s[1].length == 3));
    }
    SECTION("PERSISTENCE alone is good, JUMP|PERSISTENCE still starts a segment") {
        const std::uint32_t f[6] = {0, dqf::PERSISTENCE, 0, dqf::JUMP_DET | dqf::PERSISTENCE, 0, 0};
        const auto c = find_ramp_segments(f, 6, s);
        REQUIRE(c.kept == 2);
        CHECK((s[0].start == 0 && s[0].length == 3));
        CHECK((s[1].start == 3 && s[1].length == 3));
    }
    SECTION("all length 1: keep the first, report them all") {
        const std::uint32_t f[5] = {0, dqf::DO_NOT_USE, 0, dqf::DO_NOT_USE, 0};
        const auto c = find_ramp_segments(f, 5, s);
        CHECK(c.kept == 1);
        CHECK(c.reported == 3);
        CHECK((s[0].start == 0 && s[0].length == 1));
    }
    SECTION("a leading length-1 segment is pruned when a longer one follows") {
        const std::uint32_t f[5] = {0, dqf::DO_NOT_USE, 0, 0, 0};
        const auto c = find_ramp_segments(f, 5, s);
        REQUIRE(c.kept == 1);
        CHECK(c.reported == 1);
        CHECK((s[0].start == 2 && s[0].length == 3));
    }
}

TEST_CASE("ramp_fit: partial saturation flags SATURATED but keeps the slope") {
    RampModel ramp = make_ramp(1, 10);
    for (std::size_t g = 6; g < 10; ++g) {
        ramp.groupdq(0, g, 0, 0) = dqf::SATURATED;
        ramp.sci(0, g, 0, 0) = 65000.0f;
    }
    const RampFitResult res = fit(ramp);
    CHECK(res.products.rate.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(res.products.rate.dq[0] == dqf::SATURATED);
    CHECK(res.products.rateints.dq[0] == dqf::SATURATED);
    CHECK(res.products.rate.var_rnoise[0] == Approx(var_r_long(6)).epsilon(1e-6));
    CHECK(res.products.rate.var_poisson[0] == Approx(var_p_long(0.5, 6)).epsilon(1e-6));
}

TEST_CASE("ramp_fit: saturated from group 0") {
    SECTION("in one pixel: NaN slope, DNU|SATURATED, zero variances") {
        RampModel ramp = make_ramp(1, 6, 2);
        for (std::size_t g = 0; g < 6; ++g) ramp.groupdq(0, g, 0, 1) = dqf::SATURATED;
        const RampFitResult res = fit(ramp);
        const auto& rate = res.products.rate;
        CHECK(std::isnan(rate.sci[1]));
        CHECK(rate.dq[1] == (dqf::DO_NOT_USE | dqf::SATURATED));
        CHECK(rate.err[1] == 0.0f);
        CHECK(rate.var_poisson[1] == 0.0f);
        CHECK(rate.var_rnoise[1] == 0.0f);
        CHECK(std::isnan(res.products.rateints.sci[1]));
        CHECK(res.products.rateints.dq[1] == (dqf::DO_NOT_USE | dqf::SATURATED));
        CHECK(rate.sci[0] == Approx(0.5).epsilon(1e-6));
    }
    SECTION("in every pixel of every integration: no product") {
        RampModel ramp = make_ramp(2, 4, 2);
        for (auto& f : ramp.groupdq) f = dqf::SATURATED;
        CHECK_THROWS_AS(fit(ramp), orrery::NoScienceError);
    }
}

TEST_CASE("ramp_fit: one good group") {
    RampModel ramp = make_ramp(1, 10);
    for (std::size_t g = 1; g < 10; ++g) ramp.groupdq(0, g, 0, 0) = dqf::SATURATED;
    SECTION("suppressed by default: DO_NOT_USE, NaN") {
        const RampFitResult res = fit(ramp);
        CHECK(std::isnan(res.products.rate.sci[0]));
        CHECK(res.products.rate.dq[0] == (dqf::DO_NOT_USE | dqf::SATURATED));
        CHECK(res.products.rateints.dq[0] == (dqf::DO_NOT_USE | dqf::SATURATED));
        CHECK(res.products.rate.var_rnoise[0] == 0.0f);
    }
    SECTION("kept with suppress_one_group=false: group 0 over (nframes+1) tframe / 2") {
        RampFitParams p;
        p.suppress_one_group = false;
        const RampFitResult res = fit(ramp, p);
        const double t1 = (1.0 + 1.0) * kTg / 2.0;
        const double mr = 100.0 / t1;
        CHECK(res.products.rate.sci[0] == Approx(100.0 / t1).epsilon(1e-6));
        CHECK(res.products.rate.dq[0] == dqf::SATURATED);
        CHECK(res.products.rate.var_rnoise[0] == Approx(var_r_short(t1)).epsilon(1e-6));
        CHECK(res.products.rate.var_poisson[0] == Approx(mr / (t1 * kGain)).epsilon(1e-6));
    }
}

TEST_CASE("ramp_fit: ZEROFRAME stands in for a fully saturated ramp when suppression is off") {
    RampModel ramp = make_ramp(1, 4, 2);
    for (std::size_t g = 0; g < 4; ++g) ramp.groupdq(0, g, 0, 1) = dqf::SATURATED;
    ramp.zeroframe = NdArray<float, 3>({1, 1, 2}, 0.0f);
    (*ramp.zeroframe)(0, 0, 1) = 40.0f;
    RampFitParams p;
    p.suppress_one_group = false;
    const RampFitResult res = fit(ramp, p);
    CHECK(res.products.rate.sci[1] == Approx(40.0 / kTg).epsilon(1e-6));  // over TFRAME
    CHECK(res.products.rate.dq[1] == dqf::SATURATED);
    CHECK(res.products.rate.var_rnoise[1] == Approx(var_r_short(kTg)).epsilon(1e-6));
    // With suppression on (default) ZEROFRAME is not used.
    const RampFitResult def = fit(ramp);
    CHECK(std::isnan(def.products.rate.sci[1]));
}

TEST_CASE("ramp_fit: firstgroup/lastgroup restrict the fit") {
    RampModel ramp = make_ramp(1, 10);
    ramp.sci(0, 0, 0, 0) = -5000.0f;
    ramp.sci(0, 1, 0, 0) = 9000.0f;
    ramp.sci(0, 8, 0, 0) = 0.0f;
    ramp.sci(0, 9, 0, 0) = 1.0e5f;
    RampFitParams p;
    p.firstgroup = 2;
    p.lastgroup = 7;
    const RampFitResult res = fit(ramp, p);
    CHECK(res.products.rate.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(res.products.rate.var_rnoise[0] == Approx(var_r_long(6)).epsilon(1e-6));
    CHECK(res.products.rate.dq[0] == 0u);
    CHECK(ramp.groupdq(0, 0, 0, 0) == 0u);  // input untouched

    SECTION("firstgroup >= lastgroup: selectors ignored, with a note") {
        RampModel clean = make_ramp(1, 10);
        RampFitParams q;
        q.firstgroup = 5;
        q.lastgroup = 3;
        const RampFitResult r2 = fit(clean, q);
        CHECK(r2.products.rate.var_rnoise[0] == Approx(var_r_long(10)).epsilon(1e-6));
        CHECK_FALSE(r2.notes.empty());
    }
}

TEST_CASE("ramp_fit: bad gain gives DO_NOT_USE|NO_GAIN_VALUE and NaN") {
    RampModel ramp = make_ramp(1, 5, 2);
    GainRef g = make_gain(2);
    g.sci(0, 1) = std::nanf("");
    const RampFitResult res = fit(ramp, {}, {}, &g);
    CHECK(std::isnan(res.products.rate.sci[1]));
    CHECK(res.products.rate.dq[1] == (dqf::DO_NOT_USE | dqf::NO_GAIN_VALUE));
    CHECK(res.products.rateints.dq[1] == (dqf::DO_NOT_USE | dqf::NO_GAIN_VALUE));
    CHECK(res.products.rate.sci[0] == Approx(0.5).epsilon(1e-6));
}

TEST_CASE("ramp_fit: PIXELDQ bits propagate; DO_NOT_USE in PIXELDQ gives NaN") {
    RampModel ramp = make_ramp(1, 5, 2);
    ramp.pixeldq(0, 0) = dqf::HOT;
    ramp.pixeldq(0, 1) = dqf::DEAD | dqf::DO_NOT_USE;
    const RampFitResult res = fit(ramp);
    CHECK(res.products.rate.dq[0] == dqf::HOT);
    CHECK(res.products.rate.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(res.products.rate.dq[1] == (dqf::DEAD | dqf::DO_NOT_USE));
    CHECK(std::isnan(res.products.rate.sci[1]));
    CHECK(res.products.rateints.dq[1] == (dqf::DEAD | dqf::DO_NOT_USE));
}

TEST_CASE("ramp_fit: the average dark current adds to the Poisson variance") {
    RampModel ramp = make_ramp(1, 10, 2);
    const RampFitResult scalar = fit(ramp, {}, AverageDarkCurrent::uniform(0.25f));
    CHECK(scalar.products.rate.var_poisson[0] == Approx(var_p_long(0.5, 10, 0.25)).epsilon(1e-6));
    NdArray<float, 2> dc({1, 2}, 0.0f);
    dc(0, 1) = 1.5f;
    const RampFitResult array = fit(ramp, {}, AverageDarkCurrent::from_array(dc));
    CHECK(array.products.rate.var_poisson[0] == Approx(var_p_long(0.5, 10)).epsilon(1e-6));
    CHECK(array.products.rate.var_poisson[1] == Approx(var_p_long(0.5, 10, 1.5)).epsilon(1e-6));
}

TEST_CASE("ramp_fit: integrations combine into the exposure rate") {
    RampModel ramp = make_ramp(2, 10);
    for (std::size_t g = 0; g < 10; ++g) ramp.sci(1, g, 0, 0) = 100.0f + 10.0f * static_cast<float>(g);
    const RampFitResult res = fit(ramp);
    CHECK(res.products.rateints.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(res.products.rateints.sci[1] == Approx(1.0).epsilon(1e-6));
    CHECK(res.products.rate.sci[0] == Approx(0.75).epsilon(1e-6));
    CHECK(res.products.rate.var_rnoise[0] == Approx(var_r_long(10) / 2).epsilon(1e-6));
    // Median rate is the mean of the integration medians.
    const double vp = 1.0 / (2.0 / var_p_long(0.75, 10));
    CHECK(res.products.rate.var_poisson[0] == Approx(vp).epsilon(1e-6));
    CHECK(res.products.rateints.var_poisson[0] == Approx(var_p_long(0.75, 10)).epsilon(1e-6));
}

TEST_CASE("ramp_fit: CHARGELOSS recomputes the read-noise variance from the unsplit ramp") {
    RampModel ramp = make_ramp(1, 10);
    ramp.groupdq(0, 5, 0, 0) = dqf::CHARGELOSS | dqf::DO_NOT_USE;
    const RampFitResult res = fit(ramp);
    // Slope from segments [0,5) and [6,10); read noise as if one 10-group segment.
    CHECK(res.products.rate.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(res.products.rate.var_rnoise[0] == Approx(var_r_long(10)).epsilon(1e-6));
    CHECK(res.products.rateints.var_rnoise[0] == Approx(var_r_long(10)).epsilon(1e-6));
    // ERR keeps the split-ramp variances; CHARGELOSS itself is not propagated.
    const double vr_split = 1.0 / (1.0 / var_r_long(5) + 1.0 / var_r_long(4));
    const double vp_split = 1.0 / (1.0 / var_p_long(0.5, 5) + 1.0 / var_p_long(0.5, 4));
    CHECK(res.products.rate.err[0] == Approx(std::sqrt(vp_split + vr_split)).epsilon(1e-6));
    CHECK(res.products.rate.dq[0] == 0u);
}

TEST_CASE("ramp_fit: MIRI leading/trailing all-DO_NOT_USE groups are discarded") {
    RampModel ramp = make_ramp(1, 8, 2);
    ramp.meta.instrument = "MIRI";
    for (std::size_t x = 0; x < 2; ++x) {
        ramp.groupdq(0, 0, 0, x) = dqf::DO_NOT_USE;
        ramp.groupdq(0, 7, 0, x) = dqf::DO_NOT_USE;
    }
    ramp.groupdq(0, 1, 0, 1) = dqf::JUMP_DET;  // the new first group: its jump is dropped
    const RampFitResult res = fit(ramp);
    CHECK(res.products.rate.sci[0] == Approx(0.5).epsilon(1e-6));
    CHECK(res.products.rate.var_rnoise[0] == Approx(var_r_long(6)).epsilon(1e-6));
    CHECK(res.products.rate.dq[1] == 0u);
    CHECK(res.products.rate.var_rnoise[1] == Approx(var_r_long(6)).epsilon(1e-6));

    SECTION("fewer than 2 groups left: no product") {
        RampModel m = make_ramp(1, 3, 1);
        m.meta.instrument = "MIRI";
        m.groupdq(0, 0, 0, 0) = dqf::DO_NOT_USE;
        m.groupdq(0, 2, 0, 0) = dqf::DO_NOT_USE;
        CHECK_THROWS_AS(fit(m), orrery::NoScienceError);
    }
}

TEST_CASE("ramp_fit: save_opt returns the fitopt product") {
    RampModel ramp = make_ramp(1, 10);
    for (std::size_t g = 5; g < 10; ++g) ramp.sci(0, g, 0, 0) += 1000.0f;
    ramp.groupdq(0, 5, 0, 0) = dqf::JUMP_DET;
    RampFitParams p;
    p.save_opt = true;
    const RampFitResult res = fit(ramp, p);
    REQUIRE(res.fitopt.has_value());
    const FitOptModel& o = *res.fitopt;
    REQUIRE(o.slope.shape() == std::array<std::size_t, 4>{1, 2, 1, 1});
    REQUIRE(o.crmag.shape() == std::array<std::size_t, 4>{1, 1, 1, 1});
    CHECK(o.slope[0] == Approx(0.5).epsilon(1e-6));
    CHECK(o.slope[1] == Approx(0.5).epsilon(1e-6));
    CHECK(o.yint[0] == Approx(100.0).epsilon(1e-6));
    CHECK(o.yint[1] == Approx(1100.0).epsilon(1e-6));
    CHECK(o.var_rnoise[0] == Approx(var_r_long(5)).epsilon(1e-6));
    CHECK(o.weights[0] == Approx(1.0 / var_r_long(5)).epsilon(1e-6));
    CHECK(o.crmag[0] == Approx(1005.0).epsilon(1e-6));
    // pedestal = v0 - slope * ((nframes+1)/2 + DRPFRMS1) / (nframes + GROUPGAP)
    CHECK(o.pedestal[0] == Approx(100.0 - 0.5 * 1.0).epsilon(1e-6));
    CHECK(o.filename == ramp.filename);
}

TEST_CASE("ramp_fit: algorithm choice") {
    const RampModel ramp = make_ramp(1, 5);
    RampFitParams p;
    p.algorithm = "LIKELY";
    CHECK_THROWS_AS(fit(ramp, p), orrery::NotSupportedError);
    CHECK_THROWS_WITH(fit(ramp, p), "ramp_fit: algorithm 'LIKELY' is not supported in this version; use OLS_C");
    p.algorithm = "WLS";
    CHECK_THROWS_AS(fit(ramp, p), orrery::ParameterError);
    const RampFitParams defaults;
    CHECK(defaults.algorithm == "OLS_C");
    CHECK(defaults.suppress_one_group);
    CHECK_FALSE(defaults.save_opt);
    CHECK(defaults.maximum_cores == "1");
    CHECK_FALSE(defaults.firstgroup.has_value());
}

TEST_CASE("ramp_fit: inconsistent inputs are input errors") {
    RampModel ramp = make_ramp(1, 5, 2);
    GainRef g = make_gain(3);
    CHECK_THROWS_AS(fit(ramp, {}, {}, &g), orrery::InputError);
    ramp.meta.tgroup = 0.0;
    CHECK_THROWS_AS(fit(ramp), orrery::InputError);
}

TEST_CASE("ramp_fit: the ramp's own average_dark_current is used unless one is passed") {
    RampModel ramp = make_ramp(1, 10, 2);
    ramp.average_dark_current = NdArray<float, 2>({1, 2}, 0.0f);
    ramp.average_dark_current(0, 1) = 1.5f;
    const RampFitResult own = fit_ramps(ramp, make_gain(2), make_readnoise(2), RampFitParams{});
    CHECK(own.products.rate.var_poisson[0] == Approx(var_p_long(0.5, 10)).epsilon(1e-6));
    CHECK(own.products.rate.var_poisson[1] == Approx(var_p_long(0.5, 10, 1.5)).epsilon(1e-6));
    const RampFitResult given = fit_ramps(ramp, make_gain(2), make_readnoise(2), RampFitParams{}, AverageDarkCurrent::uniform(0.25f));
    CHECK(given.products.rate.var_poisson[1] == Approx(var_p_long(0.5, 10, 0.25)).epsilon(1e-6));
    ramp.average_dark_current = NdArray<float, 2>({2, 2}, 0.0f);
    CHECK_THROWS_AS(fit_ramps(ramp, make_gain(2), make_readnoise(2), RampFitParams{}), orrery::InputError);
}

TEST_CASE("ramp_fit: a single-group ramp uses the first-group time") {
    const RampModel ramp = make_ramp(1, 1);  // suppression never applies to one group
    const RampFitResult res = fit(ramp);
    const double t1 = (1.0 + 1.0) * kTg / 2.0;
    CHECK(res.products.rate.sci[0] == Approx(100.0 / t1).epsilon(1e-6));
    CHECK(res.products.rate.var_rnoise[0] == Approx(var_r_short(t1)).epsilon(1e-6));
    CHECK(res.products.rate.dq[0] == 0u);
}

TEST_CASE("ramp_fit: row ranges fit independently and match a whole-image fit") {
    RampModel ramp = make_ramp(2, 8, 3);
    ramp.sci.resize({2, 8, 4, 3});
    ramp.groupdq.resize({2, 8, 4, 3});
    ramp.pixeldq.resize({4, 3});
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t g = 0; g < 8; ++g)
            for (std::size_t y = 0; y < 4; ++y)
                for (std::size_t x = 0; x < 3; ++x)
                    ramp.sci(i, g, y, x) = 50.0f + static_cast<float>((y * 3 + x + 1) * g) + 0.25f * static_cast<float>((g * 7 + y) % 3);
    ramp.groupdq(0, 4, 1, 2) = dqf::JUMP_DET;
    ramp.groupdq(1, 6, 3, 0) = dqf::SATURATED;
    ramp.groupdq(1, 7, 3, 0) = dqf::SATURATED;
    GainRef gain = make_gain(3);
    gain.sci.resize({4, 3}, kGain);
    ReadnoiseRef rn = make_readnoise(3);
    rn.sci.resize({4, 3}, kRn);
    RampFitParams p;
    p.save_opt = true;
    const RampFitResult whole = fit_ramps(ramp, gain, rn, p);

    const auto plan = rampfit::make_ramp_fit_plan(ramp, p);
    const AverageDarkCurrent none;
    const rampfit::RampFitSources src{ramp, gain.sci, rn.sci, rampfit::DarkCurrentView::of(none)};
    int segs = 0, crs = 0;
    rampfit::count_fitopt_rows(plan, src, 0, 2, segs, crs);
    rampfit::count_fitopt_rows(plan, src, 2, 4, segs, crs);
    RampFitResult parts;
    rampfit::allocate_ramp_fit_outputs(plan, ramp, gain, parts, segs, crs);
    rampfit::RampFitOutputs out{parts.products.rate, parts.products.rateints, &*parts.fitopt};
    rampfit::fit_ramp_rows(plan, src, 2, 4, out);  // any order
    rampfit::fit_ramp_rows(plan, src, 0, 2, out);
    CHECK(parts.products.rate.sci == whole.products.rate.sci);
    CHECK(parts.products.rate.dq == whole.products.rate.dq);
    CHECK(parts.products.rateints.err == whole.products.rateints.err);
    CHECK(parts.fitopt->slope == whole.fitopt->slope);
    CHECK(parts.fitopt->crmag == whole.fitopt->crmag);
}

// ---------------------------------------------------------------------------
// Golden vectors

namespace {

std::string golden(const std::string& rel) { return orrery::test::golden_path(rel); }

template <class A>
bool same_bits(const A& a, const A& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(*a.data())) == 0;
}

RampModel golden_ramp(const std::string& scenario) {
    RampModel ramp = io::read_ramp(golden(scenario + "/" + scenario + "_uncal.fits"));
    fits::FitsReader dark(golden(scenario + "/expected/after_dark_current.fits"));
    fits::FitsReader jump(golden(scenario + "/expected/after_jump.fits"));
    ramp.sci = dark.read<float, 4>("SCI");
    ramp.pixeldq = jump.read<std::uint32_t, 2>("PIXELDQ");
    ramp.groupdq = jump.read<std::uint8_t, 4>("GROUPDQ");
    return ramp;
}

}  // namespace

TEST_CASE("ramp_fit: golden vectors") {
    for (const std::string scenario : {"clean_small", "cr_sat", "frame_avg"}) {
        DYNAMIC_SECTION(scenario) {
            const RampModel ramp = golden_ramp(scenario);
            const auto gain = io::read_reference<GainRef>(golden(scenario + "/ref/gain.fits"), ramp);
            const auto readnoise = io::read_reference<ReadnoiseRef>(golden(scenario + "/ref/readnoise.fits"), ramp);
            const RampFitResult res = fit_ramps(ramp, gain, readnoise, RampFitParams{}, AverageDarkCurrent::uniform(0.0f));
            const RateModel want_rate = io::read_rate(golden(scenario + "/expected/rate.fits"));
            const RateIntsModel want_ints = io::read_rateints(golden(scenario + "/expected/rateints.fits"));
            orrery::test::check_rate_product(scenario + " rate", res.products.rate, want_rate);
            orrery::test::check_rate_product(scenario + " rateints", res.products.rateints, want_ints);

            // The fast rows (vectorised clean pixels) give the reference's bits.
            const AverageDarkCurrent zero = AverageDarkCurrent::uniform(0.0f);
            const auto plan = rampfit::make_ramp_fit_plan(ramp, RampFitParams{});
            const rampfit::RampFitSources src{ramp, gain.sci, readnoise.sci, rampfit::DarkCurrentView::of(zero)};
            RampFitResult fast;
            rampfit::allocate_ramp_fit_outputs(plan, ramp, gain, fast);
            rampfit::fit_ramp_rows_fast(plan, src, 0, plan.ny, rampfit::RampFitOutputs{fast.products.rate, fast.products.rateints});
            CHECK(same_bits(fast.products.rate.sci, res.products.rate.sci));
            CHECK(same_bits(fast.products.rate.err, res.products.rate.err));
            CHECK(same_bits(fast.products.rate.var_poisson, res.products.rate.var_poisson));
            CHECK(same_bits(fast.products.rate.var_rnoise, res.products.rate.var_rnoise));
            CHECK(same_bits(fast.products.rate.dq, res.products.rate.dq));
            CHECK(same_bits(fast.products.rateints.sci, res.products.rateints.sci));
            CHECK(same_bits(fast.products.rateints.err, res.products.rateints.err));
            CHECK(same_bits(fast.products.rateints.dq, res.products.rateints.dq));
        }
    }
}
