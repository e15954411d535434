// The same run three ways — command-line flag, .cfg file, ASDF file — gives
// identical products and identical parameter digests in the run ledger.
//   strun calwebb_detector1 x_uncal.fits --steps.jump.rejection_threshold=5 --output_dir out
// And the parameter files jwst's --save-parameters writes (tests/data/stpipe: every child
// of Detector1Pipeline with every parameter) load, run as the defaults do, and list the
// same steps and parameters as orrery's own --save-parameters.

#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/rate_io.hpp"
#include "orrery/stpipe/asdf_reader.hpp"

#include "../support/golden_compare.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace orrery;

namespace {
const std::string scenario = "cr_sat";
const std::string golden_refs = " --ref-dir " + test::golden_path(scenario + "/ref");
const std::string golden_uncal = test::golden_path(scenario + "/" + scenario + "_uncal.fits");
const std::string no_ipc_refpix = " --steps.ipc.skip=true --steps.refpix.skip=true";  // no such references in the scenario
const fs::path jwst_saved = fs::path(ORRERY_TEST_DATA_DIR) / "stpipe";

std::string orrery_binary() { return (fs::path(ORRERY_BINARY_DIR) / "bin" / "orrery").string(); }

/// `orrery <args>`, output to work/<name>.log; the exit status.
int orrery_exit(const std::string& name, const std::string& args, const fs::path& work) {
    const std::string command = orrery_binary() + " " + args + " > " + (work / (name + ".log")).string() + " 2>&1";
    INFO(command);
    return std::system(command.c_str());
}

struct Run {
    fs::path out;
    std::map<std::string, std::string> digests;  // step -> params_digest
};

/// `orrery run <what> <input> ... --output_dir work/<out_name>` (default: name), which must succeed.
Run run_orrery(const std::string& name, const std::string& what, const std::string& input, const fs::path& work, const std::string& extra,
               const std::string& out_name = {}) {
    const fs::path out = work / (out_name.empty() ? name : out_name), ledger = work / (name + "_ledger");
    REQUIRE(orrery_exit(name, "run " + what + " " + input + golden_refs + " --output_dir " + out.string() + " --ledger " + ledger.string() +
                                  " --log-stream null" + extra,
                        work) == 0);
    Run r{out, {}};
    for (const auto& entry : fs::directory_iterator(ledger)) {
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            const auto j = nlohmann::json::parse(line);
            if (j.value("record", "") == "step") r.digests[j.at("step").get<std::string>()] = j.at("params_digest").get<std::string>();
        }
    }
    return r;
}

jwst::RateModel rate_of(const Run& r) { return jwst::io::read_rate(r.out / (scenario + "_rate.fits")); }

