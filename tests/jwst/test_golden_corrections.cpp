// Golden vectors for the ramp corrections: each scenario's _uncal file runs through
// dq_init -> saturation -> superbias -> linearity -> dark_current with the kernels, and
// after every step the arrays are compared with expected/after_<step>.fits (the extensions
// that file has): PIXELDQ and GROUPDQ bit for bit, SCI within golden_tolerance::ramp_sci (bit-exact).

#include "orrery/jwst/algorithms/dark_current.hpp"
#include "orrery/jwst/algorithms/dq_init.hpp"
#include "orrery/jwst/algorithms/gain_scale.hpp"
#include "orrery/jwst/algorithms/group_scale.hpp"
#include "orrery/jwst/algorithms/linearity.hpp"
#include "orrery/jwst/algorithms/saturation.hpp"
#include "orrery/jwst/algorithms/superbias.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/reference_io.hpp"

#include "../support/golden_compare.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>

using namespace orrery;
using namespace orrery::jwst;

namespace {

std::string golden(const std::string& rel) { return orrery::test::golden_path(rel); }
using orrery::test::dq_mismatches;

/// Compare the model with expected/after_<step>.fits, extension by extension.
void compare_with_golden(const std::string& scenario, const std::string& step, const RampModel& m) {
    fits::FitsReader r(golden(scenario + "/expected/after_" + step + ".fits"));
    const std::string label = scenario + " after_" + step;
    bool any = false;
    if (r.has("PIXELDQ")) {
        any = true;
        CHECK(dq_mismatches(label + " PIXELDQ", m.pixeldq, r.read<std::uint32_t, 2>("PIXELDQ")) == 0);
    }
    if (r.has("GROUPDQ")) {
        any = true;
        CHECK(dq_mismatches(label + " GROUPDQ", m.groupdq, r.read<std::uint8_t, 4>("GROUPDQ")) == 0);
    }
    if (r.has("SCI")) {
        any = true;
        const auto d = orrery::test::compare_floats(label + " SCI", m.sci, r.read<float, 4>("SCI"));
        INFO(label << " SCI max relative difference " << d.max_rel);
        CHECK(d.nan_mismatches == 0);
        CHECK(d.max_rel <= orrery::test::golden_tolerance::ramp_sci);
    }
    CHECK(any);
}

void run_scenario(const std::string& scenario) {
    RampModel m = io::read_ramp(golden(scenario + "/" + scenario + "_uncal.fits"));
    const std::string ref = golden(scenario + "/ref/");
    const auto mask = io::read_reference<MaskRef>(ref + "mask.fits", m);
    const auto sat = io::read_reference<SaturationRef>(ref + "saturation.fits", m);
    const auto bias = io::read_reference<SuperbiasRef>(ref + "superbias.fits", m);
    const auto lin = io::read_reference<LinearityRef>(ref + "linearity.fits", m);
    const auto dark = io::read_reference<DarkRef>(ref + "dark.fits", m);

    // scenario.json lists group_scale and gain_scale as skipped, so the chain does not run them.
    // What they would do on these headers: gain_scale has no GAINFACT anywhere -> skipped;
    // group_scale skips where FRMDIVSR == NFRAMES (1/1), but frame_avg's header says
    // NFRAMES=4, FRMDIVSR=1, so jwst (and the kernel) would scale it by 1/4.
    RampModel scaled = m;
    const StepOutcome gs = apply_group_scale(scaled);
    std::cout << scenario << " group_scale would be " << (gs.skipped ? "skipped: " + gs.reason : std::string("applied")) << "\n";
    if (scenario == "frame_avg") {
        CHECK_FALSE(gs.skipped);
        CHECK(scaled.sci[0] == m.sci[0] * 0.25f);
    } else {
        CHECK(gs.skipped);
    }
    RateModel rate;
    rate.meta = m.meta;
    rate.sci.resize({m.ny(), m.nx()}, 1.0f);
    const auto gain = io::read_reference<GainRef>(ref + "gain.fits", m);
    CHECK(apply_gain_scale(rate, &gain).skipped);

    initialize_dq(m, mask, DqInitParams{});
    compare_with_golden(scenario, "dq_init", m);

    flag_saturation(m, sat, &bias, SaturationParams{.n_pix_grow_sat = 1, .use_readpatt = true});  // scenario.json
    compare_with_golden(scenario, "saturation", m);

    subtract_superbias(m, bias);
    compare_with_golden(scenario, "superbias", m);

    correct_linearity(m, lin);
    compare_with_golden(scenario, "linearity", m);

    const DarkCurrentResult dr = subtract_dark_current(m, dark, DarkCurrentParams{});
    CHECK_FALSE(dr.outcome.skipped);
    CHECK(dr.average_dark_current.shape() == std::array<std::size_t, 2>{m.ny(), m.nx()});
    for (float v : dr.average_dark_current) CHECK(v == 0.0f);  // README: average dark current 0
    compare_with_golden(scenario, "dark_current", m);
}

}  // namespace

TEST_CASE("golden corrections: clean_small") { run_scenario("clean_small"); }
TEST_CASE("golden corrections: cr_sat") { run_scenario("cr_sat"); }
TEST_CASE("golden corrections: frame_avg") { run_scenario("frame_avg"); }
