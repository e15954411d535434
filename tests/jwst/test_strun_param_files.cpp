// The same run three ways — command-line flag, .cfg file, ASDF file — gives
// identical products and identical parameter digests in the run ledger.
//   strun calwebb_detector1 x_uncal.fits --steps.jump.rejection_threshold=5 --output_dir out

#include "orrery/jwst/io/rate_io.hpp"

#include "../support/golden_compare.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

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
