// FitsWriter's direct image data path (raw_image_write.hpp) writes exactly the bytes of
// cfitsio's fits_write_img, for every element type (BZERO types included), odd sizes
// and extreme values; rate products read back bit for bit.

#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/array/fits/fits_writer.hpp"
#include "orrery/jwst/io/rate_io.hpp"

#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

using namespace orrery;
using namespace orrery::jwst;
namespace fs = std::filesystem;

namespace {

std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <class T, std::size_t R = 3>
NdArray<T, R> values(const std::array<std::size_t, R>& shape, std::uint32_t seed) {
    NdArray<T, R> a(shape);
    std::mt19937_64 rng(seed);
    for (auto& v : a) {
        const std::uint64_t r = rng();
        std::memcpy(&v, &r, sizeof(T));  // every bit pattern (NaN payloads too for floats)
    }
    using L = std::numeric_limits<T>;
    a[0] = L::lowest();
    a[1] = L::max();
    a[2] = T(0);
    if constexpr (L::has_quiet_NaN) {
        a[3] = L::quiet_NaN();
        a[4] = -L::infinity();
        a[5] = -T(0);
    }
    return a;
}

template <class T>
void check_type(const fs::path& dir, const char* name) {
    INFO(name);
    const auto a = values<T>({3, 7, 1001}, 42);  // not a multiple of the 2880-byte block
    const auto b = values<T>({1, 2, 3}, 43);
    Header extra;
    extra.set("BUNIT", "DN", "units");
    for (bool direct : {true, false}) {
        fits::FitsWriter w(dir / (std::string(name) + (direct ? "_direct.fits" : "_cfitsio.fits")));
        w.direct_data = direct;
        w.write_primary(Header{});
        w.write_image("A", a, extra);
        w.write_image("B", b);
        w.commit();
    }
    CHECK(bytes_of(dir / (std::string(name) + "_direct.fits")) == bytes_of(dir / (std::string(name) + "_cfitsio.fits")));
    fits::FitsReader r(dir / (std::string(name) + "_direct.fits"));
    const auto back = r.read<T, 3>("A");
    CHECK(std::memcmp(back.data(), a.data(), a.size() * sizeof(T)) == 0);
}

}  // namespace

TEST_CASE("direct image data writes the bytes fits_write_img writes", "[fits][write]") {
    const orrery::test::TempDir dir("orrery_rawwrite");
    check_type<float>(dir, "float32");
    check_type<double>(dir, "float64");
    check_type<std::uint8_t>(dir, "uint8");
    check_type<std::int8_t>(dir, "int8");
    check_type<std::int16_t>(dir, "int16");
    check_type<std::uint16_t>(dir, "uint16");
    check_type<std::int32_t>(dir, "int32");
    check_type<std::uint32_t>(dir, "uint32");
    check_type<std::int64_t>(dir, "int64");
    check_type<std::uint64_t>(dir, "uint64");
}

TEST_CASE("rate products written directly read back bit for bit", "[fits][write]") {
    const orrery::test::TempDir dir("orrery_rawwrite");
    RateModel m;
    m.primary.set("TELESCOP", "JWST", "");
    const std::array<std::size_t, 2> shape{33, 65};
    m.sci = values<float, 2>(shape, 1);
    m.err = values<float, 2>(shape, 2);
    m.var_poisson = values<float, 2>(shape, 3);
    m.var_rnoise = values<float, 2>(shape, 4);
    m.dq = values<std::uint32_t, 2>(shape, 5);
    io::write_rate(m, dir / "direct_rate.fits");
    const RateModel back = io::read_rate(dir / "direct_rate.fits");
    CHECK(back.dq == m.dq);
    CHECK(std::memcmp(back.sci.data(), m.sci.data(), m.sci.size() * 4) == 0);
}
