// The same run three ways — command-line flag, .cfg file, ASDF file — gives
// identical products and identical parameter digests in the run ledger.
//   strun calwebb_detector1 x_uncal.fits --steps.jump.rejection_threshold=5 --output_dir out
// And the parameter files jwst's --save-parameters writes (tests/data/stpipe: every child
// of Detector1Pipeline with every parameter) load, run as the defaults do, and list the
// same steps and parameters as orrery's own --save-parameters.
// And the products' names, as jwst names them: parameter files as jwst writes them
// (suffix: null, name), output_file, saved children, indices, steps on their own, chains.

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
#include <iterator>
#include <map>
#include <set>
#include <string>

#include <sys/wait.h>

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

// ---- strun as jwst users type it ------------------------------------------------------

namespace {
struct Outcome {
    int status = -1;
    std::string log;
};

/// `<program> <args> <cr_sat input> --ref-dir ... --output_dir <out>`; the exit status and the log.
Outcome run_program(const std::string& program, const std::string& args, const fs::path& work, const std::string& tag) {
    const std::string scenario = "cr_sat";
    const fs::path log = work / (tag + ".log");
    const std::string command = (fs::path(ORRERY_BINARY_DIR) / "bin" / program).string() + " " + args + " " +
                                test::golden_path(scenario + "/" + scenario + "_uncal.fits") + " --ref-dir " + test::golden_path(scenario + "/ref") +
                                " --output_dir " + (work / tag).string() + " --no-progress > " + log.string() + " 2>&1";
    INFO(command);
    const int raw = std::system(command.c_str());
    REQUIRE(WIFEXITED(raw));
    std::ifstream in(log);
    return {WEXITSTATUS(raw), std::string(std::istreambuf_iterator<char>(in), {})};
}

jwst::RateModel rate_of(const fs::path& work, const std::string& tag) { return jwst::io::read_rate(work / tag / "cr_sat_rate.fits"); }

const std::string near_ir = " --steps.ipc.skip=true --steps.refpix.skip=true";
}  // namespace

TEST_CASE("class names as Python import paths: package path, module path and jwst.step, on the command line and in files") {
    const orrery::test::TempDir work("orrery_strun_import_paths");
    REQUIRE(run_program("strun", "calwebb_detector1" + near_ir + " --steps.jump.rejection_threshold=5", work, "alias").status == 0);
    REQUIRE(run_program("strun", "jwst.pipeline.calwebb_detector1.Detector1Pipeline" + near_ir + " --steps.jump.rejection_threshold=5", work,
                        "module")
                .status == 0);
    {
        // As jwst's --save-parameters names the classes: by their module paths.
        std::ofstream asdf(work / "saved.asdf");
        asdf << "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n"
                "class: jwst.pipeline.calwebb_detector1.Detector1Pipeline\nname: Detector1Pipeline\nparameters: {save_calibrated_ramp: false}\n"
                "steps:\n"
                "- class: jwst.jump.jump_step.JumpStep\n  name: jump\n  parameters:\n    rejection_threshold: 5.0\n"
                "- class: jwst.ipc.ipc_step.IPCStep\n  name: ipc\n  parameters:\n    skip: true\n"
                "- class: jwst.step.RefPixStep\n  name: refpix\n  parameters:\n    skip: true\n...\n";
    }
    REQUIRE(run_program("strun", (work / "saved.asdf").string(), work, "file").status == 0);
    const auto alias = rate_of(work, "alias");
    CHECK(same_bits(alias.sci, rate_of(work, "module").sci));
    CHECK(same_bits(alias.sci, rate_of(work, "file").sci));
    CHECK(alias.dq == rate_of(work, "file").dq);
    // A single step by its module path.
    const auto step = run_program("strun", "jwst.dq_init.dq_init_step.DQInitStep", work, "step");
    CHECK(step.status == 0);
    CHECK(fs::exists(work / "step" / "cr_sat_dqinitstep.fits"));
}

