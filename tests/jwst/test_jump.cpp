// jump (docs/algorithms/jump.md): golden vectors (PIXELDQ/GROUPDQ bit-exact after jump, from
// the dark_current output) and synthetic ramps exercising each rule on its own, through
// the product kernel; stcal's split into row slices through the serial reference.

#include "orrery/jwst/algorithms/jump.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/reference_io.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "../oracles/jump_oracle.hpp"

using namespace orrery;
using namespace orrery::jwst;
namespace fs = std::filesystem;

namespace {

/// Jump detection as JumpStep runs it (one slice), on one thread.
StepOutcome detect_jumps(RampModel& model, const GainRef& gain, const ReadnoiseRef& readnoise, const JumpParams& params,
                         JumpReport* report = nullptr) {
    return detect_jumps_one_slice(model, gain, readnoise, params, [](std::size_t n, const auto& body) { body(std::size_t{0}, n); }, report);
}

constexpr std::uint8_t DNU = 1, SAT = 2, JUMP = 4;

// ---------------------------------------------------------------------------
// Golden scenarios

const fs::path golden = fs::path(ORRERY_TEST_DATA_DIR) / "golden";

struct GoldenInput {
    RampModel model;
    GainRef gain;
    ReadnoiseRef readnoise;
};

GoldenInput load_golden(const std::string& scenario) {
    const fs::path dir = golden / scenario;
    GoldenInput in;
    in.model = io::read_ramp(dir / (scenario + "_uncal.fits"));  // exposure metadata
    fits::FitsReader r(dir / "expected" / "after_dark_current.fits");
    in.model.sci = r.read<float, 4>("SCI");
    in.model.pixeldq = r.read<std::uint32_t, 2>("PIXELDQ");
    in.model.groupdq = r.read<std::uint8_t, 4>("GROUPDQ");
    in.gain = io::read_reference<GainRef>(dir / "ref" / "gain.fits", in.model);
    in.readnoise = io::read_reference<ReadnoiseRef>(dir / "ref" / "readnoise.fits", in.model);
    return in;
}

template <class T, std::size_t R>
std::size_t count_mismatches(const std::string& what, const NdArray<T, R>& got, const NdArray<T, R>& want) {
    REQUIRE(got.shape() == want.shape());
    std::size_t bad = 0;
    for (std::size_t j = 0; j < got.size(); ++j) {
        if (got[j] == want[j]) continue;
        if (++bad <= 8) {
            // unravel j for the message
            std::string idx;
            std::size_t rest = j;
            for (std::size_t a = R; a-- > 0;) {
                idx = std::to_string(rest % got.extent(a)) + (idx.empty() ? "" : ", ") + idx;
                rest /= got.extent(a);
            }
            std::cout << "  " << what << "[" << idx << "]: got " << +got[j] << ", expected " << +want[j] << "\n";
        }
    }
    return bad;
}

void check_golden(const std::string& scenario) {
    GoldenInput in = load_golden(scenario);
    fits::FitsReader expected(golden / scenario / "expected" / "after_jump.fits");
    const auto want_pdq = expected.read<std::uint32_t, 2>("PIXELDQ");
    const auto want_gdq = expected.read<std::uint8_t, 4>("GROUPDQ");
    const auto sci_before = in.model.sci;

    JumpReport report;
    const StepOutcome out = detect_jumps(in.model, in.gain, in.readnoise, JumpParams{}, &report);
    CHECK_FALSE(out.skipped);
    CHECK(in.model.sci == sci_before);

    std::cout << scenario << ": mode " << to_string(report.slices.at(0).mode) << ", primary CRs "
              << report.primary_crs << "\n";
    const std::size_t pdq_bad = count_mismatches(scenario + " PIXELDQ", in.model.pixeldq, want_pdq);
    const std::size_t gdq_bad = count_mismatches(scenario + " GROUPDQ", in.model.groupdq, want_gdq);
    std::cout << scenario << ": PIXELDQ mismatches " << pdq_bad << " / " << want_pdq.size() << ", GROUPDQ mismatches "
              << gdq_bad << " / " << want_gdq.size() << "\n";
    CHECK(pdq_bad == 0);
    CHECK(gdq_bad == 0);
}

// ---------------------------------------------------------------------------
// Synthetic ramps

struct Synthetic {
    RampModel model;
    GainRef gain;
    ReadnoiseRef readnoise;

