// calwebb_detector1 end to end on the golden scenarios: the registered static
// pipeline (references from the scenario's ref/ directory, ipc/refpix and the
// steps the golden chain skipped turned off) reproduces after_jump GROUPDQ and
// the rate / rateints products; the dynamic (registry) path gives identical products.

#include "orrery/jwst.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/rate_io.hpp"

#include "../support/golden_compare.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace orrery;
using namespace orrery::jwst;

namespace {
struct Quiet : Context {
    Quiet() { set_logger(std::make_shared<NullLogger>()); }
};

ParamNode golden_config(const std::string& scenario, const std::vector<std::string>& aliases) {
    ParamNode t = test::golden_skips(scenario, aliases);
    t.set_path("steps.ipc.skip", ParamNode::scalar("True", "test"));
    t.set_path("steps.refpix.skip", ParamNode::scalar("True", "test"));
    return t;
}


/// Captures the ramp after jump (the pipeline's tap point) for the GROUPDQ check.
struct AfterJump {
    static inline RampModel ramp;
    static void keep(RampModel& m, orrery::Context&) { ramp = m; }
};
}  // namespace

ORRERY_REGISTER_HOOK("test.keep_after_jump", AfterJump::keep)

TEST_CASE("calwebb_detector1 reproduces the golden rate and rateints products") {
    for (const std::string scenario : {"clean_small", "cr_sat", "frame_avg"}) {
        INFO(scenario);
        Quiet ctx;
        orrery::stpipe::use_reference_dir(ctx, test::golden_path(scenario + "/ref"));
        auto pipeline = make_pipeline<Detector1Pipeline>();
        ParamNode config = golden_config(scenario, pipeline.aliases());
        config.set_path("steps.jump.post_hooks", ParamNode::scalar("test.keep_after_jump", "test"));
        pipeline.configure(config);

        const RateProducts out = pipeline.run(io::read_ramp(test::golden_path(scenario + "/" + scenario + "_uncal.fits")), ctx);

        fits::FitsReader jump(test::golden_path(scenario + "/expected/after_jump.fits"));
        CHECK(test::dq_mismatches(scenario + " after_jump GROUPDQ", AfterJump::ramp.groupdq, jump.read<std::uint8_t, 4>("GROUPDQ")) == 0);
        CHECK(test::dq_mismatches(scenario + " after_jump PIXELDQ", AfterJump::ramp.pixeldq, jump.read<std::uint32_t, 2>("PIXELDQ")) == 0);

        test::check_rate_product(scenario + " rate", out.rate, io::read_rate(test::golden_path(scenario + "/expected/rate.fits")));
        test::check_rate_product(scenario + " rateints", out.rateints, io::read_rateints(test::golden_path(scenario + "/expected/rateints.fits")));

        CHECK(out.rate.provenance.cal_step.at("jump") == "COMPLETE");
        CHECK(out.rate.provenance.cal_step.at("ramp_fit") == "COMPLETE");
        CHECK(out.rate.provenance.cal_step.at("refpix") == "SKIPPED");
        CHECK(out.rate.provenance.cal_step.at("gain_scale") == "SKIPPED");  // no GAINFACT
        CHECK(out.rate.provenance.cal_step.count("persistence") == 1);
    }
}

TEST_CASE("the registered (type-erased) detector1 gives the same products as the static one") {
    const std::string scenario = "cr_sat";
    Quiet ctx;
    orrery::stpipe::use_reference_dir(ctx, test::golden_path(scenario + "/ref"));
    auto typed = make_pipeline<Detector1Pipeline>();
    const ParamNode config = golden_config(scenario, typed.aliases());
    typed.configure(config);
    auto erased = Registry::instance().create("calwebb_detector1");
    erased->configure(config);
    const RampModel raw = io::read_ramp(test::golden_path(scenario + "/" + scenario + "_uncal.fits"));
    const RateProducts a = typed.run(raw, ctx);
    const RateProducts b = erased->run(AnyValue(raw), ctx).take<RateProducts>();
    auto same_bits = [](const auto& x, const auto& y) {
        return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(*x.data())) == 0;
    };
    CHECK(same_bits(a.rate.sci, b.rate.sci));
    CHECK(same_bits(a.rate.err, b.rate.err));
    CHECK(a.rate.dq == b.rate.dq);
    CHECK(same_bits(a.rateints.var_rnoise, b.rateints.var_rnoise));
}

