// The exposure simulator: determinism (seed, thread count), noise statistics
// (CDS read noise, Poisson shot noise), non-linearity that linearity correction
// undoes, saturation, bad pixels, cosmic rays, and the written file layout
// (same extensions and dtypes as tests/data/golden/<scenario>/).

#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/reference_io.hpp"
#include "orrery/jwst/simulate.hpp"

#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <vector>

namespace fs = std::filesystem;
using namespace orrery;
using namespace orrery::jwst;

namespace {

SimulationConfig small_config() {
    SimulationConfig c;
    c.name = "small";
    c.nints = 2;
    c.ngroups = 6;
    c.ny = 64;
    c.nx = 80;
    c.substrt1 = 1;  // touches the reference-pixel border
    c.substrt2 = 1;
    c.seed = 7;
    c.n_cosmic_rays = 30;
    c.n_saturating_stars = 2;
    c.n_bad_pixels = 8;
    c.n_hot_pixels = 3;
    c.n_nan_gain = 1;
    c.n_floor_pixels = 1;
    return c;
}

/// A flat, quiet scene for noise statistics.
SimulationConfig quiet_config() {
    SimulationConfig c;
    c.ny = 128;
    c.nx = 128;
    c.substrt1 = 300;
    c.substrt2 = 300;
    c.ngroups = 2;
    c.sky_rate = 0.0;
    c.n_sources = 0;
    c.n_saturating_stars = 0;
    c.n_cosmic_rays = 0;
    c.n_bad_pixels = 0;
    c.n_hot_pixels = 0;
    c.dark_current = 0.0;
    c.dark_current_sigma = 0.0;
    c.readnoise_sigma = 0.0;
    c.gain_sigma = 0.0;
    c.reset_noise = 0.0;
    c.amp_offset_sigma = 0.0;
    return c;
}

template <class T, std::size_t R>
bool same_bits(const NdArray<T, R>& a, const NdArray<T, R>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }
double var_of(const std::vector<double>& v) {
    const double m = mean_of(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return s / static_cast<double>(v.size() - 1);
}
double median_of(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

}  // namespace

TEST_CASE("simulator: deterministic for a seed, independent of the thread count") {
    auto c = small_config();
    c.threads = 1;
    const auto a = simulate_exposure(c);
    c.threads = 3;
    const auto b = simulate_exposure(c);
    CHECK(same_bits(a.ramp.sci, b.ramp.sci));
    CHECK(same_bits(a.superbias.sci, b.superbias.sci));
    CHECK(same_bits(a.linearity.coeffs, b.linearity.coeffs));
    CHECK(same_bits(a.dark.sci, b.dark.sci));
    CHECK(same_bits(a.mask.dq, b.mask.dq));
    CHECK(same_bits(a.true_rate, b.true_rate));
    CHECK(a.cosmic_rays.size() == b.cosmic_rays.size());
    c.seed = 8;
    const auto d = simulate_exposure(c);
    CHECK_FALSE(same_bits(a.ramp.sci, d.ramp.sci));
}

TEST_CASE("simulator: raw values, shapes, metadata and reference flags") {
    const auto e = simulate_exposure(small_config());
    const auto& s = e.ramp.sci;
    CHECK(s.shape() == std::array<std::size_t, 4>{2, 6, 64, 80});
    CHECK(std::all_of(s.begin(), s.end(), [](float v) { return v >= 0.0f && v <= 65535.0f && std::floor(v) == v; }));
    CHECK(e.ramp.meta.ngroups == 6);
    CHECK(e.ramp.meta.nints == 2);
    CHECK(e.ramp.meta.subsize1 == 80);
    CHECK(e.ramp.meta.readpatt == "RAPID");
    CHECK(e.ramp.meta.tgroup == e.ramp.meta.tframe);
    CHECK(e.dark.sci.shape() == std::array<std::size_t, 4>{1, 8, 64, 80});  // two frames more than needed
    CHECK(e.dark.nframes == 1);

    std::vector<double> first;
    for (std::size_t i = 0; i < 64 * 80; ++i) first.push_back(s[i]);
    CHECK(median_of(first) == Approx(12000.0).margin(300.0));

    auto count = [](const auto& a, std::uint32_t bits) {
        return std::count_if(a.begin(), a.end(), [&](auto v) { return (v & bits) == bits; });
    };
    CHECK(count(e.mask.dq, dq::DEAD | dq::DO_NOT_USE) == 2);
    CHECK(count(e.mask.dq, dq::HOT) == 3);
    CHECK(count(e.saturation.dq, dq::NO_SAT_CHECK) == 2);
    CHECK(count(e.superbias.dq, dq::UNRELIABLE_BIAS) == 2);
    CHECK(count(e.dark.dq, dq::UNRELIABLE_DARK) == 2);
    CHECK(count(e.mask.dq, dq::REFERENCE_PIXEL | dq::DO_NOT_USE) == 4 * 80 + 4 * 60);  // rows 0-3, columns 0-3
    CHECK(std::count_if(e.saturation.sci.begin(), e.saturation.sci.end(), [](float v) { return std::isnan(v); }) == 2);
    CHECK(std::count_if(e.gain.sci.begin(), e.gain.sci.end(), [](float v) { return std::isnan(v); }) == 1);
    // The A/D floor pixel reads 0 in every group.
    std::size_t zeros = 0;
    for (std::size_t p = 0; p < 64 * 80; ++p) {
        bool all = true;
        for (std::size_t g = 0; g < 12; ++g) all = all && s[g * 64 * 80 + p] == 0.0f;
        zeros += all;
    }
    CHECK(zeros == 1);
}

TEST_CASE("simulator: CDS noise equals READNOISE") {
    auto c = quiet_config();
    const auto e = simulate_exposure(c);
    std::vector<double> d;
    const std::size_t plane = 128 * 128;
    for (std::size_t p = 0; p < plane; ++p) d.push_back(static_cast<double>(e.ramp.sci[plane + p]) - e.ramp.sci[p]);
    // Rounding to integers adds 2 * 1/12 DN^2 to the difference.
    const double expected = std::sqrt(c.readnoise * c.readnoise + 1.0 / 6.0);
    CHECK(std::sqrt(var_of(d)) == Approx(expected).epsilon(0.03));
    CHECK(mean_of(d) == Approx(0.0).margin(0.3));
}

TEST_CASE("simulator: shot noise is Poisson in electrons") {
    auto c = quiet_config();
    c.readnoise = 0.01;
    c.sky_rate = 100.0;  // DN/s -> ~2150 e- per frame at gain 2
    c.lin_c2 = 0.0;
    c.lin_c3 = 0.0;
    const auto e = simulate_exposure(c);
    std::vector<double> d;
    const std::size_t plane = 128 * 128;
    for (std::size_t p = 0; p < plane; ++p) d.push_back(static_cast<double>(e.ramp.sci[plane + p]) - e.ramp.sci[p]);
    const double mean_dn = mean_of(d);
    CHECK(mean_dn == Approx(c.sky_rate * c.tframe).epsilon(0.01));
    // var[DN] = mean[DN] / gain, plus the rounding term.
    CHECK(var_of(d) == Approx(mean_dn / c.gain + 1.0 / 6.0).epsilon(0.04));
}

TEST_CASE("simulator: linearity correction recovers the true flux; frame averaging") {
    for (auto [nframes, groupgap] : {std::pair{1, 0}, std::pair{4, 1}}) {
        INFO("nframes " << nframes << " groupgap " << groupgap);
        SimulationConfig c;
        c.ny = 96;
        c.nx = 96;
        c.substrt1 = 500;
        c.substrt2 = 700;
        c.ngroups = 8;
        c.nframes = nframes;
        c.groupgap = groupgap;
        c.n_sources = 40;
        c.source_peak_max = 200.0;
        c.n_saturating_stars = 0;
        c.n_cosmic_rays = 0;
        c.seed = 99;
        const auto e = simulate_exposure(c);
        const std::size_t plane = 96 * 96, G = 8;
        const double tg = c.tgroup();
        std::vector<double> diff_all, ratio_bright, ratio_raw_bright;
        for (std::size_t p = 0; p < plane; ++p) {
            if (e.mask.dq[p] || e.saturation.dq[p] || e.superbias.dq[p]) continue;
            // Superbias-subtract, correct with the pixel's polynomial (float32 Horner like the linearity step), fit.
            double sx = 0, sy = 0, sxx = 0, sxy = 0, rx = 0, rxy = 0;
            for (std::size_t g = 0; g < G; ++g) {
                const float raw = e.ramp.sci[g * plane + p] - e.superbias.sci[p];
                const float* cf = &e.linearity.coeffs[0];
                const float lin = ((cf[3 * plane + p] * raw + cf[2 * plane + p]) * raw + cf[plane + p]) * raw + cf[p];
                const double t = static_cast<double>(g) * tg;
                sx += t; sy += lin; sxx += t * t; sxy += t * lin; rx += raw; rxy += t * raw;
            }
            const double n = G;
            const double den = n * sxx - sx * sx;
            const double slope = (n * sxy - sx * sy) / den;
            const double slope_raw = (n * rxy - sx * rx) / den;
            const double truth = e.true_rate[p] + e.dark_rate[p];
            diff_all.push_back(slope - truth);
            if (e.true_rate[p] > 60.0f) {
                ratio_bright.push_back(slope / truth);
                ratio_raw_bright.push_back(slope_raw / truth);
            }
        }
        REQUIRE(diff_all.size() > 8000);
        REQUIRE(ratio_bright.size() > 20);
        CHECK(std::fabs(median_of(diff_all)) < 0.01);                 // DN/s
        CHECK(median_of(ratio_bright) == Approx(1.0).epsilon(0.005));  // corrected
        CHECK(median_of(ratio_raw_bright) < 0.99);                    // the raw ramp is visibly non-linear
    }
}

TEST_CASE("simulator: saturating stars, cosmic rays") {
    auto c = small_config();
    c.n_saturating_stars = 4;
    c.n_cosmic_rays = 40;
    const auto e = simulate_exposure(c);
    const std::size_t plane = 64 * 80;
    std::size_t saturated = 0;
    for (std::size_t i = 0; i < e.ramp.sci.size(); ++i) {
        const float sat = e.saturation.sci[i % plane];
        saturated += !std::isnan(sat) && e.ramp.sci[i] >= sat;
    }
    CHECK(saturated > 0);
    REQUIRE(!e.cosmic_rays.empty());
    // A big hit shows up as a step in its group.
    std::size_t seen = 0, big = 0;
    for (const auto& cr : e.cosmic_rays) {
        if (cr.electrons < 5000 || cr.group == 0) continue;
        const std::size_t p = static_cast<std::size_t>(cr.y) * 80 + static_cast<std::size_t>(cr.x);
        const std::size_t base = static_cast<std::size_t>(cr.integration) * 6 * plane;
        const double before = e.ramp.sci[base + static_cast<std::size_t>(cr.group - 1) * plane + p];
        const double after = e.ramp.sci[base + static_cast<std::size_t>(cr.group) * plane + p];
        if (after >= 65535.0 || after >= e.saturation.sci[p]) continue;
        ++big;
        seen += after - before > 0.5 * cr.electrons / 2.2;
    }
    CHECK(seen == big);
}

TEST_CASE("write_simulated_exposure: golden layout, readable by the data layer") {
    const orrery::test::TempDir scratch("orrery_simulate");
    auto c = small_config();
    c.name = "simtest";
    const auto e = simulate_exposure(c);
    const auto files = write_simulated_exposure(scratch.path() / "small", e);
    CHECK(files.uncal == scratch.path() / "small" / "simtest_uncal.fits");
    CHECK(files.references.size() == 7);
    const std::string golden = std::string(ORRERY_TEST_DATA_DIR) + "/golden/cr_sat/";
    // Extension names and stored types match the golden files.
    auto layout = [](const fs::path& p) {
        fits::FitsReader r(p);
        std::vector<std::string> out;
        for (const auto& n : r.extnames()) out.push_back(n == "PRIMARY" ? n : n + ":" + r.dtype(n) + ":" + std::to_string(r.shape(n).size()));
        return out;
    };
    CHECK(layout(files.uncal) == layout(golden + "cr_sat_uncal.fits"));
    for (const auto& [type, path] : files.references) {
        INFO(type);
        CHECK(layout(path) == layout(golden + "ref/" + type + ".fits"));
        fits::FitsReader r(path);
        CHECK(r.primary_header().get_string("REFTYPE").has_value());
    }
    const auto ramp = io::read_ramp(files.uncal);
    CHECK(same_bits(ramp.sci, e.ramp.sci));
    CHECK(ramp.primary.cards() == e.ramp.primary.cards());
    CHECK(same_bits(io::read_reference<MaskRef>(files.references.at("mask"), ramp).dq, e.mask.dq));
    CHECK(same_bits(io::read_reference<SaturationRef>(files.references.at("saturation"), ramp).sci, e.saturation.sci));
    CHECK(same_bits(io::read_reference<SuperbiasRef>(files.references.at("superbias"), ramp).sci, e.superbias.sci));
    CHECK(same_bits(io::read_reference<LinearityRef>(files.references.at("linearity"), ramp).coeffs, e.linearity.coeffs));
    const auto dark = io::read_reference<DarkRef>(files.references.at("dark"), ramp);
    CHECK(same_bits(dark.sci, e.dark.sci));
    CHECK(same_bits(dark.dq, e.dark.dq));
    CHECK(same_bits(io::read_reference<GainRef>(files.references.at("gain"), ramp).sci, e.gain.sci));
    CHECK(same_bits(io::read_reference<ReadnoiseRef>(files.references.at("readnoise"), ramp).sci, e.readnoise.sci));
}

TEST_CASE("simulator: full-frame references are cut to the science subarray on load") {
    const orrery::test::TempDir scratch("orrery_simulate");
    SimulationConfig c;
    c.name = "sub";
    c.ny = 32;
    c.nx = 48;
    c.substrt1 = 1001;
    c.substrt2 = 2017;  // top rows are reference pixels
    c.ngroups = 3;
    c.full_frame_references = true;
    c.n_hot_pixels = 2;
    c.n_bad_pixels = 4;
    const auto e = simulate_exposure(c);
    CHECK(e.mask.dq.shape() == std::array<std::size_t, 2>{2048, 2048});
    const auto files = write_simulated_exposure(scratch.path() / "sub", e);
    const auto ramp = io::read_ramp(files.uncal);
    const auto mask = io::read_reference<MaskRef>(files.references.at("mask"), ramp);
    const auto bias = io::read_reference<SuperbiasRef>(files.references.at("superbias"), ramp);
    const auto dark = io::read_reference<DarkRef>(files.references.at("dark"), ramp);
    REQUIRE(mask.dq.shape() == std::array<std::size_t, 2>{32, 48});
    REQUIRE(dark.sci.shape() == std::array<std::size_t, 4>{1, 5, 32, 48});
    std::size_t mism = 0;
    for (std::size_t y = 0; y < 32; ++y)
        for (std::size_t x = 0; x < 48; ++x) {
            mism += mask.dq(y, x) != e.mask.dq(y + 2016, x + 1000);
            mism += bias.sci(y, x) != e.superbias.sci(y + 2016, x + 1000);
            mism += dark.sci(0, 4, y, x) != e.dark.sci(0, 4, y + 2016, x + 1000);
        }
    CHECK(mism == 0);
    CHECK(mask.dq(31, 0) == (dq::REFERENCE_PIXEL | dq::DO_NOT_USE));  // detector row 2047
    CHECK(std::count(mask.dq.begin(), mask.dq.end(), dq::HOT) == 2);
}

TEST_CASE("simulator: bad configurations are parameter errors") {
    SimulationConfig c;
    c.ny = 100;
    c.nx = 100;
    c.substrt1 = 2000;
    CHECK_THROWS_AS(simulate_exposure(c), orrery::ParameterError);
    c.substrt1 = 1;
    c.ngroups = 0;
    CHECK_THROWS_AS(simulate_exposure(c), orrery::ParameterError);
}

TEST_CASE("simulator: full frame 2048 x 2048 x 10 timing", "[.][perf]") {
    SimulationConfig c;  // defaults: full frame, 10 groups
    const auto t0 = std::chrono::steady_clock::now();
    const auto e = simulate_exposure(c);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN("2048x2048x10 simulated in " << s << " s with " << sim::resolve_threads(0) << " threads, " << e.cosmic_rays.size()
                                      << " cosmic-ray hits");
    CHECK(e.ramp.sci.size() == 2048u * 2048u * 10u);
}

TEST_CASE("the simulator's scratch folder is removed with the exposure and references written into it") {
    fs::path folder;
    std::size_t files = 0;
    {
        const orrery::test::TempDir scratch("orrery_simulate");
        folder = scratch.path();
        auto c = small_config();
        c.name = "gone";
        write_simulated_exposure(scratch / "small", simulate_exposure(c));
        for ([[maybe_unused]] const auto& e : fs::recursive_directory_iterator(folder)) ++files;
    }
    CHECK(files >= 8);  // the uncal file and 7 references, at least
    CHECK_FALSE(fs::exists(folder));
}
