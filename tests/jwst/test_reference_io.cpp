// read_reference for every reference struct on the golden files, subarray cuts
// (contained and not), DQ_DEF translation and the dark's rank handling.

#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/reference_io.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace orrery;
using namespace orrery::jwst;

namespace {
std::string golden(const std::string& rel) { return std::string(ORRERY_TEST_DATA_DIR) + "/golden/" + rel; }

ModelBase science_at(int x0, int y0, int nx, int ny) {
    ModelBase m;
    m.filename = "sci_uncal.fits";
    m.meta.instrument = "NIRCAM";
    m.meta.substrt1 = x0;
    m.meta.substrt2 = y0;
    m.meta.subsize1 = nx;
    m.meta.subsize2 = ny;
    return m;
}
}  // namespace

TEST_CASE("read_reference: every golden reference of cr_sat") {
    const auto sci = io::read_ramp(golden("cr_sat/cr_sat_uncal.fits"));
    const std::string d = golden("cr_sat/ref/");

    const auto mask = io::read_reference<MaskRef>(d + "mask.fits", sci);
    CHECK(mask.dq.shape() == std::array<std::size_t, 2>{48, 40});
    double s = 0;
    for (auto v : mask.dq) s += v;
    CHECK(s == 9219.0);
    CHECK(mask.path == d + "mask.fits");
    CHECK(mask.geometry.subsize1 == 40);
    CHECK(mask.geometry.subsize2 == 48);
    CHECK(mask.primary.get_string("REFTYPE") == "MASK");

    const auto sat = io::read_reference<SaturationRef>(d + "saturation.fits", sci);
    CHECK(sat.sci(7, 5) == 57620.523f);
    CHECK(sat.dq.shape() == std::array<std::size_t, 2>{48, 40});

    const auto bias = io::read_reference<SuperbiasRef>(d + "superbias.fits", sci);
    CHECK(bias.sci(7, 5) == 12088.95f);

    const auto lin = io::read_reference<LinearityRef>(d + "linearity.fits", sci);
    CHECK(lin.coeffs.shape() == std::array<std::size_t, 3>{4, 48, 40});
    CHECK(lin.coeffs(3, 7, 5) == 1e-11f);

    const auto dark = io::read_reference<DarkRef>(d + "dark.fits", sci);
    CHECK(dark.sci.shape() == std::array<std::size_t, 4>{1, 14, 48, 40});
    CHECK(dark.sci(0, 3, 7, 5) == 0.22166389f);
    CHECK(dark.dq.shape() == std::array<std::size_t, 3>{1, 48, 40});
    CHECK(dark.nframes == 1);
    CHECK(dark.groupgap == 0);
    CHECK(!dark.avgdrkcr);
    CHECK(!dark.avdrkcur);

    const auto gain = io::read_reference<GainRef>(d + "gain.fits", sci);
    CHECK(gain.sci(7, 5) == 1.9731901f);
    CHECK(!gain.gain_factor);
    int nan = 0;
    for (auto v : gain.sci) nan += std::isnan(v);
    CHECK(nan == 3);  // n_nan_gain in scenario.json

    const auto rn = io::read_reference<ReadnoiseRef>(d + "readnoise.fits", sci);
    CHECK(rn.sci(7, 5) == 8.06361f);
}

TEST_CASE("read_reference: a science subarray inside the reference is cut out") {
    const std::string path = golden("cr_sat/ref/superbias.fits");
    const auto full = io::read_reference<SuperbiasRef>(path, science_at(1, 1, 40, 48));
    // science columns 3..12 (1-based), rows 5..24
    const auto cut = io::read_reference<SuperbiasRef>(path, science_at(3, 5, 10, 20));
    REQUIRE(cut.sci.shape() == std::array<std::size_t, 2>{20, 10});
    REQUIRE(cut.dq.shape() == std::array<std::size_t, 2>{20, 10});
    std::size_t mismatches = 0;
    for (std::size_t y = 0; y < 20; ++y)
        for (std::size_t x = 0; x < 10; ++x) {
            mismatches += cut.sci(y, x) != full.sci(y + 4, x + 2);
            mismatches += cut.dq(y, x) != full.dq(y + 4, x + 2);
        }
    CHECK(mismatches == 0);
    // jwst keeps the reference's own geometry on the cut-out
    CHECK(cut.geometry.substrt1 == 1);
    CHECK(cut.geometry.subsize1 == 40);

    const auto dark = io::read_reference<DarkRef>(golden("cr_sat/ref/dark.fits"), science_at(3, 5, 10, 20));
    CHECK(dark.sci.shape() == std::array<std::size_t, 4>{1, 14, 20, 10});
    const auto dark_full = io::read_reference<DarkRef>(golden("cr_sat/ref/dark.fits"), science_at(1, 1, 40, 48));
    CHECK(dark.sci(0, 13, 19, 9) == dark_full.sci(0, 13, 23, 11));
}

TEST_CASE("read_reference: a science subarray not contained is a clear error") {
    const std::string path = golden("cr_sat/ref/superbias.fits");
    try {
        (void)io::read_reference<SuperbiasRef>(path, science_at(35, 1, 10, 48));
        FAIL("no error");
    } catch (const orrery::InputError& e) {
        const std::string msg = e.what();
        INFO(msg);
        CHECK(msg.find(path) == 0);
        CHECK(msg.find("does not contain") != std::string::npos);
        CHECK(msg.find("SUBSTRT1=35") != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
    }
    CHECK_THROWS_AS(io::read_reference<MaskRef>(golden("cr_sat/ref/mask.fits"), science_at(1, 40, 40, 10)), orrery::InputError);
    ModelBase unknown;  // no SUBSIZE: cannot place the reference
    CHECK_THROWS_WITH(io::read_reference<MaskRef>(golden("cr_sat/ref/mask.fits"), unknown),
                      Catch::Contains("science subarray size"));
}

TEST_CASE("DQ_DEF translation folds file bits onto standard flags") {
    NdArray<std::uint32_t, 2> dq({1, 6});
    dq[0] = 0; dq[1] = 1; dq[2] = 2; dq[3] = 4; dq[4] = 1 | 4; dq[5] = 8;
    io::DqDef def = {{1, "DEAD"}, {2, "NOT_A_FLAG"}, {4, "HOT"}, {12, "NO_SAT_CHECK"}, {4, "RESERVED_4"}};
    io::translate_dq(dq, def);
    CHECK(dq[0] == 0u);
    CHECK(dq[1] == dq::DEAD);
    CHECK(dq[2] == 0u);  // unknown name ignored
    CHECK(dq[3] == (dq::HOT | dq::NO_SAT_CHECK | dq::CHARGELOSS));
    CHECK(dq[4] == (dq::DEAD | dq::HOT | dq::NO_SAT_CHECK | dq::CHARGELOSS));
    CHECK(dq[5] == dq::NO_SAT_CHECK);  // (8 & 12) != 0
}
