// ipc kernel on small synthetic planes (no golden vectors for this step).
#include "orrery/jwst/algorithms/ipc.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace orrery;
using namespace orrery::jwst;

namespace {

/// A NIR ramp placed at SUBSTRT (x1, y1) with SUBSIZE = its plane shape.
RampModel ramp(std::size_t nints, std::size_t ngroups, std::size_t ny, std::size_t nx, int substrt1, int substrt2) {
    RampModel m;
    m.meta.instrument = "NIRCAM";
    m.meta.substrt1 = substrt1;
    m.meta.substrt2 = substrt2;
    m.meta.subsize1 = static_cast<int>(nx);
    m.meta.subsize2 = static_cast<int>(ny);
    m.sci.resize({nints, ngroups, ny, nx}, 0.f);
    m.groupdq.resize({nints, ngroups, ny, nx}, 0);
    m.pixeldq.resize({ny, nx}, 0);
    return m;
}

IpcRef kernel2d(std::size_t ky, std::size_t kx, const std::vector<float>& values) {
    IpcRef r;
    r.path = "test_ipc.fits";
    r.kernel.resize({ky, kx});
    std::copy(values.begin(), values.end(), r.kernel.begin());
    return r;
}

}  // namespace

TEST_CASE("ipc: the jwst unit-test kernel gives +0.2 (true convolution, not correlation)") {
    auto m = ramp(1, 1, 20, 24, 101, 101);  // interior subarray: no reference border
    for (std::size_t y = 0; y < 20; ++y)
        for (std::size_t x = 0; x < 24; ++x) m.sci(0, 0, y, x) = 1000.f + 2.f * y + 3.f * x;
    const auto in = m.sci;
    correct_ipc(m, kernel2d(3, 3, {0.f, -0.1f, 0.f, 0.1f, 1.f, -0.1f, 0.f, 0.1f, 0.f}));
    for (std::size_t y = 1; y < 19; ++y)
        for (std::size_t x = 1; x < 23; ++x) {
            const float v = in(0, 0, y, x);
            CHECK(std::fabs(m.sci(0, 0, y, x) - v - 0.2f) < 3e-4f);
            // The exact float32 sequence: products in row-major kernel order (zeros add
            // nothing), centre last.
            float acc = -0.1f * in(0, 0, y + 1, x);
            acc += 0.1f * in(0, 0, y, x + 1);
            acc += -0.1f * in(0, 0, y, x - 1);
            acc += 0.1f * in(0, 0, y - 1, x);
            acc += 1.f * v;
            CHECK(m.sci(0, 0, y, x) == acc);
        }
    // Corner (0, 0): the neighbours at y-1 and x-1 are zero padding.
    const float corner = (-0.1f * in(0, 0, 1, 0) + 0.1f * in(0, 0, 0, 1)) + in(0, 0, 0, 0);
    CHECK(m.sci(0, 0, 0, 0) == corner);
}

TEST_CASE("ipc: a delta reproduces the kernel, on every group of every integration") {
    const std::vector<float> k = {1.f / 16, 2.f / 16, 3.f / 16, 4.f / 16, 1.f, 5.f / 16, 6.f / 16, 7.f / 16, 8.f / 16};
    auto m = ramp(2, 2, 12, 14, 300, 300);
    for (std::size_t p = 0; p < 4; ++p) m.sci.plane(p)[5 * 14 + 6] = static_cast<float>(p + 1);
    correct_ipc(m, kernel2d(3, 3, k));
    for (std::size_t n = 0; n < 2; ++n)
        for (std::size_t g = 0; g < 2; ++g) {
            const float a = static_cast<float>(n * 2 + g + 1);
            for (std::size_t y = 0; y < 12; ++y)
                for (std::size_t x = 0; x < 14; ++x) {
                    const bool in_footprint = y >= 4 && y <= 6 && x >= 5 && x <= 7;
                    const float want = in_footprint ? a * k[(y - 4) * 3 + (x - 5)] : 0.f;
                    INFO("n=" << n << " g=" << g << " y=" << y << " x=" << x);
                    CHECK(m.sci(n, g, y, x) == want);
                }
        }
}

TEST_CASE("ipc: products are summed with the centre term last") {
    // Row-major order with the centre in place would give 1 + 2^24 -> 2^24 (ties to
    // even), + 1 -> 2^24. Centre last: (1 + 1) + 2^24 = 2^24 + 2 exactly.
    auto m = ramp(1, 1, 5, 5, 500, 500);
    m.sci(0, 0, 2, 2) = 16777216.f;
    m.sci(0, 0, 3, 3) = 1.f;  // reached by K[0][0]
    m.sci(0, 0, 1, 1) = 1.f;  // reached by K[2][2]
    correct_ipc(m, kernel2d(3, 3, {1.f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f}));
    CHECK(m.sci(0, 0, 2, 2) == 16777218.f);
}