TEST_CASE("values as stpipe reads them, literal quotes removed, and options shortened to a unique prefix") {
    const orrery::test::TempDir work("orrery_strun_values");
    REQUIRE(run_program("strun", "calwebb_detector1" + near_ir + " --steps.jump.rejection_threshold=5", work, "full").status == 0);
    // As jwst's regression tests write them: quotes that reach strun literally.
    REQUIRE(run_program("strun", "calwebb_detector1 --steps.ipc.skip=true --steps.refpix.skip=true \"--steps.jump.rejection_threshold='5'\"", work,
                        "quoted")
                .status == 0);
    REQUIRE(run_program("strun", "calwebb_detector1 --steps.ipc.sk=true --steps.refpix.skip=true --steps.jump.rejection_thr=5 --log-st=null", work,
                        "short")
                .status == 0);
    const auto full = rate_of(work, "full");
    CHECK(same_bits(full.sci, rate_of(work, "quoted").sci));
    CHECK(same_bits(full.sci, rate_of(work, "short").sci));
    // 'N/A' in quotes is still "no reference": the step is skipped, as with N/A.
    const auto na = run_program("strun", "calwebb_detector1" + near_ir + " \"--steps.linearity.override_linearity='N/A'\"", work, "na");
    CHECK(na.status == 0);
    CHECK_THAT(na.log, Catch::Matchers::Contains("Step linearity skipped: no LINEARITY reference file (N/A)"));
    // A prefix of several options is refused, naming them.
    const auto ambiguous = run_program("strun", "calwebb_detector1" + near_ir + " --steps.jump.after_jump=1", work, "ambiguous");
    CHECK(ambiguous.status == 2);
    CHECK_THAT(ambiguous.log, Catch::Matchers::Contains("ambiguous option: --steps.jump.after_jump could match --steps.jump.after_jump_flag_dn1"));
}

TEST_CASE("strun exits as stpipe does (1 for every error, 2 for a command line its parser rejects) and orrery strun keeps its codes") {
    const orrery::test::TempDir work("orrery_strun_exit");
    // An input error: orrery's code 3, stpipe's 1.
    const auto missing_ref = " --steps.ipc.skip=false --steps.ipc.override_ipc=" + (work / "no_such_ipc.fits").string();
    CHECK(run_program("strun", "calwebb_detector1" + missing_ref, work, "input").status == 1);
    CHECK(run_program("orrery strun", "calwebb_detector1" + missing_ref, work, "input_orrery").status == 3);
    // A bad value (stpipe's configobj validation: an exception, 1); orrery's 2.
    CHECK(run_program("strun", "calwebb_detector1 --steps.jump.rejection_threshold=abc", work, "value").status == 1);
    CHECK(run_program("orrery strun", "calwebb_detector1 --steps.jump.rejection_threshold=abc", work, "value_orrery").status == 2);
    // Unknown options are argparse errors in stpipe: 2.
    const auto unknown = run_program("strun", "calwebb_detector1 --steps.jump.no_such_parameter=1", work, "unknown");
    CHECK(unknown.status == 2);
    CHECK_THAT(unknown.log, Catch::Matchers::Contains("no_such_parameter"));
    // An unknown class: 1.
    CHECK(run_program("strun", "jwst.nothing.NothingStep", work, "class").status == 1);
    // Success is 0 either way; nothing was written by the failed runs.
    CHECK(run_program("strun", "calwebb_detector1" + near_ir, work, "ok").status == 0);
    CHECK_FALSE(fs::exists(work / "input" / "cr_sat_rate.fits"));
}

