// Write -> read round trips (ramps raw and calibrated, rate, rateints, every
// reference type, DQ_DEF), the card-for-card primary header, status/reference
// keywords, and the atomic-write guarantees.

#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/rate_io.hpp"
#include "orrery/jwst/io/reference_io.hpp"
#include "orrery/jwst/io/reference_write.hpp"
#include "orrery/jwst/simulate.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace orrery;
using namespace orrery::jwst;

namespace {
std::string golden(const std::string& rel) { return std::string(ORRERY_TEST_DATA_DIR) + "/golden/" + rel; }

/// Bitwise equality (NaN payloads included).
template <class T, std::size_t R>
bool same_bits(const NdArray<T, R>& a, const NdArray<T, R>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

std::size_t files_in(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}
}  // namespace

TEST_CASE("raw ramp: read -> write raw -> read is identical, header card for card") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    const auto in = io::read_ramp(golden("cr_sat/cr_sat_uncal.fits"));
    const auto out = scratch.path() / "cr_sat_copy_uncal.fits";
    io::write_ramp(in, out, io::RampLayout::raw);
    fits::FitsReader r(out);
    CHECK(r.dtype("SCI") == "uint16");
    CHECK(r.extnames() == std::vector<std::string>{"PRIMARY", "SCI"});
    const auto back = io::read_ramp(out);
    CHECK(same_bits(in.sci, back.sci));
    CHECK(back.primary.cards() == in.primary.cards());  // every card, structural ones included
    CHECK(back.meta.ngroups == 12);
    CHECK(back.filename == "cr_sat_copy_uncal.fits");
}

TEST_CASE("a ramp large enough to be read by two threads reads back bit for bit; truncated, it is an error") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    // > 4 read chunks (2^20 elements): the read is split between two threads.
    SimulationConfig c;
    c.name = "large";
    c.nints = 2, c.ngroups = 4, c.ny = 320, c.nx = 512;  // 1310720 elements
    c.seed = 11, c.n_cosmic_rays = 20, c.n_saturating_stars = 1;
    const auto e = simulate_exposure(c);
    const auto raw = scratch.path() / "large_uncal.fits";
    io::write_ramp(e.ramp, raw, io::RampLayout::raw);  // uint16 on disk
    CHECK(same_bits(io::read_ramp(raw).sci, e.ramp.sci));

    RampModel calibrated = e.ramp;  // float32 on disk, values the raw layout cannot hold
    for (std::size_t i = 0; i < calibrated.sci.size(); ++i) calibrated.sci.data()[i] = static_cast<float>(i % 65599) * 0.37f - 1000.0f;
    const auto cal = scratch.path() / "large_ramp.fits";
    io::write_ramp(calibrated, cal);
    CHECK(same_bits(io::read_ramp(cal).sci, calibrated.sci));

    // Cut inside the second half of SCI: the second thread hits the end of the file.
    std::ifstream in(raw, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto cut = scratch.path() / "large_cut_uncal.fits";
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - bytes.size() / 8);
    try {
        (void)io::read_ramp(cut);
        FAIL("no error for a truncated file");
    } catch (const orrery::InputError& err) {
        CHECK(std::string(err.what()).rfind(cut.string() + ": ", 0) == 0);
    }
}