TEST_CASE("ipc: reference border from SUBSTRT/SUBSIZE") {
    ExposureMeta m;
    m.instrument = "NIRCAM";
    m.subsize1 = m.subsize2 = 2048;
    CHECK(ipc_reference_border(m) == IpcBorder{4, 4, 4, 4});
    m.substrt1 = m.substrt2 = 1849;
    m.subsize1 = m.subsize2 = 200;
    CHECK(ipc_reference_border(m) == IpcBorder{0, 4, 0, 4});
    m.substrt1 = 3;  // x0 = 2: two reference columns on the left
    m.substrt2 = 1;
    m.subsize2 = 64;
    CHECK(ipc_reference_border(m) == IpcBorder{4, 0, 2, 0});
    ExposureMeta miri;
    miri.instrument = "MIRI";
    miri.subsize1 = 1032;
    miri.subsize2 = 1024;
    CHECK(ipc_reference_border(miri) == IpcBorder{0, 0, 4, 4});
    miri.substrt1 = 413;
    miri.subsize1 = 512;
    CHECK(ipc_reference_border(miri) == IpcBorder{0, 0, 0, 0});
}

TEST_CASE("ipc: reference pixels are neither read nor written") {
    const std::vector<float> ones(9, 1.f);
    SECTION("bottom/left border (subarray at the detector corner)") {
        auto m = ramp(1, 1, 10, 12, 1, 1);  // border bottom 4, left 4
        for (std::size_t y = 0; y < 10; ++y)
            for (std::size_t x = 0; x < 12; ++x) m.sci(0, 0, y, x) = (y < 4 || x < 4) ? 1000.f : 1.f;
        m.sci(0, 0, 3, 6) = std::numeric_limits<float>::quiet_NaN();  // NaN in a reference row does not spread
        correct_ipc(m, kernel2d(3, 3, ones));
        for (std::size_t y = 0; y < 10; ++y)
            for (std::size_t x = 0; x < 12; ++x) {
                INFO("y=" << y << " x=" << x);
                if (y < 4 || x < 4) {
                    if (y == 3 && x == 6)
                        CHECK(std::isnan(m.sci(0, 0, y, x)));
                    else
                        CHECK(m.sci(0, 0, y, x) == 1000.f);
                    continue;
                }
                const float rows = (y == 4 || y == 9) ? 2.f : 3.f;
                const float cols = (x == 4 || x == 11) ? 2.f : 3.f;
                CHECK(m.sci(0, 0, y, x) == rows * cols);
            }
    }
    SECTION("top/right border") {
        auto m = ramp(1, 1, 10, 8, 2041, 2039);  // x0 = 2040: right 4; y0 = 2038: top 4
        m.sci.fill(1.f);
        for (std::size_t y = 6; y < 10; ++y)
            for (std::size_t x = 0; x < 8; ++x) m.sci(0, 0, y, x) = 500.f;
        for (std::size_t y = 0; y < 6; ++y)
            for (std::size_t x = 4; x < 8; ++x) m.sci(0, 0, y, x) = 500.f;
        correct_ipc(m, kernel2d(3, 3, ones));
        CHECK(m.sci(0, 0, 5, 3) == 4.f);   // science corner next to both borders
        CHECK(m.sci(0, 0, 2, 2) == 9.f);
        CHECK(m.sci(0, 0, 0, 0) == 4.f);   // array corner: zero padding
        CHECK(m.sci(0, 0, 7, 7) == 500.f);
        CHECK(m.sci(0, 0, 2, 5) == 500.f);
    }
}