    Synthetic(std::size_t nints, std::size_t ngroups, std::size_t ny, std::size_t nx, float gain_value = 1.0f,
              float rn_value = 5.0f) {
        model.sci.resize({nints, ngroups, ny, nx}, 0.0f);
        model.groupdq.resize({nints, ngroups, ny, nx}, 0);
        model.pixeldq.resize({ny, nx}, 0u);
        model.meta.nframes = 1;
        model.meta.tgroup = 10.73677;
        gain.sci.resize({ny, nx}, gain_value);
        readnoise.sci.resize({ny, nx}, rn_value);
    }
    /// Linear ramp of `slope` DN/group plus a small fixed pattern (+-1 DN) so differences vary.
    void ramp(float slope) {
        const auto& s = model.sci.shape();
        for (std::size_t i = 0; i < s[0]; ++i)
            for (std::size_t g = 0; g < s[1]; ++g)
                for (std::size_t y = 0; y < s[2]; ++y)
                    for (std::size_t x = 0; x < s[3]; ++x)
                        model.sci(i, g, y, x) = slope * static_cast<float>(g) + static_cast<float>((g * 7 + y * 3 + x + i) % 3) - 1.0f;
    }
    /// A jump of `dn` arriving at group g (added to it and every later group).
    void cosmic_ray(std::size_t i, std::size_t g, std::size_t y, std::size_t x, float dn) {
        for (std::size_t gg = g; gg < model.ngroups(); ++gg) model.sci(i, gg, y, x) += dn;
    }
    StepOutcome run(const JumpParams& p = {}, JumpReport* rep = nullptr) {
        return detect_jumps(model, gain, readnoise, p, rep);
    }
    std::uint8_t gdq(std::size_t i, std::size_t g, std::size_t y, std::size_t x) const { return model.groupdq(i, g, y, x); }
    std::size_t jumps() const {
        std::size_t n = 0;
        for (auto v : model.groupdq) n += (v & JUMP) ? 1 : 0;
        return n;
    }
};

// ---------------------------------------------------------------------------
// Cross-check vectors: random ramps run through stcal (tests/data/jump_xcheck/README.md)

void check_xcheck(const fs::path& file) {
    fits::FitsReader r(file);
    const Header h = r.primary_header();
    RampModel m;
    m.sci = r.read<float, 4>("SCI");
    m.pixeldq = r.read<std::uint32_t, 2>("PIXELDQ");
    m.groupdq = r.read<std::uint8_t, 4>("GROUPDQ");
    GainRef gain;
    gain.sci = r.read<float, 2>("GAIN");
    ReadnoiseRef rn;
    rn.sci = r.read<float, 2>("READNOISE");
    const auto want_pdq = r.read<std::uint32_t, 2>("PIXELDQ_OUT");
    const auto want_gdq = r.read<std::uint8_t, 4>("GROUPDQ_OUT");
    m.meta.nframes = static_cast<int>(h.get_int("NFRAMES").value());
    m.meta.tgroup = h.get_double("TGROUP").value();
    const auto num = [&](const char* key, double def) { return h.get_double(key).value_or(def); };
    JumpParams p;
    p.rejection_threshold = num("REJ", 4.0);
    p.three_group_rejection_threshold = num("THR3", 6.0);
    p.four_group_rejection_threshold = num("THR4", 5.0);
    p.min_jump_to_flag_neighbors = num("NMIN", 10);
    p.max_jump_to_flag_neighbors = num("NMAX", 1000);
    p.after_jump_flag_dn1 = num("AJDN1", 0);
    p.after_jump_flag_time1 = num("AJT1", 0);
    p.after_jump_flag_dn2 = num("AJDN2", 0);
    p.after_jump_flag_time2 = num("AJT2", 0);
    p.only_use_ints = num("ONLYINTS", 1) != 0;
    p.min_diffs_single_pass = static_cast<int>(num("MINSP", 10));
    p.minimum_groups = static_cast<int>(num("MINGRP", 3));
    const auto slices = static_cast<std::size_t>(h.get_int("NSLICES").value());

    JumpReport report;
    oracle::detect_jumps_in_slices(m, gain, rn, p, slices, &report);
    const std::string name = file.stem().string();
    const std::size_t pdq_bad = count_mismatches(name + " PIXELDQ", m.pixeldq, want_pdq);
    const std::size_t gdq_bad = count_mismatches(name + " GROUPDQ", m.groupdq, want_gdq);
    std::cout << name << ": mode " << to_string(report.slices.at(0).mode) << ", PIXELDQ mismatches " << pdq_bad
              << ", GROUPDQ mismatches " << gdq_bad << " / " << want_gdq.size() << "\n";
    CHECK(pdq_bad == 0);
    CHECK(gdq_bad == 0);
    CHECK(report.primary_crs == h.get_int("NCR").value());
}

}  // namespace