TEST_CASE("a dynamic pipeline of registered detector1 steps gives the same products") {
    const std::string scenario = "frame_avg";
    Quiet ctx;
    orrery::stpipe::use_reference_dir(ctx, test::golden_path(scenario + "/ref"));
    auto dyn = DynamicPipeline::from_names({"dq_init", "saturation", "superbias", "linearity", "dark_current", "jump", "ramp_fit"}, "d1");
    const RateProducts got = dyn.run_as<RateProducts>(io::read_ramp(test::golden_path(scenario + "/" + scenario + "_uncal.fits")), ctx);
    test::check_rate_product(scenario + " dynamic rate", got.rate, io::read_rate(test::golden_path(scenario + "/expected/rate.fits")));
}

TEST_CASE("MIRI exposures and un-skipped unimplemented steps fail clearly") {
    Quiet ctx;
    orrery::stpipe::use_reference_dir(ctx, test::golden_path("clean_small/ref"));
    RampModel raw = io::read_ramp(test::golden_path("clean_small/clean_small_uncal.fits"));
    auto pipeline = make_pipeline<Detector1Pipeline>();
    pipeline.configure(golden_config("clean_small", pipeline.aliases()));
    {
        RampModel miri = raw;
        miri.meta.instrument = "MIRI";
        CHECK_THROWS_WITH(pipeline.run(std::move(miri), ctx), Catch::Contains("MIRI calwebb_detector1 path is not implemented"));
    }
    {
        // Un-skipping a MIRI-only step changes nothing: MIRI data still stop first, near-IR data never reach it.
        ParamNode t = ParamNode::map();
        t.set_path("steps.emicorr.skip", ParamNode::scalar("False", "test"));
        t.set_path("steps.emicorr.onthefly_corr_freq", ParamNode::scalar("218.52, 10.0", "test"));
        pipeline.configure(t);
        CHECK(pipeline.step<EmiCorrStep>().params.onthefly_corr_freq == std::vector<double>{218.52, 10.0});
        RampModel miri = raw;
        miri.meta.instrument = "MIRI";
        CHECK_THROWS_WITH(pipeline.run(std::move(miri), ctx), Catch::Contains("MIRI calwebb_detector1 path is not implemented"));
        CHECK(pipeline.run(raw, ctx).rate.provenance.cal_step.count("emicorr") == 0);
    }
    auto fails_as_not_implemented = [&](const std::string& alias) {
        try {
            pipeline.run(raw, ctx);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.category() == ErrorCategory::not_supported);
            CHECK_THAT(e.what(), Catch::Contains("step '" + alias + "' is not implemented"));
        }
    };
    ParamNode t = ParamNode::map();
    t.set_path("steps.clean_flicker_noise.skip", ParamNode::scalar("False", "test"));
    t.set_path("steps.clean_flicker_noise.background_method", ParamNode::scalar("None", "test"));
    t.set_path("steps.clean_flicker_noise.background_box_size", ParamNode::scalar("32, 32", "test"));
    pipeline.configure(t);
    CHECK_FALSE(pipeline.step<CleanFlickerNoiseStep>().params.background_method);
    fails_as_not_implemented("clean_flicker_noise");
    t = ParamNode::map();
    t.set_path("steps.clean_flicker_noise.skip", ParamNode::scalar("True", "test"));
    t.set_path("steps.persistence.skip", ParamNode::scalar("False", "--steps.persistence.skip"));
    pipeline.configure(t);
    fails_as_not_implemented("persistence");
}

TEST_CASE("output names strip jwst's own known suffixes: every jwst step's names, and only jwst's list") {
    std::size_t jwst_steps = 0;
    for (const StepInfo& info : Registry::instance().all()) {
        if (info.package != "jwst") continue;
        ++jwst_steps;
        INFO(info.class_name);
        // Each name a jwst step gives its products (alias in a pipeline, class name lower-cased on its own) is in jwst's list.
        CHECK(is_known_suffix(info.alias, "jwst"));
        CHECK(is_known_suffix(default_suffix(class_leaf(info.class_name)), "jwst"));
    }
    CHECK(jwst_steps >= 21);  // calwebb_detector1 and its 20 children
    // Names jwst chains write for steps orrery does not have are stripped too.
    CHECK(remove_known_suffix("jw01_nrca1_tweakregstep", "jwst").root == "jw01_nrca1");
    CHECK(remove_known_suffix("jw01_nrca1_calwebb_wfs-image3", "jwst").root == "jw01_nrca1");
    CHECK(remove_known_suffix("jw01_nrca1_ami-oi", "jwst").root == "jw01_nrca1");
    // Not in jwst's list, so kept as jwst keeps them.
    CHECK(remove_known_suffix("jw01_nrca1_gain_scaleints", "jwst").root == "jw01_nrca1_gain_scaleints");
    CHECK(remove_known_suffix("jw01_nrca1_fitopt", "jwst").root == "jw01_nrca1_fitopt");
    CHECK_FALSE(is_known_suffix("miri_detector1", "jwst"));  // an orrery-only step name
}
