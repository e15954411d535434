// The acceptance command, through the real binary, for every golden scenario:
//   orrery strun calwebb_detector1 <scenario>_uncal.fits --ref-dir <scenario>/ref
//       --steps.ipc.skip=true --steps.refpix.skip=true --output_dir OUT
// (plus the steps the golden chain skipped, from scenario.json: group_scale for frame_avg)
// writes OUT/<scenario>_rate.fits and _rateints.fits matching the expected products.

#include "orrery/jwst/io/rate_io.hpp"

#include "../support/golden_compare.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

using namespace orrery;
namespace fs = std::filesystem;


TEST_CASE("strun calwebb_detector1 reproduces the golden products") {
    const fs::path orrery_bin = fs::path(ORRERY_BINARY_DIR) / "bin" / "orrery";
    REQUIRE(fs::exists(orrery_bin));
    for (const std::string scenario : {"clean_small", "cr_sat", "frame_avg"}) {
        INFO(scenario);
        const test::TempDir scratch("orrery_strun_golden_" + scenario);
        const fs::path out = scratch / "out";
        std::string command = orrery_bin.string() + " strun calwebb_detector1 " + test::golden_path(scenario + "/" + scenario + "_uncal.fits") +
                              " --ref-dir " + test::golden_path(scenario + "/ref") +
                              " --steps.ipc.skip=true --steps.refpix.skip=true --output_dir " + out.string() + " --log-stream null";
        const ParamNode skips = test::golden_skips(scenario, {"group_scale", "gain_scale"});
        if (const auto* steps = skips.find("steps"))
            for (const auto& [alias, node] : steps->children()) command += " --steps." + alias + ".skip=true";
        INFO(command);
        REQUIRE(std::system((command + " > " + (out.string() + ".log") + " 2>&1").c_str()) == 0);

        test::check_rate_product(scenario + " rate", jwst::io::read_rate(out / (scenario + "_rate.fits")),
                      jwst::io::read_rate(test::golden_path(scenario + "/expected/rate.fits")));
        test::check_rate_product(scenario + " rateints", jwst::io::read_rateints(out / (scenario + "_rateints.fits")),
                      jwst::io::read_rateints(test::golden_path(scenario + "/expected/rateints.fits")));
        const auto rate = jwst::io::read_rate(out / (scenario + "_rate.fits"));
        CHECK(rate.primary.get_string("S_JUMP") == "COMPLETE");
        CHECK(rate.primary.get_string("S_RAMP") == "COMPLETE");
        CHECK(rate.primary.get_string("S_IPC") == "SKIPPED");
        CHECK(rate.primary.get_string("R_MASK").value_or("").find(scenario + "/ref/mask.fits") != std::string::npos);
    }
}