TEST_CASE("calibrated ramp with ERR, ZEROFRAME and provenance keywords") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    auto m = io::read_ramp(golden("cr_sat/expected/after_dark_current.fits"));
    m.primary = io::read_ramp(golden("cr_sat/cr_sat_uncal.fits")).primary;
    m.err.resize(m.sci.shape(), 0.5f);
    m.err[17] = std::numeric_limits<float>::quiet_NaN();
    m.zeroframe.emplace(std::array<std::size_t, 3>{2, 48, 40}, 3.0f);
    m.provenance.cal_step = {{"dq_init", "COMPLETE"}, {"saturation", "COMPLETE"}, {"ipc", "SKIPPED"}, {"dark_sub", "COMPLETE"},
                             {"not_a_jwst_step", "COMPLETE"}};
    m.provenance.ref_file = {{"mask", "jwst_nircam_mask_0001.fits"}, {"dark", "N/A"}};
    const auto out = scratch.path() / "cal_ramp.fits";
    io::write_ramp(m, out);
    const auto back = io::read_ramp(out);
    CHECK(same_bits(m.sci, back.sci));
    CHECK(same_bits(m.pixeldq, back.pixeldq));
    CHECK(same_bits(m.groupdq, back.groupdq));
    CHECK(same_bits(m.err, back.err));
    REQUIRE(back.zeroframe);
    CHECK(same_bits(*m.zeroframe, *back.zeroframe));
    CHECK(back.primary.get_string("S_DQINIT") == "COMPLETE");
    CHECK(back.primary.get_string("S_IPC") == "SKIPPED");
    CHECK(back.primary.get_string("S_DARK") == "COMPLETE");
    CHECK(back.primary.get_string("R_MASK") == "jwst_nircam_mask_0001.fits");
    CHECK(back.primary.get_string("R_DARK") == "N/A");
    CHECK(back.provenance.cal_step.size() == 4);  // the unknown key has no keyword
    CHECK(back.provenance.ref_file == m.provenance.ref_file);
    // The input cards come first, unchanged and in order; the new keywords follow.
    REQUIRE(back.primary.cards().size() == m.primary.cards().size() + 6);
    CHECK(std::equal(m.primary.cards().begin(), m.primary.cards().end(), back.primary.cards().begin()));
    fits::FitsReader r(out);
    CHECK(r.dtype("PIXELDQ") == "uint32");
    CHECK(r.dtype("GROUPDQ") == "uint8");
    CHECK(r.header("PIXELDQ").get_int("BZERO") == 2147483648LL);
}

TEST_CASE("rate and rateints round trip, layout of docs/algorithms/rate_products.md") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    const auto rate = io::read_rate(golden("cr_sat/expected/rate.fits"));
    CHECK(rate.sci.shape() == std::array<std::size_t, 2>{48, 40});
    CHECK(rate.sci(7, 5) == 0.69086725f);
    auto copy = rate;
    copy.provenance.cal_step["ramp_fit"] = "COMPLETE";
    copy.provenance.cal_step["gain_scale"] = "SKIPPED";
    copy.meta.gain_factor = 2.0;
    const auto out = scratch.path() / "x_rate.fits";
    io::write_rate(copy, out);
    const auto back = io::read_rate(out);
    CHECK(same_bits(rate.sci, back.sci));
    CHECK(same_bits(rate.err, back.err));
    CHECK(same_bits(rate.dq, back.dq));
    CHECK(same_bits(rate.var_poisson, back.var_poisson));
    CHECK(same_bits(rate.var_rnoise, back.var_rnoise));
    CHECK(back.primary.get_string("S_RAMP") == "COMPLETE");
    CHECK(back.primary.get_string("S_GANSCL") == "SKIPPED");
    CHECK(back.meta.gain_factor == 2.0);
    fits::FitsReader r(out);
    CHECK(r.extnames() == std::vector<std::string>{"PRIMARY", "SCI", "ERR", "DQ", "VAR_POISSON", "VAR_RNOISE"});
    CHECK(r.dtype("DQ") == "uint32");
    CHECK(r.header("DQ").get_int("BITPIX") == 32);
    CHECK(r.header("DQ").get_int("BZERO") == 2147483648LL);
    CHECK(r.header("SCI").get_string("BUNIT") == "DN/s");

    const auto ints = io::read_rateints(golden("cr_sat/expected/rateints.fits"));
    CHECK(ints.sci.shape() == std::array<std::size_t, 3>{2, 48, 40});
    const auto out3 = scratch.path() / "x_rateints.fits";
    io::write_rateints(ints, out3);
    const auto back3 = io::read_rateints(out3);
    CHECK(same_bits(ints.sci, back3.sci));
    CHECK(same_bits(ints.dq, back3.dq));
    CHECK(same_bits(ints.var_rnoise, back3.var_rnoise));
    CHECK_THROWS_AS(io::read_rate(out3), orrery::InputError);  // rank 3 is not a rate
}