TEST_CASE("jump golden: clean_small", "[jump][golden]") { check_golden("clean_small"); }
TEST_CASE("jump golden: cr_sat", "[jump][golden]") { check_golden("cr_sat"); }
TEST_CASE("jump golden: frame_avg", "[jump][golden]") { check_golden("frame_avg"); }

TEST_CASE("jump agrees with stcal on random ramps of every kind", "[jump][xcheck]") {
    const fs::path dir = fs::path(ORRERY_TEST_DATA_DIR) / "jump_xcheck";
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".fits") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 11);
    for (const auto& f : files) {
        INFO(f.filename().string());
        check_xcheck(f);
    }
}

TEST_CASE("JumpParams carries every stpipe parameter with its default", "[jump][params]") {
    const JumpParams p;
    CHECK(p.rejection_threshold == 4.0);
    CHECK(p.three_group_rejection_threshold == 6.0);
    CHECK(p.four_group_rejection_threshold == 5.0);
    CHECK(p.maximum_cores == "1");
    CHECK(p.flag_4_neighbors);
    CHECK(p.max_jump_to_flag_neighbors == 1000);
    CHECK(p.min_jump_to_flag_neighbors == 10);
    CHECK(p.after_jump_flag_dn1 == 0);
    CHECK(p.after_jump_flag_time1 == 0);
    CHECK(p.after_jump_flag_dn2 == 0);
    CHECK(p.after_jump_flag_time2 == 0);
    CHECK_FALSE(p.expand_large_events);
    CHECK(p.min_sat_area == 1.0);
    CHECK(p.min_jump_area == 5.0);
    CHECK(p.expand_factor == 2.0);
    CHECK_FALSE(p.use_ellipses);
    CHECK(p.sat_required_snowball);
    CHECK(p.min_sat_radius_extend == 2.5);
    CHECK(p.sat_expand == 2);
    CHECK(p.edge_size == 25);
    CHECK(p.mask_snowball_core_next_int);
    CHECK(p.snowball_time_masked_next_int == 4000);
    CHECK_FALSE(p.find_showers);
    CHECK(p.max_shower_amplitude == 4);
    CHECK(p.extend_snr_threshold == 1.2);
    CHECK(p.extend_min_area == 90);
    CHECK(p.extend_inner_radius == 1);
    CHECK(p.extend_outer_radius == 2.6);
    CHECK(p.extend_ellipse_expand_ratio == 1.1);
    CHECK(p.time_masked_after_shower == 15);
    CHECK(p.min_diffs_single_pass == 10);
    CHECK(p.max_extended_radius == 200);
    CHECK(p.minimum_groups == 3);
    CHECK(p.minimum_sigclip_groups == 100);
    CHECK(p.only_use_ints);
    // 35 members: a structured binding of the wrong arity does not compile.
    auto [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23,
          a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35] = p;
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8, (void)a9, (void)a10, (void)a11,
        (void)a12, (void)a13, (void)a14, (void)a15, (void)a16, (void)a17, (void)a18, (void)a19, (void)a20, (void)a21,
        (void)a22, (void)a23, (void)a24, (void)a25, (void)a26, (void)a27, (void)a28, (void)a29, (void)a30, (void)a31,
        (void)a32, (void)a33, (void)a34, (void)a35;
}

TEST_CASE("maximum_cores resolves to row slices as stcal compute_num_cores", "[jump][params]") {
    using jump_detail::slice_count;
    CHECK(slice_count("1", 2048, 8) == 1);
    CHECK(slice_count("4", 2048, 8) == 4);
    CHECK(slice_count("16", 2048, 8) == 8);  // never more than the cores
    CHECK(slice_count("4", 3, 8) == 3);      // nor the rows
    CHECK(slice_count("quarter", 2048, 8) == 2);
    CHECK(slice_count("half", 2048, 8) == 4);
    CHECK(slice_count("all", 2048, 8) == 8);
    CHECK(slice_count("quarter", 2048, 2) == 1);
    CHECK(slice_count("none", 2048, 8) == 1);
    CHECK(slice_count("One", 2048, 8) == 1);
    CHECK(slice_count("bogus", 2048, 8) == 1);
    CHECK(slice_count("-2", 2048, 8) == 1);
    CHECK_THROWS_AS(slice_count("0", 2048, 8), orrery::ParameterError);
}

