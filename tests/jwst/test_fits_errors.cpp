// Broken inputs: each must raise orrery::InputError with one line naming the file
// (and the extension where there is one), never crash or return garbage.

#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/reference_io.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace orrery;
using namespace orrery::jwst;

namespace {
std::string golden(const std::string& rel) { return std::string(ORRERY_TEST_DATA_DIR) + "/golden/" + rel; }

std::vector<char> slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
fs::path write_bytes(const fs::path& dir, const std::string& name, const std::vector<char>& bytes) {
    const auto p = dir / name;
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
}

/// Runs f, requires an InputError whose one-line message starts with the file and contains every fragment.
template <class F>
std::string expect_input_error(const fs::path& file, F&& f, std::initializer_list<std::string> fragments = {}) {
    try {
        f();
    } catch (const orrery::InputError& e) {
        const std::string msg = e.what();
        INFO(msg);
        CHECK(msg.rfind(file.string() + ": ", 0) == 0);
        CHECK(msg.find('\n') == std::string::npos);
        for (const auto& frag : fragments) CHECK(msg.find(frag) != std::string::npos);
        return msg;
    } catch (const std::exception& e) {
        FAIL("wrong exception type: " << e.what());
    }
    FAIL("no exception for " << file);
    return {};
}
}  // namespace

TEST_CASE("real JWST file whose SCI does not match its header") {
    const fs::path p = std::string(ORRERY_TEST_DATA_DIR) + "/real/jw01075001001_03105_00009_nrca2_uncal.fits";
    const auto msg = expect_input_error(p, [&] { (void)io::read_ramp(p); },
                                        {"SCI", "(1, 1, 1, 1)", "(1, 10, 2048, 2048)"});
    WARN(msg);
    // The file itself is readable: header and the 1-pixel array.
    fits::FitsReader r(p);
    CHECK(r.primary_header().get_int("NGROUPS") == 10);
    CHECK(r.read<float, 4>("SCI").size() == 1);
    CHECK(r.has("ASDF"));
    expect_input_error(p, [&] { (void)r.read<float, 4>("ASDF"); }, {"ASDF", "table"});
}

TEST_CASE("missing file, directory, empty file") {
    const orrery::test::TempDir scratch("orrery_fits_errors");
    const fs::path missing = scratch.path() / "nope_uncal.fits";
    expect_input_error(missing, [&] { (void)io::read_ramp(missing); }, {"no such file"});
    expect_input_error(scratch.path(), [&] { fits::FitsReader r(scratch.path()); }, {"directory"});
    const auto empty = write_bytes(scratch, "empty.fits", {});
    expect_input_error(empty, [&] { (void)io::read_ramp(empty); });
    const auto text = write_bytes(scratch, "text.fits", std::vector<char>(5000, 'x'));
    expect_input_error(text, [&] { (void)io::read_ramp(text); });
}

TEST_CASE("truncated files") {
    const orrery::test::TempDir scratch("orrery_fits_errors");
    const auto bytes = slurp(golden("cr_sat/cr_sat_uncal.fits"));
    for (std::size_t keep : {std::size_t{100}, std::size_t{2880 * 3}, bytes.size() / 2, bytes.size() - 2880}) {
        INFO("kept " << keep << " of " << bytes.size() << " bytes");
        const auto p = write_bytes(scratch, "trunc_" + std::to_string(keep) + ".fits", {bytes.begin(), bytes.begin() + static_cast<long>(keep)});
        expect_input_error(p, [&] { (void)io::read_ramp(p); });
    }
    const auto ref = slurp(golden("cr_sat/ref/dark.fits"));
    const auto p = write_bytes(scratch, "trunc_dark.fits", {ref.begin(), ref.begin() + static_cast<long>(ref.size() / 2)});
    const auto sci = io::read_ramp(golden("cr_sat/cr_sat_uncal.fits"));
    expect_input_error(p, [&] { (void)io::read_reference<DarkRef>(p, sci); });
}