TEST_CASE("writes never overwrite the input and leave nothing behind on failure") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    // Copy a golden file so the test can try to overwrite it.
    const auto dir = scratch.path() / "atomic";
    fs::create_directories(dir);
    const auto input = dir / "in_uncal.fits";
    fs::copy_file(golden("clean_small/clean_small_uncal.fits"), input);
    const auto size = fs::file_size(input);
    auto m = io::read_ramp(input);
    CHECK_THROWS_AS(io::write_ramp(m, input), orrery::UsageError);
    CHECK_THROWS_AS(io::write_ramp(m, dir / "." / "in_uncal.fits"), orrery::UsageError);
    CHECK(fs::file_size(input) == size);

    // A value that cannot be stored fails before anything exists.
    m.sci[5] = 0.5f;
    CHECK_THROWS_AS(io::write_ramp(m, dir / "bad_uncal.fits", io::RampLayout::raw), orrery::InputError);
    m.sci[5] = 70000.0f;
    CHECK_THROWS_AS(io::write_ramp(m, dir / "bad_uncal.fits", io::RampLayout::raw), orrery::InputError);
    CHECK(files_in(dir) == 1);

    // Mid-write failure (inconsistent arrays are caught before writing; force a cfitsio failure instead).
    {
        fits::FitsWriter w(dir / "partial.fits");
        w.write_primary(m.primary);
        // no commit: abandoned
    }
    CHECK(files_in(dir) == 1);
    CHECK_THROWS_AS(io::write_ramp(m, dir / "no_such_dir" / "x.fits"), orrery::InputError);

    // An existing output (not the input) is replaced atomically.
    m.sci[5] = 100.0f;
    io::write_ramp(m, dir / "out_uncal.fits", io::RampLayout::raw);
    m.sci[5] = 200.0f;
    io::write_ramp(m, dir / "out_uncal.fits", io::RampLayout::raw);
    CHECK(io::read_ramp(dir / "out_uncal.fits").sci[5] == 200.0f);
    CHECK(files_in(dir) == 2);
}

TEST_CASE("a GROUPDQ stored as float is a wrong-type error") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    auto m = io::read_ramp(golden("clean_small/clean_small_uncal.fits"));
    const auto p = scratch.path() / "float_groupdq.fits";
    {
        fits::FitsWriter w(p);
        w.write_primary(m.primary);
        w.write_image("SCI", m.sci);
        NdArray<float, 4> gdq(m.sci.shape(), 0.0f);
        w.write_image("GROUPDQ", gdq);
        w.commit();
    }
    try {
        (void)io::read_ramp(p);
        FAIL("no error");
    } catch (const orrery::InputError& e) {
        const std::string msg = e.what();
        CHECK(msg.find(p.string()) == 0);
        CHECK(msg.find("GROUPDQ") != std::string::npos);
        CHECK(msg.find("float32") != std::string::npos);
    }
}