TEST_CASE("after-jump times become group counts with Python floor division", "[jump][params]") {
    using jump_detail::after_jump_groups;
    CHECK(after_jump_groups(0.0, 10.73677, "t") == 0);
    CHECK(after_jump_groups(2 * 10.73677, 10.73677, "t") == 2);
    CHECK(after_jump_groups(21.47, 10.73677, "t") == 1);
    CHECK(after_jump_groups(1000.0, 10.73677, "t") == 93);
    CHECK(after_jump_groups(-5.0, 10.73677, "t") == -1);
    CHECK_THROWS_AS(after_jump_groups(30.0, 0.0, "after_jump_flag_time1"), orrery::InputError);
}

TEST_CASE("robust median drops every tie of the maximum", "[jump][median]") {
    using jump_detail::robust_median;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> work(16);
    std::vector<double> a{1, 5, 2, 5, 3};  // u = 5: drop both 5s -> median(1, 2, 3)
    CHECK(robust_median(a.data(), a.size(), work.data()) == 2.0);
    a = {1, 9, 2, 4};  // u = 4: drop 9 -> median(1, 2, 4)
    CHECK(robust_median(a.data(), a.size(), work.data()) == 2.0);
    a = {1, 9, nan, 4, nan};  // u = 3: plain median
    CHECK(robust_median(a.data(), a.size(), work.data()) == 4.0);
    a = {7, nan, 3};  // u = 2: minimum
    CHECK(robust_median(a.data(), a.size(), work.data()) == 3.0);
    a = {nan, 3, nan};  // u = 1: NaN
    CHECK(std::isnan(robust_median(a.data(), a.size(), work.data())));
    a = {4, 4, 4, 4};  // all equal to the maximum: nothing left
    CHECK(std::isnan(robust_median(a.data(), a.size(), work.data())));
    a = {1, 2, 3, 4, 10, 10};  // even count left: mean of the middle two of (1, 2, 3, 4)
    CHECK(robust_median(a.data(), a.size(), work.data()) == 2.5);
}

TEST_CASE("astropy sigma clip bounds", "[jump][sigma_clip]") {
    using namespace jump_detail;
    // 20 values 0..19 plus one outlier: the outlier goes in the first round, then nothing.
    std::vector<double> v;
    for (int j = 0; j < 20; ++j) v.push_back(j);
    v.push_back(1000);
    std::vector<double> buf = v;
    const ClipBounds b = sigma_clip_bounds(buf.data(), static_cast<std::ptrdiff_t>(buf.size()), 4, 4);
    // final round on 0..19: median 9.5, population std sqrt(33.25)
    CHECK(b.lower == 9.5 - 4 * std::sqrt(33.25));
    CHECK(b.upper == 9.5 + 4 * std::sqrt(33.25));
    CHECK(sigma_clipped(1000, b));
    CHECK_FALSE(sigma_clipped(19, b));
    CHECK(sigma_clipped(std::numeric_limits<double>::quiet_NaN(), b));
    // nothing finite: NaN bounds, nothing passes
    const ClipBounds none = sigma_clip_bounds(buf.data(), 0, 4, 4);
    CHECK(std::isnan(none.lower));
    CHECK(std::isnan(none.upper));
    // wirth median leaves a permutation; even counts average the two middles
    std::vector<double> w{5, 1, 4, 2, 3, 6};
    CHECK(wirth_median(w.data(), 6) == 3.5);
}

TEST_CASE("a single cosmic ray in a clean ramp is flagged, with its 4 neighbours", "[jump]") {
    Synthetic s(1, 10, 5, 5);
    s.ramp(10.0f);
    s.cosmic_ray(0, 5, 2, 2, 500.0f);  // ratio ~ 500/sqrt(10+25) ~ 84: inside (10, 1000)
    JumpReport rep;
    const StepOutcome out = s.run({}, &rep);
    CHECK_FALSE(out.skipped);
    CHECK(rep.slices.at(0).mode == JumpMode::iterative);
    CHECK(rep.primary_crs == 1);
    CHECK(s.gdq(0, 5, 2, 2) == JUMP);
    CHECK(s.gdq(0, 5, 1, 2) == JUMP);
    CHECK(s.gdq(0, 5, 3, 2) == JUMP);
    CHECK(s.gdq(0, 5, 2, 1) == JUMP);
    CHECK(s.gdq(0, 5, 2, 3) == JUMP);
    CHECK(s.gdq(0, 5, 1, 1) == 0);  // not the diagonals
    CHECK(s.gdq(0, 5, 3, 3) == 0);
    CHECK(s.jumps() == 5);
    for (auto v : s.model.pixeldq) CHECK(v == 0u);
}