TEST_CASE("ipc: a 4-D kernel is cut at SUBSTRT and indexed at the output pixel") {
    IpcRef r;
    r.path = "ipc4d.fits";
    const std::size_t NY = 40, NX = 40;
    r.per_pixel.resize({3, 3, NY, NX}, 0.f);
    for (std::size_t Y = 0; Y < NY; ++Y)
        for (std::size_t X = 0; X < NX; ++X) r.per_pixel(0, 0, Y, X) = static_cast<float>(Y * 64 + X) / 8.f;
    SECTION("interior subarray") {
        auto m = ramp(1, 1, 6, 8, 11, 21);  // x0 = 10, y0 = 20, no border
        m.sci.fill(1.f);
        correct_ipc(m, r);
        for (std::size_t y = 0; y < 6; ++y)
            for (std::size_t x = 0; x < 8; ++x) {
                // K[0][0] weights S(y+1, x+1); the last row/column sees zero padding.
                const float want = (y < 5 && x < 7) ? static_cast<float>((20 + y) * 64 + 10 + x) / 8.f : 0.f;
                INFO("y=" << y << " x=" << x);
                CHECK(m.sci(0, 0, y, x) == want);
            }
    }
    SECTION("corner subarray with a reference border") {
        auto m = ramp(1, 1, 6, 8, 1, 1);  // border bottom 4, left 4
        m.sci.fill(1.f);
        correct_ipc(m, r);
        CHECK(m.sci(0, 0, 4, 4) == static_cast<float>(4 * 64 + 4) / 8.f);
        CHECK(m.sci(0, 0, 4, 6) == static_cast<float>(4 * 64 + 6) / 8.f);
        CHECK(m.sci(0, 0, 4, 7) == 0.f);
        CHECK(m.sci(0, 0, 5, 5) == 0.f);
        CHECK(m.sci(0, 0, 3, 3) == 1.f);  // reference pixel untouched
    }
    SECTION("slice outside the kernel plane") {
        auto m = ramp(1, 1, 6, 8, 35, 1);
        CHECK_THROWS_AS(correct_ipc(m, r), orrery::InputError);
    }
    SECTION("full-frame keywords need a full-size kernel plane") {
        auto m = ramp(1, 1, 6, 8, 1, 1);
        m.meta.subsize1 = m.meta.subsize2 = 2048;
        CHECK_THROWS_AS(correct_ipc(m, r), orrery::InputError);
    }
}

TEST_CASE("ipc: NaN spreads over the kernel footprint, even through zero weights") {
    auto m = ramp(1, 1, 9, 9, 700, 700);
    for (std::size_t y = 0; y < 9; ++y)
        for (std::size_t x = 0; x < 9; ++x) m.sci(0, 0, y, x) = static_cast<float>(y * 9 + x);
    m.sci(0, 0, 4, 4) = std::numeric_limits<float>::quiet_NaN();
    correct_ipc(m, kernel2d(3, 3, {0.f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 0.f}));
    for (std::size_t y = 0; y < 9; ++y)
        for (std::size_t x = 0; x < 9; ++x) {
            INFO("y=" << y << " x=" << x);
            if (y >= 3 && y <= 5 && x >= 3 && x <= 5)
                CHECK(std::isnan(m.sci(0, 0, y, x)));
            else
                CHECK(m.sci(0, 0, y, x) == static_cast<float>(y * 9 + x));
        }
}

TEST_CASE("ipc: odd non-square kernels work, even sizes and IRS2 are refused") {
    std::vector<float> k(15);
    for (std::size_t i = 0; i < 15; ++i) k[i] = static_cast<float>(i + 1);
    auto m = ramp(1, 1, 8, 10, 900, 900);
    m.sci(0, 0, 3, 4) = 1.f;
    correct_ipc(m, kernel2d(3, 5, k));
    for (std::size_t y = 0; y < 8; ++y)
        for (std::size_t x = 0; x < 10; ++x) {
            const bool in_footprint = y >= 2 && y <= 4 && x >= 2 && x <= 6;
            CHECK(m.sci(0, 0, y, x) == (in_footprint ? k[(y - 2) * 5 + (x - 2)] : 0.f));
        }

    auto even = ramp(1, 1, 8, 10, 900, 900);
    CHECK_THROWS_AS(correct_ipc(even, kernel2d(4, 4, std::vector<float>(16, 0.f))), orrery::NotSupportedError);
    CHECK_THROWS_AS(correct_ipc(even, kernel2d(3, 2, std::vector<float>(6, 0.f))), orrery::NotSupportedError);

    auto irs2 = ramp(1, 1, 3200, 2048, 1, 1);
    CHECK_THROWS_AS(correct_ipc(irs2, kernel2d(3, 3, std::vector<float>(9, 0.f))), orrery::NotSupportedError);

    auto nosize = ramp(1, 1, 8, 10, 1, 1);
    nosize.meta.subsize1 = 0;
    CHECK_THROWS_AS(correct_ipc(nosize, kernel2d(3, 3, std::vector<float>(9, 0.f))), orrery::InputError);
    CHECK_THROWS_AS(correct_ipc(m, IpcRef{}), orrery::InputError);
}

TEST_CASE("ipc: a subarray inside the reference strip is a no-op") {
    auto m = ramp(1, 1, 3, 10, 100, 1);  // rows 0..2: all reference rows
    m.sci.fill(7.f);
    const auto before = m.sci;
    correct_ipc(m, kernel2d(3, 3, std::vector<float>(9, 1.f)));
    CHECK(m.sci == before);
}
