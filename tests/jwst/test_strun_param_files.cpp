// The same run three ways — command-line flag, .cfg file, ASDF file — gives
// identical products and identical parameter digests in the run ledger.
//   strun calwebb_detector1 x_uncal.fits --steps.jump.rejection_threshold=5 --output_dir out
// And the products' names, as jwst names them: parameter files as jwst writes them
// (suffix: null, name), output_file, saved children, indices, steps on their own, chains.

#include "orrery/jwst/io/rate_io.hpp"

#include "../support/golden_compare.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

namespace fs = std::filesystem;
using namespace orrery;

namespace {
struct Run {
    jwst::RateModel rate;
    std::map<std::string, std::string> digests;  // step -> params_digest
};

Run run_strun(const std::string& name, const std::string& first_arg, const fs::path& work) {
    const fs::path out = work / name, ledger = work / (name + "_ledger");
    const std::string scenario = "cr_sat";
    const std::string command = (fs::path(ORRERY_BINARY_DIR) / "bin" / "orrery").string() + " run " + first_arg + " " +
                                test::golden_path(scenario + "/" + scenario + "_uncal.fits") + " --ref-dir " +
                                test::golden_path(scenario + "/ref") + " --output_dir " + out.string() + " --ledger " + ledger.string() +
                                " --log-stream null" + (first_arg == "calwebb_detector1"
                                                            ? " --steps.jump.rejection_threshold=5 --steps.ipc.skip=true --steps.refpix.skip=true"
                                                            : "") +
                                " > " + (work / (name + ".log")).string() + " 2>&1";
    INFO(command);
    REQUIRE(std::system(command.c_str()) == 0);
    Run r{jwst::io::read_rate(out / (scenario + "_rate.fits")), {}};
    for (const auto& entry : fs::directory_iterator(ledger)) {
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            const auto j = nlohmann::json::parse(line);
            if (j.value("record", "") == "step") r.digests[j.at("step").get<std::string>()] = j.at("params_digest").get<std::string>();
        }
    }
    return r;
}