TEST_CASE("neighbours: only for 10 < sigma < 1000, not onto SATURATED or DO_NOT_USE, no cascade", "[jump]") {
    Synthetic s(1, 10, 9, 9);
    s.ramp(10.0f);
    s.cosmic_ray(0, 4, 1, 1, 500.0f);    // ~84 sigma: neighbours
    s.cosmic_ray(0, 4, 1, 6, 40000.0f);  // ~6800 sigma: no neighbours
    s.cosmic_ray(0, 4, 6, 6, 45.0f);     // ~7.6 sigma: jump, no neighbours
    s.cosmic_ray(0, 6, 6, 2, 500.0f);
    s.model.groupdq(0, 6, 5, 2) |= SAT;  // neighbour above saturated at that group
    s.model.groupdq(0, 6, 6, 3) |= DNU;  // neighbour right unusable at that group
    s.run();
    CHECK(s.gdq(0, 4, 1, 1) == JUMP);
    CHECK(s.gdq(0, 4, 0, 1) == JUMP);
    CHECK(s.gdq(0, 4, 2, 1) == JUMP);
    CHECK(s.gdq(0, 4, 1, 0) == JUMP);
    CHECK(s.gdq(0, 4, 1, 2) == JUMP);
    CHECK(s.gdq(0, 4, 3, 1) == 0);  // no cascade from the neighbours
    CHECK(s.gdq(0, 4, 1, 6) == JUMP);
    CHECK(s.gdq(0, 4, 0, 6) == 0);
    CHECK(s.gdq(0, 4, 1, 5) == 0);
    CHECK(s.gdq(0, 4, 6, 6) == JUMP);
    CHECK(s.gdq(0, 4, 5, 6) == 0);
    CHECK(s.gdq(0, 6, 6, 2) == JUMP);
    CHECK(s.gdq(0, 6, 5, 2) == SAT);
    CHECK(s.gdq(0, 6, 6, 3) == DNU);
    CHECK(s.gdq(0, 6, 7, 2) == JUMP);
    CHECK(s.gdq(0, 6, 6, 1) == JUMP);

    Synthetic off(1, 10, 5, 5);
    off.ramp(10.0f);
    off.cosmic_ray(0, 5, 2, 2, 500.0f);
    JumpParams p;
    p.flag_4_neighbors = false;
    off.run(p);
    CHECK(off.jumps() == 1);
}

TEST_CASE("iterative search flags exact ties together", "[jump]") {
    // One pixel, differences (0, 100, 0, 100) electrons, rn 1: both 100s tie for the largest
    // ratio and are flagged in the same round. Flagging one per round would leave 3 usable
    // differences and the (here enormous) four_group threshold for the other.
    Synthetic s(1, 5, 1, 1, 1.0f, 1.0f);
    const float ramp[5] = {0, 0, 100, 100, 200};
    for (std::size_t g = 0; g < 5; ++g) s.model.sci(0, g, 0, 0) = ramp[g];
    JumpParams p;
    p.four_group_rejection_threshold = 1e6;
    s.run(p);
    CHECK(s.gdq(0, 2, 0, 0) == JUMP);
    CHECK(s.gdq(0, 4, 0, 0) == JUMP);
    CHECK(s.jumps() == 2);

    // Not a tie: only the larger one is flagged in round one, the smaller then faces 1e6.
    Synthetic t(1, 5, 1, 1, 1.0f, 1.0f);
    const float ramp2[5] = {0, 0, 100, 100, 201};
    for (std::size_t g = 0; g < 5; ++g) t.model.sci(0, g, 0, 0) = ramp2[g];
    t.run(p);
    CHECK(t.gdq(0, 2, 0, 0) == 0);
    CHECK(t.gdq(0, 4, 0, 0) == JUMP);
}

