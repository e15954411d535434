// The registered step types (not just the kernels) reproduce the golden vectors
// up to dark_current when run as a static pipeline with references resolved from
// a reference directory; status keys and reference provenance are recorded.

#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/steps/dark_current.hpp"
#include "orrery/jwst/steps/dq_init.hpp"
#include "orrery/jwst/steps/group_scale.hpp"
#include "orrery/jwst/steps/linearity.hpp"
#include "orrery/jwst/steps/saturation.hpp"
#include "orrery/jwst/steps/superbias.hpp"

#include "../support/golden_compare.hpp"

#include <catch2/catch.hpp>

using namespace orrery;
using namespace orrery::jwst;

namespace {
struct Quiet : Context {
    Quiet() { set_logger(std::make_shared<NullLogger>()); }
};
}  // namespace

TEST_CASE("step types reproduce after_dark_current for every golden scenario") {
    for (const std::string scenario : {"clean_small", "cr_sat", "frame_avg"}) {
        INFO(scenario);
        Quiet ctx;
        orrery::stpipe::use_reference_dir(ctx, test::golden_path(scenario + "/ref"));
        auto chain = orrery::pipeline<"upto_dark">(GroupScaleStep{}, DQInitStep{}, SaturationStep{}, SuperBiasStep{}, LinearityStep{},
                                                   DarkCurrentStep{});
        chain.configure(test::golden_skips(scenario, chain.aliases()));
        RampModel out = chain.run(io::read_ramp(test::golden_path(scenario + "/" + scenario + "_uncal.fits")), ctx);

        fits::FitsReader expected(test::golden_path(scenario + "/expected/after_dark_current.fits"));
        CHECK(test::dq_mismatches(scenario + " PIXELDQ", out.pixeldq, expected.read<std::uint32_t, 2>("PIXELDQ")) == 0);
        CHECK(test::dq_mismatches(scenario + " GROUPDQ", out.groupdq, expected.read<std::uint8_t, 4>("GROUPDQ")) == 0);
        const auto sci = test::compare_floats(scenario + " SCI", out.sci, expected.read<float, 4>("SCI"));
        CHECK(sci.max_rel <= test::golden_tolerance::ramp_sci);
        CHECK(sci.nan_mismatches == 0);

        CHECK(out.provenance.cal_step.at("dq_init") == "COMPLETE");
        CHECK(out.provenance.cal_step.at("saturation") == "COMPLETE");
        CHECK(out.provenance.cal_step.at("dark_sub") == "COMPLETE");
        CHECK(out.provenance.cal_step.at("group_scale") == "SKIPPED");  // skipped by the golden chain
        CHECK_THAT(out.provenance.ref_file.at("mask"), Catch::EndsWith(scenario + "/ref/mask.fits"));
    }
}

TEST_CASE("override_<reftype>=N/A skips the step and records SKIPPED") {
    Quiet ctx;
    orrery::stpipe::use_reference_dir(ctx, test::golden_path("clean_small/ref"));
    auto chain = orrery::pipeline<"two">(DQInitStep{}, SuperBiasStep{});
    ParamNode t = ParamNode::map();
    t.set_path("steps.superbias.override_superbias", ParamNode::scalar("N/A", "test"));
    chain.configure(t);
    const RampModel raw = io::read_ramp(test::golden_path("clean_small/clean_small_uncal.fits"));
    RampModel out = chain.run(raw, ctx);
    CHECK(out.provenance.cal_step.at("superbias") == "SKIPPED");
    CHECK(out.sci == raw.sci);
}

TEST_CASE("a missing reference directory entry is an input error naming the reference type") {
    Quiet ctx;
    orrery::stpipe::use_reference_dir(ctx, ORRERY_TEST_DATA_DIR "/core_refs");
    auto chain = orrery::pipeline<"one">(DQInitStep{});
    try {
        chain.run(io::read_ramp(test::golden_path("clean_small/clean_small_uncal.fits")), ctx);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::input_data);
        CHECK_THAT(e.what(), Catch::StartsWith("step 'dq_init': no 'mask' reference file"));
    }
}