TEST_CASE("strun -v turns on the steps' DEBUG records: plans, thresholds and counts") {
    const orrery::test::TempDir work("orrery_strun_verbose");
    const auto quiet = run_program("strun", "calwebb_detector1" + near_ir, work, "quiet");
    const auto verbose = run_program("strun", "calwebb_detector1" + near_ir + " -v", work, "verbose");
    REQUIRE(quiet.status == 0);
    REQUIRE(verbose.status == 0);
    CHECK_THAT(quiet.log, !Catch::Matchers::Contains(" - DEBUG - "));
    CHECK_THAT(verbose.log, Catch::Matchers::Contains("saturation - DEBUG - Saturation: nints=2, ngroups=12"));
    CHECK_THAT(verbose.log, Catch::Matchers::Contains("pixels flagged SATURATED"));
    CHECK_THAT(verbose.log, Catch::Matchers::Contains("jump - DEBUG - Jump: rejection thresholds 4.0 / 6.0 / 5.0 sigma"));
    CHECK_THAT(verbose.log, Catch::Matchers::Contains("pixels flagged JUMP_DET"));
    CHECK_THAT(verbose.log, Catch::Matchers::Contains("ramp_fit - DEBUG - Running the OLS_C slope fitter"));
    CHECK_THAT(verbose.log, Catch::Matchers::Contains("dark_current - DEBUG - Dark: science"));
    // The products do not depend on the log level.
    CHECK(same_bits(rate_of(work, "quiet").sci, rate_of(work, "verbose").sci));
}

TEST_CASE("skipping ramp_fit gives the calibrated ramp as root_ramp.fits, as in jwst") {
    const orrery::test::TempDir work("orrery_strun_skip_ramp_fit");
    const auto skipped = run_program("strun", "calwebb_detector1" + near_ir + " --steps.ramp_fit.skip=True", work, "skipped");
    REQUIRE(skipped.status == 0);
    CHECK_THAT(skipped.log, Catch::Matchers::Contains("Step ramp_fit skipped."));
    CHECK_THAT(skipped.log, Catch::Matchers::Contains("cr_sat_ramp.fits"));
    std::vector<std::string> written;
    for (const auto& e : fs::directory_iterator(work / "skipped")) written.push_back(e.path().filename().string());
    CHECK(written == std::vector<std::string>{"cr_sat_ramp.fits"});  // no rate, no rateints

    // The same ramp that save_calibrated_ramp writes just before ramp_fit.
    REQUIRE(run_program("strun", "calwebb_detector1" + near_ir + " --save_calibrated_ramp=True", work, "saved").status == 0);
    const auto ramp = jwst::io::read_ramp(work / "skipped" / "cr_sat_ramp.fits");
    const auto before_fit = jwst::io::read_ramp(work / "saved" / "cr_sat_ramp.fits");
    REQUIRE(ramp.sci.shape() == before_fit.sci.shape());
    CHECK(std::memcmp(ramp.sci.data(), before_fit.sci.data(), ramp.sci.size() * sizeof(float)) == 0);
    CHECK(ramp.groupdq == before_fit.groupdq);
    CHECK(ramp.pixeldq == before_fit.pixeldq);
    CHECK(ramp.primary.get_string("S_RAMP") == "SKIPPED");
    CHECK(ramp.primary.get_string("S_JUMP") == "COMPLETE");
    // orrery run's step selection may now leave ramp_fit out too.
    const auto to_jump = run_program("orrery run", "calwebb_detector1" + near_ir + " --to jump --ledger " + (work / "ledger").string(), work, "to_jump");
    CHECK(to_jump.status == 0);
    CHECK(fs::exists(work / "to_jump" / "cr_sat_ramp.fits"));
}