TEST_CASE("thresholds are strict and depend on the usable differences", "[jump]") {
    // Single pass (11 differences): median 0, sigma = sqrt(0 + 2^2) = 2 -> 8 DN is exactly 4 sigma.
    Synthetic s(1, 12, 1, 3, 1.0f, 2.0f);
    for (std::size_t x = 0; x < 3; ++x)
        for (std::size_t g = 6; g < 12; ++g) s.model.sci(0, g, 0, x) = x == 0 ? 8.0f : x == 1 ? 8.5f : 0.0f;
    JumpReport rep;
    s.run({}, &rep);
    CHECK(rep.slices.at(0).mode == JumpMode::single_pass);
    CHECK(s.gdq(0, 6, 0, 0) == 0);     // exactly 4: not flagged
    CHECK(s.gdq(0, 6, 0, 1) == JUMP);  // 4.25: flagged
    CHECK(s.jumps() == 1);

    // Iterative, 3 groups (2 differences): threshold three_group_rejection_threshold (6).
    // Differences (0, 11): robust median = min = 0, sigma = 2 -> ratio 5.5 fails 6, 13 passes.
    Synthetic t(1, 3, 1, 2, 1.0f, 2.0f);
    t.model.sci(0, 2, 0, 0) = 11.0f;
    t.model.sci(0, 2, 0, 1) = 13.0f;
    t.run();
    CHECK(t.gdq(0, 2, 0, 0) == 0);
    CHECK(t.gdq(0, 2, 0, 1) == JUMP);
}

TEST_CASE("after-jump flagging follows large jumps for the given time", "[jump]") {
    Synthetic s(1, 10, 3, 3);
    s.ramp(10.0f);
    s.cosmic_ray(0, 3, 1, 1, 500.0f);  // large: e = 500 >= 100 -> groups 4, 5 also flagged
    s.cosmic_ray(0, 3, 0, 0, 60.0f);   // ~10 sigma but below 100 electrons: no after flags
    s.model.groupdq(0, 5, 1, 1) |= SAT;  // skipped by the after-jump flags (and stays SAT only)
    JumpParams p;
    p.flag_4_neighbors = false;
    p.after_jump_flag_dn1 = 100;
    p.after_jump_flag_time1 = 2 * 10.73677 + 1;  // 2 groups
    s.run(p);
    CHECK(s.gdq(0, 3, 1, 1) == JUMP);
    CHECK(s.gdq(0, 4, 1, 1) == JUMP);
    CHECK(s.gdq(0, 5, 1, 1) == SAT);
    CHECK(s.gdq(0, 6, 1, 1) == 0);
    CHECK(s.gdq(0, 3, 0, 0) == JUMP);
    CHECK(s.gdq(0, 4, 0, 0) == 0);

    // The DN threshold is scaled by the median gain: gain 2 -> 100 DN = 200 e-, the 60 DN
    // jump is 120 e- and no longer qualifies, the 500 DN one (1000 e-) does.
    Synthetic g(1, 10, 3, 3, 2.0f);
    g.ramp(10.0f);
    g.cosmic_ray(0, 3, 0, 0, 60.0f);
    p.after_jump_flag_dn1 = 50;  // 100 e-: 120 e- qualifies
    g.run(p);
    CHECK(g.gdq(0, 4, 0, 0) == JUMP);
    CHECK(g.gdq(0, 5, 0, 0) == JUMP);
    CHECK(g.gdq(0, 6, 0, 0) == 0);
}

TEST_CASE("sigma-clip mode with 100+ integrations", "[jump][sigma_clip]") {
    Synthetic s(120, 4, 3, 3);
    s.ramp(10.0f);  // bounded pattern noise: nothing beyond 4 sigma
    s.cosmic_ray(50, 2, 1, 1, 1000.0f);
    JumpReport rep;
    s.run({}, &rep);
    CHECK(rep.slices.at(0).mode == JumpMode::sigma_clip);
    CHECK(s.gdq(50, 2, 1, 1) == JUMP);
    CHECK(s.gdq(50, 3, 1, 1) == 0);
    CHECK(s.gdq(50, 2, 0, 1) == JUMP);  // neighbours: ~160 sigma against median and read noise
    CHECK(s.gdq(50, 2, 1, 0) == JUMP);
    CHECK(s.jumps() == 5);

    // 99 integrations: not enough, iterative instead (3 differences each, 297 in all).
    Synthetic t(99, 4, 3, 3);
    t.ramp(10.0f);
    t.cosmic_ray(50, 2, 1, 1, 1000.0f);
    t.run({}, &rep);
    CHECK(rep.slices.at(0).mode == JumpMode::iterative);
    CHECK(t.gdq(50, 2, 1, 1) == JUMP);

    // A group plane that ends up all JUMP (one pixel) is reset: stcal's sigma-clip epilogue.
    Synthetic one(120, 4, 1, 1);
    one.ramp(10.0f);
    one.cosmic_ray(50, 2, 0, 0, 1000.0f);
    one.run({}, &rep);
    CHECK(rep.slices.at(0).mode == JumpMode::sigma_clip);
    CHECK(one.jumps() == 0);

    // only_use_ints = false: groups, not integrations, are counted (minimum_sigclip_groups).
    Synthetic g(30, 5, 3, 3);
    g.ramp(10.0f);
    g.cosmic_ray(7, 2, 1, 1, 1000.0f);
    JumpParams p;
    p.only_use_ints = false;
    g.run(p, &rep);
    CHECK(rep.slices.at(0).mode == JumpMode::sigma_clip);
    CHECK(g.gdq(7, 2, 1, 1) == JUMP);
}