bool same_bits(const orrery::NdArray<float, 2>& a, const orrery::NdArray<float, 2>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

TEST_CASE("a flag, a .cfg file and an ASDF file configure identical runs") {
    const orrery::test::TempDir work("orrery_strun_param_files");
    {
        std::ofstream cfg(work / "detector1.cfg");
        cfg << "name = \"calwebb_detector1\"\nclass = \"jwst.pipeline.Detector1Pipeline\"\n\n[steps]\n"
               "  [[jump]]\n    rejection_threshold = 5\n  [[ipc]]\n    skip = True\n  [[refpix]]\n    skip = True\n";
        std::ofstream asdf(work / "detector1.asdf");
        asdf << "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n"
                "class: jwst.pipeline.Detector1Pipeline\nname: calwebb_detector1\nparameters: {}\nsteps:\n"
                "- class: jwst.jump.JumpStep\n  name: jump\n  parameters:\n    rejection_threshold: 5.0\n"
                "- class: jwst.ipc.IPCStep\n  name: ipc\n  parameters:\n    skip: true\n"
                "- class: jwst.refpix.RefPixStep\n  name: refpix\n  parameters:\n    skip: true\n...\n";
    }
    const Run flag = run_strun("flag", "calwebb_detector1", work);
    const Run cfg = run_strun("cfg", (work / "detector1.cfg").string(), work);
    const Run asdf = run_strun("asdf", (work / "detector1.asdf").string(), work);

    CHECK(same_bits(flag.rate.sci, cfg.rate.sci));
    CHECK(same_bits(flag.rate.sci, asdf.rate.sci));
    CHECK(flag.rate.dq == cfg.rate.dq);
    CHECK(flag.rate.dq == asdf.rate.dq);
    REQUIRE(flag.digests.count("jump") == 1);
    CHECK(flag.digests == cfg.digests);
    CHECK(flag.digests == asdf.digests);

    // And the threshold matters: the default run differs in its jump digest.
    const Run plain = run_strun("plain", "calwebb_detector1 --steps.ipc.skip=true --steps.refpix.skip=true", work);
    CHECK(plain.digests.at("jump") != flag.digests.at("jump"));
}

// ---- output names, as jwst names them ---------------------------------------------------

namespace {
const std::string asdf_header = "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n";

/// `orrery strun ARGS` in `work` on the clean_small scenario's references; the files it leaves there.
std::set<std::string> strun_in(const fs::path& work, const std::string& args) {
    std::set<std::string> before;
    for (const auto& e : fs::recursive_directory_iterator(work)) before.insert(fs::relative(e.path(), work).string());
    const std::string command = "cd " + work.string() + " && " + (fs::path(ORRERY_BINARY_DIR) / "bin" / "orrery").string() + " strun " + args +
                                " --ref-dir " + test::golden_path("clean_small/ref") + " --log-level WARNING --no-progress > strun.log 2>&1";
    INFO(command);
    const int rc = std::system(command.c_str());
    std::ifstream log(work / "strun.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    INFO(text);
    REQUIRE(rc == 0);
    std::set<std::string> made;
    for (const auto& e : fs::recursive_directory_iterator(work)) {
        const std::string name = fs::relative(e.path(), work).string();
        if (!before.count(name) && name != "strun.log" && e.is_regular_file()) made.insert(name);
    }
    return made;
}
std::string log_of(const fs::path& work) {
    std::ifstream in(work / "strun.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
const std::string uncal = test::golden_path("clean_small/clean_small_uncal.fits");
const std::string no_ipc_refpix = " --steps.ipc.skip=true --steps.refpix.skip=true";
}  // namespace

TEST_CASE("a jwst-saved pipeline file (suffix: null everywhere) still gives _rate and _rateints; children their alias") {
    const test::TempDir work("orrery_strun_names");
    {
        std::ofstream f(work / "detector1.asdf");
        f << asdf_header
          << "class: jwst.pipeline.calwebb_detector1.Detector1Pipeline\nname: Detector1Pipeline\nparameters:\n  input_dir: ''\n"
             "  output_dir: null\n  output_ext: .fits\n  output_file: null\n  output_use_index: true\n  output_use_model: false\n"
             "  post_hooks: []\n  pre_hooks: []\n  save_calibrated_ramp: false\n  save_results: false\n  search_output_file: true\n"
             "  skip: false\n  suffix: null\nsteps:\n- class: jwst.jump.jump_step.JumpStep\n  name: jump\n  parameters:\n"
             "    save_results: true\n    suffix: null\n    output_file: null\n...\n";
    }
    CHECK(strun_in(work, "detector1.asdf " + uncal + no_ipc_refpix) ==
          std::set<std::string>{"clean_small_rate.fits", "clean_small_rateints.fits", "clean_small_jump.fits"});
    // jwst's calwebb_detector1 names its products itself: a suffix parameter does not change them.
    CHECK(strun_in(work, "detector1.asdf " + uncal + no_ipc_refpix + " --suffix=mine --output_dir=out") ==
          std::set<std::string>{"out/clean_small_rate.fits", "out/clean_small_rateints.fits", "out/clean_small_jump.fits"});
    CHECK_THAT(log_of(work), Catch::Matchers::Contains("suffix 'mine' is not used: calwebb_detector1 names its product with 'rate'"));
}

TEST_CASE("output_file, saved children and their indices are named as jwst names them") {
    const test::TempDir work("orrery_strun_names");
    CHECK(strun_in(work, "calwebb_detector1 " + uncal + no_ipc_refpix +
                             " --output_file=stage1 --steps.ramp_fit.save_results=true --steps.gain_scale.save_results=true"
                             " --steps.dq_init.save_results=true --steps.jump.output_file=mine") ==
          std::set<std::string>{"stage1_rate.fits", "stage1_rateints.fits", "stage1_0_ramp_fit.fits", "stage1_1_ramp_fit.fits",
                                "stage1_gain_scale.fits", "stage1_gain_scaleints.fits", "stage1_dq_init.fits", "mine_jump.fits"});
    // output_use_model: the product's own file name, without the index (the second result replaces the first, as in stpipe).
    CHECK(strun_in(work, "calwebb_detector1 " + uncal + no_ipc_refpix + " --output_dir=model --steps.ramp_fit.save_results=true"
                             " --steps.ramp_fit.output_use_model=true") ==
          std::set<std::string>{"model/clean_small_rate.fits", "model/clean_small_rateints.fits", "model/clean_small_ramp_fit.fits"});
    CHECK_NOTHROW(jwst::io::read_rateints(work / "model" / "clean_small_ramp_fit.fits"));  // 3-D: the rateints result
}

TEST_CASE("a step on its own: <root>_<class name lower-cased>, or the name its parameter file gives") {
    const test::TempDir work("orrery_strun_names");
    CHECK(strun_in(work, "jwst.dq_init.DQInitStep " + uncal) == std::set<std::string>{"clean_small_dqinitstep.fits"});
    {
        std::ofstream f(work / "jump_params.asdf");
        f << asdf_header << "class: jwst.jump.jump_step.JumpStep\nname: jump\nparameters:\n  rejection_threshold: 5.0\n  suffix: null\n...\n";
    }
    CHECK(strun_in(work, "jump_params.asdf clean_small_dqinitstep.fits") == std::set<std::string>{"clean_small_jump.fits"});
    CHECK(strun_in(work, "jwst.jump.JumpStep clean_small_dqinitstep.fits") == std::set<std::string>{"clean_small_jumpstep.fits"});
    {
        std::ofstream f(work / "my_jump.asdf");  // no name: the file's stem
        f << asdf_header << "class: jwst.jump.JumpStep\nparameters:\n  rejection_threshold: 5.0\n...\n";
    }
    CHECK(strun_in(work, "my_jump.asdf clean_small_dqinitstep.fits") == std::set<std::string>{"clean_small_my_jump.fits"});
    // ramp_fit's two results carry their index; its optional product is "<opt_name root>_fitopt".
    CHECK(strun_in(work, "jwst.ramp_fitting.RampFitStep clean_small_jump.fits --save_opt=true --opt_name=opt.fits --output_dir=fit") ==
          std::set<std::string>{"fit/clean_small_0_rampfitstep.fits", "fit/clean_small_1_rampfitstep.fits", "fit/opt_fitopt.fits"});
}

TEST_CASE("chaining single steps through files replaces the suffix, with jwst's list of known suffixes") {
    const test::TempDir work("orrery_strun_names");
    CHECK(strun_in(work, "jwst.dq_init.DQInitStep " + uncal) == std::set<std::string>{"clean_small_dqinitstep.fits"});
    CHECK(strun_in(work, "jwst.saturation.SaturationStep clean_small_dqinitstep.fits") ==
          std::set<std::string>{"clean_small_saturationstep.fits"});
    // A name written by a jwst step orrery does not have is stripped too; one jwst does not list is kept.
    fs::copy_file(work / "clean_small_saturationstep.fits", work / "x_tweakregstep.fits");
    fs::copy_file(work / "clean_small_saturationstep.fits", work / "y_gain_scaleints.fits");
    CHECK(strun_in(work, "jwst.superbias.SuperBiasStep x_tweakregstep.fits") == std::set<std::string>{"x_superbiasstep.fits"});
    CHECK(strun_in(work, "jwst.superbias.SuperBiasStep y_gain_scaleints.fits") ==
          std::set<std::string>{"y_gain_scaleints_superbiasstep.fits"});
}