TEST_CASE("every reference type round trips through write_reference / read_reference") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    const auto sci = io::read_ramp(golden("cr_sat/cr_sat_uncal.fits"));
    const std::string d = golden("cr_sat/ref/");
    const auto dir = scratch.path() / "refs";
    fs::create_directories(dir);

    auto mask = io::read_reference<MaskRef>(d + "mask.fits", sci);
    io::write_reference(mask, dir / "mask.fits");
    CHECK(same_bits(io::read_reference<MaskRef>(dir / "mask.fits", sci).dq, mask.dq));
    CHECK(io::read_reference<MaskRef>(dir / "mask.fits", sci).primary.cards() == mask.primary.cards());

    auto sat = io::read_reference<SaturationRef>(d + "saturation.fits", sci);
    io::write_reference(sat, dir / "saturation.fits");
    const auto sat2 = io::read_reference<SaturationRef>(dir / "saturation.fits", sci);
    CHECK(same_bits(sat2.sci, sat.sci));
    CHECK(same_bits(sat2.dq, sat.dq));

    auto bias = io::read_reference<SuperbiasRef>(d + "superbias.fits", sci);
    io::write_reference(bias, dir / "superbias.fits");
    CHECK(same_bits(io::read_reference<SuperbiasRef>(dir / "superbias.fits", sci).sci, bias.sci));

    auto lin = io::read_reference<LinearityRef>(d + "linearity.fits", sci);
    io::write_reference(lin, dir / "linearity.fits");
    CHECK(same_bits(io::read_reference<LinearityRef>(dir / "linearity.fits", sci).coeffs, lin.coeffs));

    auto dark = io::read_reference<DarkRef>(d + "dark.fits", sci);
    dark.nframes = 4;
    dark.groupgap = 1;
    dark.avgdrkcr = 0.125;
    dark.avdrkcur.emplace(std::array<std::size_t, 2>{48, 40}, 0.01f);
    io::write_reference(dark, dir / "dark.fits");
    const auto dark2 = io::read_reference<DarkRef>(dir / "dark.fits", sci);
    CHECK(same_bits(dark2.sci, dark.sci));
    CHECK(same_bits(dark2.dq, dark.dq));
    CHECK(dark2.nframes == 4);
    CHECK(dark2.groupgap == 1);
    CHECK(dark2.avgdrkcr == 0.125);
    REQUIRE(dark2.avdrkcur);
    CHECK(same_bits(*dark2.avdrkcur, *dark.avdrkcur));
    CHECK(fits::FitsReader(dir / "dark.fits").shape("SCI") == std::vector<std::size_t>{14, 48, 40});

    // MIRI-like 4-D dark with 4-D DQ (nints, 1, ny, nx).
    DarkRef miri;
    miri.primary = dark.primary;
    miri.sci.resize({2, 3, 48, 40}, 1.5f);
    miri.sci(1, 2, 47, 39) = 9.0f;
    miri.dq.resize({2, 48, 40}, 0u);
    miri.dq(1, 4, 4) = dq::HOT;
    io::write_reference(miri, dir / "dark4.fits");
    const auto miri2 = io::read_reference<DarkRef>(dir / "dark4.fits", sci);
    CHECK(miri2.sci.shape() == std::array<std::size_t, 4>{2, 3, 48, 40});
    CHECK(miri2.sci(1, 2, 47, 39) == 9.0f);
    CHECK(miri2.dq(1, 4, 4) == dq::HOT);

    auto gain = io::read_reference<GainRef>(d + "gain.fits", sci);
    gain.gain_factor = 1.75;
    io::write_reference(gain, dir / "gain.fits");
    const auto gain2 = io::read_reference<GainRef>(dir / "gain.fits", sci);
    CHECK(same_bits(gain2.sci, gain.sci));
    CHECK(gain2.gain_factor == 1.75);

    auto rn = io::read_reference<ReadnoiseRef>(d + "readnoise.fits", sci);
    io::write_reference(rn, dir / "readnoise.fits");
    CHECK(same_bits(io::read_reference<ReadnoiseRef>(dir / "readnoise.fits", sci).sci, rn.sci));

    IpcRef ipc;
    ipc.kernel.resize({3, 3}, 0.0f);
    ipc.kernel(1, 1) = 1.02f;
    io::write_reference(ipc, dir / "ipc.fits");
    const auto ipc2 = io::read_reference<IpcRef>(dir / "ipc.fits", sci);
    CHECK(!ipc2.is_per_pixel());
    CHECK(same_bits(ipc2.kernel, ipc.kernel));
}