TEST_CASE("bad gain: NO_GAIN_VALUE|DO_NOT_USE in PIXELDQ and no jumps there", "[jump]") {
    Synthetic s(1, 10, 3, 3);
    s.ramp(10.0f);
    s.cosmic_ray(0, 5, 1, 1, 500.0f);
    s.gain.sci(1, 1) = std::numeric_limits<float>::quiet_NaN();
    s.gain.sci(0, 0) = 0.0f;
    s.gain.sci(2, 2) = -1.0f;
    s.run();
    const std::uint32_t bad = dq::NO_GAIN_VALUE | dq::DO_NOT_USE;
    CHECK(s.model.pixeldq(1, 1) == bad);
    CHECK(s.model.pixeldq(0, 0) == bad);
    CHECK(s.model.pixeldq(2, 2) == bad);
    CHECK(s.model.pixeldq(0, 1) == 0u);
    CHECK(s.jumps() == 0);
}

TEST_CASE("NGROUPS <= 2 skips the step and changes nothing", "[jump]") {
    Synthetic s(1, 2, 3, 3);
    s.ramp(10.0f);
    s.cosmic_ray(0, 1, 1, 1, 5000.0f);
    s.gain.sci(0, 0) = 0.0f;
    const RampModel before = s.model;
    const StepOutcome out = s.run();
    CHECK(out.skipped);
    CHECK_FALSE(out.reason.empty());
    CHECK(s.model.pixeldq == before.pixeldq);
    CHECK(s.model.groupdq == before.groupdq);
}

TEST_CASE("fewer than 3 usable groups: no detection, but gain flags and cleanup still apply", "[jump]") {
    Synthetic s(1, 4, 3, 3);
    s.ramp(10.0f);
    s.cosmic_ray(0, 1, 1, 1, 5000.0f);
    for (std::size_t g = 2; g < 4; ++g)
        for (std::size_t y = 0; y < 3; ++y)
            for (std::size_t x = 0; x < 3; ++x) s.model.groupdq(0, g, y, x) |= DNU;
    s.model.groupdq(0, 3, 0, 0) |= JUMP;  // JUMP together with DO_NOT_USE: removed
    s.model.groupdq(0, 1, 2, 2) |= JUMP;  // lone JUMP: kept
    s.gain.sci(0, 1) = 0.0f;
    JumpReport rep;
    const StepOutcome out = s.run({}, &rep);
    CHECK_FALSE(out.skipped);  // stcal returns early but the step is COMPLETE
    CHECK(rep.slices.at(0).mode == JumpMode::not_run);
    CHECK(rep.primary_crs == -99);
    CHECK(s.gdq(0, 1, 1, 1) == 0);
    CHECK(s.gdq(0, 3, 0, 0) == DNU);
    CHECK(s.gdq(0, 1, 2, 2) == JUMP);
    CHECK(s.model.pixeldq(0, 1) == (dq::NO_GAIN_VALUE | dq::DO_NOT_USE));
}

TEST_CASE("JUMP is never left on SATURATED or DO_NOT_USE groups", "[jump]") {
    Synthetic s(1, 6, 1, 2);
    s.model.groupdq(0, 2, 0, 0) = SAT | JUMP;
    s.model.groupdq(0, 3, 0, 1) = DNU | JUMP;
    s.run();
    CHECK(s.gdq(0, 2, 0, 0) == SAT);
    CHECK(s.gdq(0, 3, 0, 1) == DNU);
}