TEST_CASE("corrupt bytes") {
    const orrery::test::TempDir scratch("orrery_fits_errors");
    const auto bytes = slurp(golden("cr_sat/cr_sat_uncal.fits"));
    auto bad_simple = bytes;
    std::copy_n("GARBAGE!", 8, bad_simple.begin());
    const auto p1 = write_bytes(scratch, "bad_simple.fits", bad_simple);
    expect_input_error(p1, [&] { (void)io::read_ramp(p1); });

    // Corrupt the SCI header's NAXIS1 value.
    auto bad_naxis = bytes;
    const std::string key = "NAXIS1  = ";
    auto it = std::search(bad_naxis.begin(), bad_naxis.end(), key.begin(), key.end());
    REQUIRE(it != bad_naxis.end());
    std::copy_n("  'forty' / broken           ", 20, it + 10);
    const auto p2 = write_bytes(scratch, "bad_naxis.fits", bad_naxis);
    expect_input_error(p2, [&] { (void)io::read_ramp(p2); });

    // Destroy the END card region of the SCI header: cfitsio cannot find the data.
    auto bad_xt = bytes;
    const std::string xt = "XTENSION= 'IMAGE   '";
    auto jt = std::search(bad_xt.begin(), bad_xt.end(), xt.begin(), xt.end());
    REQUIRE(jt != bad_xt.end());
    std::fill(jt, jt + 2880, '\x07');
    const auto p3 = write_bytes(scratch, "bad_xtension.fits", bad_xt);
    expect_input_error(p3, [&] { (void)io::read_ramp(p3); });
}

TEST_CASE("missing extension, wrong rank, wrong data type, bad keyword") {
    const orrery::test::TempDir scratch("orrery_fits_errors");
    const fs::path gain = golden("cr_sat/ref/gain.fits");
    const auto sci = io::read_ramp(golden("cr_sat/cr_sat_uncal.fits"));
    expect_input_error(gain, [&] { (void)io::read_reference<LinearityRef>(gain, sci); }, {"no COEFFS extension"});
    fits::FitsReader r(gain);
    expect_input_error(gain, [&] { (void)r.read<float, 2>("NOPE"); }, {"no NOPE extension"});
    expect_input_error(gain, [&] { (void)r.read<float, 3>("SCI"); }, {"SCI", "2 axes", "(48, 40)", "expected 3"});
    expect_input_error(gain, [&] { (void)r.read<std::uint32_t, 2>("SCI"); }, {"SCI", "float32", "integer"});
    // uint16 data do not fit uint8: cfitsio's overflow check.
    const fs::path uncal = golden("cr_sat/cr_sat_uncal.fits");
    fits::FitsReader u(uncal);
    expect_input_error(uncal, [&] { (void)u.read<std::uint8_t, 4>("SCI"); }, {"SCI", "uint8"});
    // A rank-2 file passed as a ramp.
    expect_input_error(gain, [&] { (void)io::read_ramp(gain); }, {"SCI", "2 axes"});

    // A keyword of the wrong type.
    auto bytes = slurp(uncal);
    const std::string key = "NGROUPS =                   12";
    auto it = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
    REQUIRE(it != bytes.end());
    const std::string repl = "NGROUPS = 'twelve'                ";
    std::copy(repl.begin(), repl.begin() + static_cast<long>(key.size()), it);
    const auto p = write_bytes(scratch, "bad_keyword.fits", bytes);
    expect_input_error(p, [&] { (void)io::read_ramp(p); }, {"NGROUPS", "not an integer"});
}

TEST_CASE("the scratch folder of the error cases is removed, also when a case fails") {
    fs::path folder;
    try {
        const orrery::test::TempDir scratch("orrery_fits_errors");
        folder = scratch.path();
        const auto p = write_bytes(scratch, "text.fits", std::vector<char>(5000, 'x'));
        REQUIRE(fs::exists(p));
        (void)io::read_ramp(p);  // throws, as a failing REQUIRE would
        FAIL("a text file read as a ramp");
    } catch (const orrery::InputError&) {
    }
    REQUIRE_FALSE(folder.empty());
    CHECK_FALSE(fs::exists(folder));
}