TEST_CASE("the examples of jwst's parameter-file documentation load and run (config_asdf, config_cfg)") {
    const orrery::test::TempDir work("orrery_strun_doc_examples");
    const std::string preamble = "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n";
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(work / name) << text;
        return (work / name).string();
    };
    // A step's file as export_config writes it: library and history blocks, block-style parameters.
    const auto step_file = write("jump.asdf", preamble +
        "asdf_library: !core/software-1.0.0 {author: Space Telescope Science Institute, homepage: 'http://github.com/spacetelescope/asdf',\n"
        "  name: asdf, version: 2.7.3}\n"
        "history:\n  extensions:\n  - !core/extension_metadata-1.0.0\n    extension_class: asdf.extension.BuiltinExtension\n"
        "    software: !core/software-1.0.0 {name: asdf, version: 2.7.3}\n"
        "class: jwst.jump.jump_step.JumpStep\nname: JumpStep\nparameters:\n  input_dir: ''\n  output_ext: .fits\n"
        "  output_use_index: true\n  output_use_model: false\n  post_hooks: []\n  pre_hooks: []\n  rejection_threshold: 5.0\n"
        "  save_results: false\n  search_output_file: true\n  skip: false\n...\n");
    // The same parameters in flow style.
    const auto flow_file = write("flow.asdf", preamble +
        "class: jwst.jump.jump_step.JumpStep\nname: JumpStep\nparameters: {rejection_threshold: 5.0, three_group_rejection_threshold: 6.0,\n"
        "  flag_4_neighbors: true, skip: false}\n...\n");
    // A pipeline's file whose steps are named by their class only, one of them skipped.
    const auto pipeline_file = write("pipeline.asdf", preamble +
        "class: jwst.pipeline.Detector1Pipeline\nparameters: {}\nsteps:\n"
        "- class: jwst.ipc.ipc_step.IPCStep\n  parameters:\n    skip: true\n"
        "- class: jwst.refpix.refpix_step.RefPixStep\n  parameters:\n    skip: true\n"
        "- class: jwst.jump.jump_step.JumpStep\n  parameters:\n    rejection_threshold: 5.0\n...\n");
    // A parameter reference file (meta and history entries, a !!timestamp).
    const auto reference_file = write("pars-detector1pipeline.asdf", std::string("#ASDF 1.0.0\n#ASDF_STANDARD 1.3.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n") +
        "history:\n  entries:\n  - !core/history_entry-1.0.0 {description: Base values, time: !!timestamp '2019-10-29\n      21:20:50'}\n"
        "  extensions:\n  - !core/extension_metadata-1.0.0\n    extension_class: asdf.extension.BuiltinExtension\n"
        "    software: {name: asdf, version: 2.4.2}\n"
        "meta:\n   author: Alfred E. Neuman\n   date: '2019-07-17T10:56:23.456'\n   description: Detector1Pipeline parameters\n"
        "   instrument: {name: NIRCAM}\n   pedigree: GROUND\n   reftype: pars-detector1pipeline\n   telescope: JWST\n"
        "   title: Detector1Pipeline default parameters\n   useafter: '1990-04-24T00:00:00'\n"
        "class: jwst.pipeline.calwebb_detector1.Detector1Pipeline\nparameters: {}\nsteps:\n"
        "- class: jwst.ipc.ipc_step.IPCStep\n  name: ipc\n  parameters: {skip: true}\n"
        "- class: jwst.refpix.refpix_step.RefPixStep\n  name: refpix\n  parameters: {skip: true}\n...\n");
    // config_cfg.rst's jump file.
    const auto cfg_file = write("jump.cfg", "name = \"jump\"\nclass = \"jwst.jump.JumpStep\"\nrejection_threshold = 4.0\n");

    CHECK(run_program("strun", step_file, work, "step").status == 0);
    CHECK(fs::exists(work / "step" / "cr_sat_jumpstep.fits"));  // the instance is named JumpStep
    CHECK(run_program("strun", flow_file, work, "flow").status == 0);
    CHECK(run_program("strun", cfg_file, work, "cfg").status == 0);
    CHECK(fs::exists(work / "cfg" / "cr_sat_jump.fits"));  // name = "jump"

    REQUIRE(run_program("strun", pipeline_file, work, "pipeline").status == 0);
    REQUIRE(run_program("strun", reference_file, work, "reference").status == 0);
    REQUIRE(run_program("strun", "calwebb_detector1" + near_ir + " --steps.jump.rejection_threshold=5", work, "flags").status == 0);
    const auto flags = rate_of(work, "flags");
    CHECK(same_bits(flags.sci, rate_of(work, "pipeline").sci));
    CHECK(flags.dq == rate_of(work, "pipeline").dq);
    CHECK_FALSE(same_bits(flags.sci, rate_of(work, "reference").sci));  // default threshold there
    const auto help = run_program("strun", cfg_file + " -h", work, "help");
    CHECK(help.status == 0);
    CHECK_THAT(help.log, Catch::Matchers::Contains("rejection_threshold"));
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