TEST_CASE("snowballs and showers are refused, not ignored", "[jump]") {
    Synthetic s(1, 10, 3, 3);
    JumpParams p;
    p.expand_large_events = true;
    CHECK_THROWS_AS(s.run(p), orrery::NotSupportedError);
    CHECK_THROWS_WITH(s.run(p), "jump: expand_large_events (snowball detection) is not supported in this version");
    p.expand_large_events = false;
    p.find_showers = true;
    CHECK_THROWS_AS(s.run(p), orrery::NotSupportedError);
    CHECK_THROWS_WITH(s.run(p), Catch::Contains("find_showers"));
}

TEST_CASE("reference shapes and NFRAMES are checked", "[jump]") {
    Synthetic s(1, 5, 3, 3);
    s.gain.sci.resize({3, 4}, 1.0f);
    CHECK_THROWS_AS(s.run(), orrery::InputError);
    Synthetic t(1, 5, 3, 3);
    t.model.meta.nframes = 0;
    CHECK_THROWS_AS(t.run(), orrery::InputError);
}

TEST_CASE("row slices (maximum_cores > 1) join neighbour flags across slice edges", "[jump]") {
    Synthetic s(1, 10, 6, 4);
    s.ramp(10.0f);
    s.cosmic_ray(0, 5, 2, 1, 500.0f);  // last row of slice 0 (rows 0-2)
    s.cosmic_ray(0, 7, 3, 2, 500.0f);  // first row of slice 1 (rows 3-5)
    JumpReport rep;
    oracle::detect_jumps_in_slices(s.model, s.gain, s.readnoise, JumpParams{}, 2, &rep);
    REQUIRE(rep.slices.size() == 2);
    CHECK(rep.slices[0].y1 == 3);
    CHECK(rep.primary_crs == 2);
    CHECK(s.gdq(0, 5, 3, 1) == JUMP);  // across the edge, downwards
    CHECK(s.gdq(0, 7, 2, 2) == JUMP);  // across the edge, upwards
    CHECK(s.gdq(0, 5, 1, 1) == JUMP);
    CHECK(s.gdq(0, 7, 4, 2) == JUMP);
    CHECK(s.jumps() == 10);
}

// Both cases below were found by searching for ramps where stcal's result changes when
// the float32 arrays of get_cr_locs are made float64; the expected flags are stcal's.
TEST_CASE("later robust medians are rounded to float32", "[jump][numerics]") {
    // Round 1 flags the 5000 e- jump; round 2's robust median is (1000 + 1000.00006)/2, which
    // float32 rounds; only with that rounding does the 1132.66 e- difference exceed 4 sigma.
    Synthetic s(4, 3, 1, 1, 1.0f, 10.000012397766113f);
    const float ramp[4][3] = {{-499.95001220703125f, 499.95001220703125f, 5499.9501953125f},
                              {-500.0f, 500.0f, 1499.5f},
                              {-500.0000305175781f, 500.0000305175781f, 1500.25f},
                              {-566.33251953125f, 566.33251953125f, 1566.83251953125f}};
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t g = 0; g < 3; ++g) s.model.sci(i, g, 0, 0) = ramp[i][g];
    s.run();
    CHECK(s.gdq(0, 2, 0, 0) == JUMP);
    CHECK(s.gdq(3, 1, 0, 0) == JUMP);
    CHECK(s.jumps() == 2);
}

TEST_CASE("|difference| - median is rounded to float32 before the ratio", "[jump][numerics]") {
    // First-round median (1000 + 1000.00006)/2 in double; 1599.89 - median needs float32
    // rounding to exceed 4 sigma. A second pixel keeps the DO_NOT_USE plane from being whole.
    Synthetic s(5, 3, 1, 2, 1.0f, 146.6000518798828f);
    const float ramp[5][3] = {{-499.95001220703125f, 499.95001220703125f, 1500.050048828125f},
                              {-500.0f, 500.0f, 1499.5f},
                              {-500.0000305175781f, 500.0000305175781f, 1500.25f},
                              {-799.94384765625f, 799.94384765625f, 1800.44384765625f},
                              {-499.875f, 499.875f, 1500.2750244140625f}};
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t g = 0; g < 3; ++g) s.model.sci(i, g, 0, 0) = ramp[i][g];
    s.model.groupdq(4, 2, 0, 0) = DNU;
    s.run();
    CHECK(s.gdq(3, 1, 0, 0) == JUMP);
    CHECK(s.jumps() == 1);
}