bool same_bits(const orrery::NdArray<float, 2>& a, const orrery::NdArray<float, 2>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

stpipe::StepConfigDoc read_doc(const fs::path& file) {
    return stpipe::read_step_config(stpipe::parse_yaml(stpipe::read_text_file(file), file.string()), file.string());
}

std::vector<std::string> keys_of(const ParamNode& map) {
    std::vector<std::string> out;
    for (const auto& child : map.children()) out.push_back(child.first);
    std::sort(out.begin(), out.end());
    return out;
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
    const Run flag = run_orrery("flag", "calwebb_detector1", golden_uncal, work, " --steps.jump.rejection_threshold=5" + no_ipc_refpix);
    const Run cfg = run_orrery("cfg", (work / "detector1.cfg").string(), golden_uncal, work, "");
    const Run asdf = run_orrery("asdf", (work / "detector1.asdf").string(), golden_uncal, work, "");

    CHECK(same_bits(rate_of(flag).sci, rate_of(cfg).sci));
    CHECK(same_bits(rate_of(flag).sci, rate_of(asdf).sci));
    CHECK(rate_of(flag).dq == rate_of(cfg).dq);
    CHECK(rate_of(flag).dq == rate_of(asdf).dq);
    REQUIRE(flag.digests.count("jump") == 1);
    CHECK(flag.digests == cfg.digests);
    CHECK(flag.digests == asdf.digests);

    // And the threshold matters: the default run differs in its jump digest.
    const Run plain = run_orrery("plain", "calwebb_detector1", golden_uncal, work, no_ipc_refpix);
    CHECK(plain.digests.at("jump") != flag.digests.at("jump"));
}

TEST_CASE("the calwebb_detector1 parameter file jwst saves runs as the defaults do") {
    const orrery::test::TempDir work("orrery_strun_param_files");
    const Run defaults = run_orrery("defaults", "calwebb_detector1", golden_uncal, work, no_ipc_refpix);
    const Run saved = run_orrery("saved", (jwst_saved / "calwebb_detector1.asdf").string(), golden_uncal, work, no_ipc_refpix);
    const jwst::RateModel a = rate_of(defaults), b = rate_of(saved);
    CHECK(same_bits(a.sci, b.sci));
    CHECK(same_bits(a.err, b.err));
    CHECK(a.dq == b.dq);
    // Every step that ran had the same parameter values: jwst's defaults are orrery's.
    CHECK(defaults.digests.size() == 15);
    CHECK(defaults.digests == saved.digests);
    // The product is named by the pipeline (rate), though the file sets suffix: null as jwst does.
    CHECK(fs::exists(saved.out / (scenario + "_rateints.fits")));
}

TEST_CASE("the step parameter file jwst saves (JumpStep) runs as the defaults do") {
    const orrery::test::TempDir work("orrery_strun_param_files");
    const std::string ramp = test::golden_path(scenario + "/expected/after_dark_current.fits");
    // One output_dir for both (a standalone step's digest covers its output_dir); each product read before the next run.
    const Run defaults = run_orrery("defaults", "jump", ramp, work, "", "out");
    const jwst::RampModel a = jwst::io::read_ramp(defaults.out / "after_jumpstep.fits");
    const Run saved = run_orrery("saved", (jwst_saved / "jump_step.asdf").string(), ramp, work, "", "out");
    const jwst::RampModel b = jwst::io::read_ramp(saved.out / "after_jumpstep.fits");
    CHECK(a.groupdq == b.groupdq);
    CHECK(a.pixeldq == b.pixeldq);
    REQUIRE(defaults.digests.count("jump") == 1);
    CHECK(defaults.digests == saved.digests);
}

TEST_CASE("orrery's --save-parameters lists jwst's steps, in order, with the same parameters and defaults") {
    const orrery::test::TempDir work("orrery_strun_param_files");
    REQUIRE(orrery_exit("save", "strun calwebb_detector1 --log-stream null --save-parameters " + (work / "orrery.asdf").string(), work) == 0);
    const stpipe::StepConfigDoc mine = read_doc(work / "orrery.asdf");
    const stpipe::StepConfigDoc theirs = read_doc(jwst_saved / "calwebb_detector1.asdf");

    auto same_parameters = [](const std::string& step, const ParamNode& a, const ParamNode& b) {
        INFO("step " << step);
        // a key stpipe does not know would be an error there ("Extra value"); a missing one is a parameter not declared here
        CHECK(keys_of(a) == keys_of(b));
        for (const auto& [key, value] : b.children()) {
            INFO("parameter " << key << ": jwst " << value.to_string());
            const ParamNode* own = a.find(key);
            CHECK((own && own->same_values(value)));
        }
    };
    same_parameters("calwebb_detector1", mine.parameters, theirs.parameters);
    std::vector<std::string> mine_steps, theirs_steps;
    for (const auto& s : mine.steps) mine_steps.push_back(s.name);
    for (const auto& s : theirs.steps) theirs_steps.push_back(s.name);
    REQUIRE(theirs_steps.size() == 20);
    REQUIRE(mine_steps == theirs_steps);
    for (std::size_t i = 0; i < mine.steps.size(); ++i) same_parameters(mine.steps[i].name, mine.steps[i].parameters, theirs.steps[i].parameters);
}

TEST_CASE("MIRI-only steps take their parameters on near-IR data and do not run") {
    const orrery::test::TempDir work("orrery_strun_param_files");
    const Run plain = run_orrery("plain", "calwebb_detector1", golden_uncal, work, no_ipc_refpix);
    const std::string miri = " --steps.emicorr.skip=false --steps.emicorr.algorithm=sequential --steps.emicorr.onthefly_corr_freq=218.52,10.0"
                             " --steps.emicorr.use_n_cycles=None --steps.firstframe.skip=false --steps.firstframe.bright_use_group1=false"
                             " --steps.lastframe.skip=false --steps.reset.skip=false --steps.rscd.skip=false";
    const Run asked = run_orrery("asked", "calwebb_detector1", golden_uncal, work, no_ipc_refpix + miri);
    CHECK(same_bits(rate_of(plain).sci, rate_of(asked).sci));
    CHECK(rate_of(plain).dq == rate_of(asked).dq);
    CHECK(plain.digests == asked.digests);  // the same steps ran, with the same parameters
    for (const char* alias : {"emicorr", "firstframe", "lastframe", "reset", "rscd"}) {
        INFO(alias);
        CHECK(asked.digests.count(alias) == 0);  // not reached: no ledger record
        CHECK(rate_of(asked).provenance.cal_step.count(alias) == 0);
    }
    // Their parameters are checked all the same.
    CHECK(orrery_exit("bad", "run calwebb_detector1 " + golden_uncal + golden_refs + " --dry-run --steps.emicorr.algorithm=bogus", work) != 0);
    CHECK(orrery_exit("good", "run calwebb_detector1 " + golden_uncal + golden_refs + " --dry-run --steps.emicorr.algorithm=joint", work) == 0);
}