TEST_CASE("DQ_DEF in a written reference is translated on read") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    const auto sci = io::read_ramp(golden("cr_sat/cr_sat_uncal.fits"));
    MaskRef m;
    m.geometry = {1, 1, 40, 48};
    m.dq.resize({48, 40}, 0u);
    m.dq(0, 0) = 1;       // file bit 0 = DEAD
    m.dq(0, 1) = 2;       // file bit 1 = HOT
    m.dq(0, 2) = 4;       // file bit 2 = unknown name
    m.dq(0, 3) = 1 | 2;
    const io::DqDef def = {{1, "DEAD"}, {2, "HOT"}, {4, "SOMETHING_ELSE"}};
    const auto p = scratch.path() / "mask_dqdef.fits";
    io::write_reference(m, p, &def);
    fits::FitsReader r(p);
    CHECK(r.table_rows("DQ_DEF") == 3);
    CHECK(r.read_string_column("DQ_DEF", "NAME") == std::vector<std::string>{"DEAD", "HOT", "SOMETHING_ELSE"});
    const auto back = io::read_reference<MaskRef>(p, sci);
    CHECK(back.dq(0, 0) == dq::DEAD);
    CHECK(back.dq(0, 1) == dq::HOT);
    CHECK(back.dq(0, 2) == 0u);
    CHECK(back.dq(0, 3) == (dq::DEAD | dq::HOT));
}

TEST_CASE("full-frame reference cut to a science subarray") {
    const orrery::test::TempDir scratch("orrery_fits_roundtrip");
    MaskRef full;
    full.dq.resize({2048, 2048}, 0u);
    for (std::size_t y = 0; y < 2048; ++y)
        for (std::size_t x = 0; x < 2048; ++x) full.dq(y, x) = static_cast<std::uint32_t>(y * 4096 + x);
    full.primary.set("REFTYPE", "MASK");
    full.primary.set("SUBARRAY", "FULL");  // no SUBSTRT/SUBSIZE: defaults to full frame
    const auto p = scratch.path() / "mask_full.fits";
    io::write_reference(full, p);

    ModelBase sci;
    sci.filename = "sub_uncal.fits";
    sci.meta.substrt1 = 1849;
    sci.meta.substrt2 = 1601;
    sci.meta.subsize1 = 200;
    sci.meta.subsize2 = 64;
    const auto cut = io::read_reference<MaskRef>(p, sci);
    REQUIRE(cut.dq.shape() == std::array<std::size_t, 2>{64, 200});
    CHECK(cut.dq(0, 0) == 1600u * 4096 + 1848);
    CHECK(cut.dq(63, 199) == (1600u + 63) * 4096 + 1848 + 199);
    CHECK(cut.geometry.subsize1 == 2048);

    sci.meta.substrt1 = 1900;  // 1900 + 200 - 1 > 2048
    CHECK_THROWS_WITH(io::read_reference<MaskRef>(p, sci), Catch::Contains("does not contain") && Catch::Contains("SUBSTRT1=1900"));

    // A subarray reference without SUBSTRT/SUBSIZE cannot be placed.
    MaskRef small;
    small.dq.resize({10, 10}, 0u);
    io::write_reference(small, scratch.path() / "mask_small.fits");
    sci.meta.substrt1 = 1;
    CHECK_THROWS_WITH(io::read_reference<MaskRef>(scratch.path() / "mask_small.fits", sci),
                      Catch::Contains("cannot determine the reference subarray"));
}

TEST_CASE("a round trip's scratch folder is removed with the files written into it") {
    fs::path folder;
    {
        const orrery::test::TempDir scratch("orrery_fits_roundtrip");
        folder = scratch.path();
        io::write_ramp(io::read_ramp(golden("clean_small/clean_small_uncal.fits")), scratch / "copy_uncal.fits", io::RampLayout::raw);
        fs::create_directories(scratch / "sub");
        REQUIRE(files_in(folder) == 2);
    }
    CHECK_FALSE(fs::exists(folder));
}
