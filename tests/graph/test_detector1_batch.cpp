// The detector1_batch example run as its user would: three small simulated
// exposures through the fanned-out calwebb_detector1 graph, two at once. Its mean
// rate must be, bit for bit, the mean of the rates calwebb_detector1 gives on each
// exposure alone, and its table one row per exposure with the same figures.
#include "../../examples/detector1_batch/batch_stages.hpp"
#include "../support/run_program.hpp"
#include "../support/temp_dir.hpp"

#include "orrery/array/fits/fits_reader.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using orrery::jwst::RateModel;

const std::string program = std::string(ORRERY_BINARY_DIR) + "/bin/detector1_batch";

/// calwebb_detector1 on one exposure, on its own (no graph).
RateModel detector1_alone(const fs::path& uncal) {
    orrery::Context ctx;
    ctx.set_logger(std::make_shared<orrery::NullLogger>());
    orrery::stpipe::use_reference_dir(ctx, uncal.parent_path() / "ref");
    orrery::ParamNode config = orrery::ParamNode::map();
    config.set_path("steps.ipc.override_ipc", orrery::ParamNode::scalar("N/A", "test"));
    auto pipeline = orrery::make_pipeline<orrery::jwst::Detector1Pipeline>();
    pipeline.configure(config);
    return pipeline.run(orrery::jwst::io::read_ramp(uncal), ctx).rate;
}

std::vector<std::string> lines_of(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("detector1_batch: the mean of three exposures' rates and a row per exposure") {
    const orrery::test::TempDir dir("orrery_detector1_batch");
    const auto run = orrery::test::run_program(
        program, {"--simulate", "3", "--size", "32x48", "--concurrency", "2", "--threads", "2", "--quiet", "--output-dir", "batch"}, dir);
    INFO(run.out << run.err);
    REQUIRE(run.rc == 0);
    CHECK(run.out.find("stage rates: SUCCEEDED") != std::string::npos);
    CHECK(run.out.find("stage summary: SUCCEEDED") != std::string::npos);

    std::vector<RateModel> alone;
    for (const char* name : {"exp1", "exp2", "exp3"}) alone.push_back(detector1_alone(dir / "batch" / "exposures" / name / (std::string(name) + "_uncal.fits")));

    orrery::fits::FitsReader mean_file(dir / "batch" / "batch_mean_rate.fits");
    const auto mean = mean_file.read<float, 2>("SCI");
    REQUIRE(mean.shape() == alone[0].sci.shape());
    REQUIRE(mean.extent(0) == 32);
    REQUIRE(mean.extent(1) == 48);
    std::size_t differ = 0, finite = 0;
    for (std::size_t i = 0; i < mean.size(); ++i) {
        const float expected = static_cast<float>((double(alone[0].sci.data()[i]) + alone[1].sci.data()[i] + alone[2].sci.data()[i]) / 3.0);
        const float got = mean.data()[i];
        finite += std::isfinite(expected);
        if (!(got == expected || (std::isnan(got) && std::isnan(expected)))) ++differ;
    }
    CHECK(differ == 0);
    CHECK(finite > mean.size() / 2);  // a real image, not NaN everywhere

    const auto table = lines_of(dir / "batch" / "batch_summary.csv");
    REQUIRE(table.size() == 4);
    CHECK(table[0] == "name,median_rate,flagged_fraction");
    for (std::size_t k = 0; k < 3; ++k) {
        const auto s = detector1_batch::summarize(alone[k]);
        char expected[128];
        std::snprintf(expected, sizeof expected, "exp%zu,%.9g,%.6f", k + 1, s.median_rate, s.flagged_fraction);
        CHECK(table[k + 1] == expected);
        CHECK(s.flagged_fraction > 0.0);  // the reference pixels at least
        CHECK(s.flagged_fraction < 0.5);
    }
}

TEST_CASE("detector1_batch: a missing exposure fails the run and names the file") {
    const orrery::test::TempDir dir("orrery_detector1_batch");
    const auto run = orrery::test::run_program(program, {"--quiet", "--output-dir", "batch", "missing_uncal.fits"}, dir);
    CHECK(run.rc != 0);
    CHECK(run.out.find("stage rates: FAILED") != std::string::npos);
    CHECK(run.err.find("missing_uncal.fits") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "batch" / "batch_mean_rate.fits"));
}

TEST_CASE("detector1_batch: an exposure's median rate leaves out NaN and DO_NOT_USE pixels") {
    RateModel r;
    r.filename = "jw01_nrca1_uncal.fits";
    r.sci = orrery::NdArray<float, 2>({2, 3});
    r.dq = orrery::NdArray<std::uint32_t, 2>({2, 3});
    const float sci[] = {4.0f, NAN, 1.0f, 100.0f, 2.0f, 3.0f};
    const std::uint32_t dq[] = {0, 0, 0, orrery::jwst::dq::DO_NOT_USE, 4, 0};
    std::copy(std::begin(sci), std::end(sci), r.sci.data());
    std::copy(std::begin(dq), std::end(dq), r.dq.data());
    const auto s = detector1_batch::summarize(r);
    CHECK(s.name == "jw01_nrca1");
    CHECK(s.median_rate == 2.5);  // of 4, 1, 2, 3
    CHECK(s.flagged_fraction == Approx(2.0 / 6.0));
}
