// refpix ("median" algorithm) kernel and its helpers on synthetic data with
// hand-computed expectations (no golden vectors for this step).
//
// Full-frame construction, in the detector frame:
//   input(y, x) = base(y, x) + OFF[amp(x)][x % 2] * scale + s(y),   s(y) = 0.5 * y
// with base = 0 on reference pixels. Top rows hold s = 1022..1023.5, bottom rows
// 0..1.5, so every amplifier/parity offset is OFF + 511.75 (the top/bottom average).
// The side columns then hold s(y) - 511.75 and their 11-row running median is
// s(m(y)) - 511.75 with m(y) = clamp(y, 3, 2044) (mirror padding without the edge row),
// so the corrected value is exactly base + 0.5 * (y - m(y)). All numbers are dyadic:
// every expected value below is exact.
#include "orrery/jwst/algorithms/detector_frame.hpp"
#include "orrery/jwst/algorithms/refpix.hpp"
#include "orrery/jwst/algorithms/sigma_clip.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

using namespace orrery;
using namespace orrery::jwst;

namespace {

constexpr std::size_t N = 2048;
constexpr double OFF[4][2] = {{10.5, -3.25}, {7.0, 2.5}, {-1.75, 4.0}, {0.5, 12.25}};

bool is_ref(std::size_t y, std::size_t x) { return y < 4 || y >= N - 4 || x < 4 || x >= N - 4; }
double base(std::size_t y, std::size_t x) { return is_ref(y, x) ? 0.0 : 1000.0 + static_cast<double>(x % 13) + 0.25 * static_cast<double>(y % 7); }
double offset(std::size_t x, double scale) { return OFF[x / 512][x % 2] * scale; }
double s(std::size_t y) { return 0.5 * static_cast<double>(y); }

/// Detector-frame plane of rows [r0, r0+nr) (full width) of the construction.
std::vector<float> detector_plane(std::size_t r0, std::size_t nr, double scale = 1.0) {
    std::vector<float> p(nr * N);
    for (std::size_t r = 0; r < nr; ++r)
        for (std::size_t x = 0; x < N; ++x) p[r * N + x] = static_cast<float>(base(r0 + r, x) + offset(x, scale) + s(r0 + r));
    return p;
}

RampModel nir_ramp(std::size_t nints, std::size_t ngroups, std::size_t ny, std::size_t nx) {
    RampModel m;
    m.meta.instrument = "NIRCAM";
    m.meta.subarray = ny == N && nx == N ? "FULL" : "SUBTEST";
    m.meta.subsize1 = static_cast<int>(nx);
    m.meta.subsize2 = static_cast<int>(ny);
    m.sci.resize({nints, ngroups, ny, nx}, 0.f);
    m.groupdq.resize({nints, ngroups, ny, nx}, 0);
    m.pixeldq.resize({ny, nx}, 0);
    return m;
}

/// Compare a plane against expected(y, x); report the first mismatches, return their count.
template <class Expected>
std::size_t mismatches(const float* got, std::size_t ny, std::size_t nx, Expected expected) {
    std::size_t bad = 0;
    for (std::size_t y = 0; y < ny; ++y)
        for (std::size_t x = 0; x < nx; ++x) {
            const float want = expected(y, x), have = got[y * nx + x];
            const bool same = (std::isnan(want) && std::isnan(have)) || want == have;
            if (!same && ++bad <= 5) WARN("(" << y << ", " << x << "): got " << have << ", expected " << want);
        }
    return bad;
}

std::size_t median_row_full(std::size_t y) { return std::clamp<std::size_t>(y, 3, N - 4); }

/// Science (y, x) of detector (r, c) for a 2048x2048 plane, written out per orientation.
std::function<std::pair<std::size_t, std::size_t>(std::size_t, std::size_t)> science_of(int fast, int slow) {
    static constexpr std::size_t M = N - 1;  // static: the lambdas use it without capturing
    if (fast == 1 && slow == 2) return [](std::size_t r, std::size_t c) { return std::pair{r, c}; };
    if (fast == -1 && slow == 2) return [](std::size_t r, std::size_t c) { return std::pair{r, M - c}; };
    if (fast == 1 && slow == -2) return [](std::size_t r, std::size_t c) { return std::pair{M - r, c}; };
    if (fast == -1 && slow == -2) return [](std::size_t r, std::size_t c) { return std::pair{M - r, M - c}; };
    if (fast == 2 && slow == 1) return [](std::size_t r, std::size_t c) { return std::pair{c, r}; };
    if (fast == -2 && slow == 1) return [](std::size_t r, std::size_t c) { return std::pair{M - c, r}; };
    if (fast == 2 && slow == -1) return [](std::size_t r, std::size_t c) { return std::pair{c, M - r}; };
    return [](std::size_t r, std::size_t c) { return std::pair{M - c, M - r}; };  // (-2, -1)
}

}  // namespace

// ---------------------------------------------------------------------------- helpers

TEST_CASE("sigma clipping follows scipy.stats.sigmaclip + mean") {
    std::vector<double> v(10, 0.0);
    v.push_back(100.0);  // mean 9.09, std 28.7: 100 > mean + 3 std -> clipped, then all 0
    CHECK(sigma_clipped_mean(v, 3, 3) == 0.0);
    CHECK(v.size() == 10);

    // Two rounds: 1000 goes first, then 30 (mean 2.7, std 8.7 over {0 x10, 30}).
    std::vector<double> w(10, 0.0);
    w.push_back(30.0);
    w.push_back(1000.0);
    CHECK(sigma_clipped_mean(w, 3, 3) == 0.0);

    std::vector<double> kept = {1, 2, 3, 4};  // nothing clipped
    CHECK(sigma_clipped_mean(kept, 3, 3) == 2.5);

    std::vector<double> nan = {1, 2, std::numeric_limits<double>::quiet_NaN()};
    CHECK(std::isnan(*refpix_clipped_mean(nan, 3)));
    std::vector<double> none;
    CHECK_FALSE(refpix_clipped_mean(none, 3).has_value());
    std::vector<double> constant(7, 4.25);
    CHECK(*refpix_clipped_mean(constant, 3) == 4.25);
    std::vector<double> tight = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};  // siglimit 1: the 1 is clipped
    CHECK(*refpix_clipped_mean(tight, 1.0) == 0.0);
}

TEST_CASE("detector frame: FASTAXIS/SLOWAXIS flips and transposes as jwst reffile_utils") {
    // 2x3 science plane [[0,1,2],[3,4,5]]
    const float sci[6] = {0, 1, 2, 3, 4, 5};
    const auto to_det = [&](int fast, int slow) {
        DetectorOrientation o(fast, slow);
        std::vector<float> d(6);
        science_to_detector(sci, 2, 3, d.data(), o);
        std::vector<float> back(6);
        detector_to_science(d.data(), 2, 3, back.data(), o);
        CHECK(std::equal(back.begin(), back.end(), sci));
        return d;
    };
    CHECK(to_det(1, 2) == std::vector<float>{0, 1, 2, 3, 4, 5});
    CHECK(to_det(-1, 2) == std::vector<float>{2, 1, 0, 5, 4, 3});    // a[::1, ::-1]
    CHECK(to_det(1, -2) == std::vector<float>{3, 4, 5, 0, 1, 2});    // a[::-1, ::1]
    CHECK(to_det(2, 1) == std::vector<float>{0, 3, 1, 4, 2, 5});     // a.T
    CHECK(to_det(-2, 1) == std::vector<float>{3, 0, 4, 1, 5, 2});    // a[::-1, ::1].T
    CHECK(to_det(-2, -1) == std::vector<float>{5, 2, 4, 1, 3, 0});   // a[::-1, ::-1].T
    CHECK_THROWS_AS(DetectorOrientation(1, 1), orrery::InputError);
    CHECK_THROWS_AS(DetectorOrientation(0, 2), orrery::InputError);

    // A 64-row stripe at science rows 1984..2047 is at detector rows 0..63 when SLOWAXIS < 0.
    CHECK(DetectorOrientation(-1, -2).to_detector({1984, 0, 64, 2048}, N, N) == PixelRect{0, 0, 64, 2048});
    CHECK(DetectorOrientation(1, 2).to_detector({1984, 10, 64, 100}, N, N) == PixelRect{1984, 10, 64, 100});
    // NRS1-like (2, 1): science columns become detector rows.
    CHECK(DetectorOrientation(2, 1).to_detector({100, 1000, 32, 64}, N, N) == PixelRect{1000, 100, 64, 32});
    CHECK(DetectorOrientation(-2, -1).to_detector({100, 1000, 32, 64}, N, N) == PixelRect{984, 1916, 64, 32});
}

// ---------------------------------------------------------------------------- full frame

TEST_CASE("refpix full frame: per-amplifier odd/even offsets and the side running median are removed exactly") {
    auto m = nir_ramp(1, 2, N, N);
    for (std::size_t g = 0; g < 2; ++g) {
        const auto d = detector_plane(0, N, g + 1.0);  // group 1: doubled offsets
        std::copy(d.begin(), d.end(), m.sci.plane(g));
    }
    RefPixParams params;
    const auto out = subtract_reference_pixels(m, params);
    CHECK_FALSE(out.skipped);
    for (std::size_t g = 0; g < 2; ++g)
        CHECK(mismatches(m.sci.plane(g), N, N, [](std::size_t y, std::size_t x) {
                  return static_cast<float>(base(y, x) + 0.5 * (static_cast<double>(y) - static_cast<double>(median_row_full(y))));
              }) == 0);
}

TEST_CASE("refpix full frame: options without the side correction") {
    auto m = nir_ramp(1, 1, N, N);
    const auto d = detector_plane(0, N);
    std::copy(d.begin(), d.end(), m.sci.plane(0));
    RefPixParams params;
    SECTION("use_side_ref_pixels = false: only OFF + 511.75 is removed") {
        params.use_side_ref_pixels = false;
        subtract_reference_pixels(m, params);
        CHECK(mismatches(m.sci.plane(0), N, N, [](std::size_t y, std::size_t x) {
                  return static_cast<float>(base(y, x) + s(y) - 511.75);
              }) == 0);
    }
    SECTION("odd_even_columns = false: one mean per amplifier") {
        params.use_side_ref_pixels = false;
        params.odd_even_columns = false;
        subtract_reference_pixels(m, params);
        CHECK(mismatches(m.sci.plane(0), N, N, [](std::size_t y, std::size_t x) {
                  const double amp_mean = 0.5 * (OFF[x / 512][0] + OFF[x / 512][1]);
                  return static_cast<float>(base(y, x) + offset(x, 1) - amp_mean + s(y) - 511.75);
              }) == 0);
    }
    SECTION("side_gain = 0.5 scales the side signal") {
        params.side_gain = 0.5;
        subtract_reference_pixels(m, params);
        CHECK(mismatches(m.sci.plane(0), N, N, [](std::size_t y, std::size_t x) {
                  return static_cast<float>(base(y, x) + s(y) - 511.75 - 0.5 * (s(median_row_full(y)) - 511.75));
              }) == 0);
    }
}

TEST_CASE("refpix full frame: DO_NOT_USE reference pixels are excluded, outliers are clipped") {
    auto m = nir_ramp(1, 1, N, N);
    auto d = detector_plane(0, N);
    // Amplifier B, top rows, even columns: DO_NOT_USE and 1000 too high -> B even uses the bottom only.
    for (std::size_t y = N - 4; y < N; ++y)
        for (std::size_t x = 512; x < 1024; x += 2) {
            d[y * N + x] += 1000.f;
            m.pixeldq(y, x) = dq::DO_NOT_USE | dq::REFERENCE_PIXEL;
        }
    // Amplifier C, top rows, odd columns: one outlier that sigma clipping removes.
    d[(N - 3) * N + 1025] += 5000.f;
    std::copy(d.begin(), d.end(), m.sci.plane(0));
    RefPixParams params;
    params.use_side_ref_pixels = false;
    subtract_reference_pixels(m, params);

    // C odd: the top mean loses the outlier pixel (1023 values left, row 2045 has 255).
    const double c_odd_top = (256.0 * (4 * 4.0 + 1022 + 1022.5 + 1023 + 1023.5) - (4.0 + 1022.5)) / 1023.0;
    const double c_odd = 0.5 * (c_odd_top + (4.0 + 0.75));
    CHECK(mismatches(m.sci.plane(0), N, N, [&](std::size_t y, std::size_t x) {
              const double in = static_cast<double>(d[y * N + x]);
              if (x >= 512 && x < 1024 && x % 2 == 0) return static_cast<float>(in - (OFF[1][0] + 0.75));
              if (x >= 1024 && x < 1536 && x % 2 == 1) return static_cast<float>(in - c_odd);
              return static_cast<float>(in - offset(x, 1) - 511.75);
          }) == 0);
}

TEST_CASE("refpix full frame: DO_NOT_USE side pixels are left out of the running median") {
    auto m = nir_ramp(1, 1, N, N);
    auto d = detector_plane(0, N);
    for (std::size_t y = 100; y <= 104; ++y)
        for (std::size_t x : {0, 1, 2, 3, 2044, 2045, 2046, 2047}) {
            d[y * N + x] += 1.0e6f;
            m.pixeldq(y, x) = dq::DO_NOT_USE;
        }
    std::copy(d.begin(), d.end(), m.sci.plane(0));
    subtract_reference_pixels(m, {});
    // Median of the kept rows of each 11-row window (rows 100..104 dropped), by hand.
    const double med[15] = {94.5, 95, 95.5, 96, 96.5, 97.5, 98.5, 102, 105.5, 106.5, 107.5, 108, 108.5, 109, 109.5};
    CHECK(mismatches(m.sci.plane(0), N, N, [&](std::size_t y, std::size_t x) {
              const double extra = (y >= 100 && y <= 104 && is_ref(y, x)) ? 1.0e6 : 0.0;
              const double m_y = (y >= 95 && y <= 109) ? med[y - 95] : static_cast<double>(median_row_full(y));
              return static_cast<float>(base(y, x) + extra + 0.5 * (static_cast<double>(y) - m_y));
          }) == 0);
}

TEST_CASE("refpix full frame: NaN in a reference pixel propagates") {
    auto m = nir_ramp(1, 1, N, N);
    auto d = detector_plane(0, N);
    d[(N - 2) * N + 1600] = std::numeric_limits<float>::quiet_NaN();  // amplifier D, top, even column
    d[1000 * N + 700] = std::numeric_limits<float>::quiet_NaN();      // science pixel: stays alone
    std::copy(d.begin(), d.end(), m.sci.plane(0));
    subtract_reference_pixels(m, {});
    // D even columns become NaN, including right side columns 2044/2046: the right running
    // median is NaN on every row, so the side signal is the left one (equal by construction).
    CHECK(mismatches(m.sci.plane(0), N, N, [](std::size_t y, std::size_t x) {
              if ((x >= 1536 && x % 2 == 0) || (y == 1000 && x == 700)) return std::numeric_limits<float>::quiet_NaN();
              return static_cast<float>(base(y, x) + 0.5 * (static_cast<double>(y) - static_cast<double>(median_row_full(y))));
          }) == 0);
}

TEST_CASE("refpix full frame: flipped/transposed FASTAXIS/SLOWAXIS give the mirrored result") {
    // The algorithm treats amplifiers, parities and both detector edges alike, so a
    // row/column flip only mirrors the result; the exact flip of each orientation is
    // pinned down by the detector-frame test above. This checks the end-to-end wiring
    // (SCI and PIXELDQ both transformed, transposes handled, inverse applied).
    auto d = detector_plane(0, N);
    std::vector<std::uint32_t> ddq(N * N, 0);
    for (std::size_t y = 100; y <= 104; ++y)  // asymmetric DQ so that a wrong DQ transform shows
        for (std::size_t x : {0, 1, 2, 3}) {
            d[y * N + x] += 1.0e6f;
            ddq[y * N + x] = dq::DO_NOT_USE;
        }
    const int orientations[8][2] = {{1, 2}, {-1, 2}, {1, -2}, {-1, -2}, {2, 1}, {-2, 1}, {2, -1}, {-2, -1}};
    std::vector<float> reference;
    for (const auto& o : orientations) {
        INFO("FASTAXIS=" << o[0] << " SLOWAXIS=" << o[1]);
        auto m = nir_ramp(1, 1, N, N);
        m.meta.fastaxis = o[0];
        m.meta.slowaxis = o[1];
        const auto sci_of = science_of(o[0], o[1]);
        for (std::size_t r = 0; r < N; ++r)
            for (std::size_t c = 0; c < N; ++c) {
                const auto [y, x] = sci_of(r, c);
                m.sci(0, 0, y, x) = d[r * N + c];
                m.pixeldq(y, x) = ddq[r * N + c];
            }
        subtract_reference_pixels(m, {});
        std::vector<float> det(N * N);
        for (std::size_t r = 0; r < N; ++r)
            for (std::size_t c = 0; c < N; ++c) {
                const auto [y, x] = sci_of(r, c);
                det[r * N + c] = m.sci(0, 0, y, x);
            }
        if (reference.empty()) {
            reference = det;
            // The identity run itself: left median skips rows 100..104, the right one does not.
            CHECK(reference[50 * N + 600] == static_cast<float>(base(50, 600)));
        }
        CHECK(mismatches(det.data(), N, N, [&](std::size_t r, std::size_t c) { return reference[r * N + c]; }) == 0);
    }
}

TEST_CASE("refpix: ZEROFRAME is corrected like a group and its zeros stay zero") {
    auto m = nir_ramp(1, 1, N, N);
    const auto d = detector_plane(0, N);
    std::copy(d.begin(), d.end(), m.sci.plane(0));
    m.zeroframe = NdArray<float, 3>({1, N, N});
    std::copy(d.begin(), d.end(), m.zeroframe->plane(0));
    (*m.zeroframe)(0, 500, 500) = 0.f;
    (*m.zeroframe)(0, 1500, 9) = 0.f;
    const auto untouched = *m.zeroframe;
    subtract_reference_pixels(m, {});
    CHECK(*m.zeroframe == untouched);  // ZEROFRAM keyword false: not processed

    m.meta.zeroframe = true;
    std::copy(d.begin(), d.end(), m.sci.plane(0));
    subtract_reference_pixels(m, {});
    CHECK(mismatches(m.zeroframe->plane(0), N, N, [](std::size_t y, std::size_t x) {
              if ((y == 500 && x == 500) || (y == 1500 && x == 9)) return 0.f;
              return static_cast<float>(base(y, x) + 0.5 * (static_cast<double>(y) - static_cast<double>(median_row_full(y))));
          }) == 0);
}

// ---------------------------------------------------------------------------- subarrays

TEST_CASE("refpix subarray, 4 outputs: the covered part of the detector, missing reference pixels excluded") {
    // 64-row full-width stripe at detector rows 0..63: bottom reference rows only, so the
    // offsets are OFF + 0.75; the running median sees rows 0..63 only.
    const std::size_t NY = 64;
    const auto d = detector_plane(0, NY);
    const auto expected = [](std::size_t y, std::size_t x) {
        const double med_top[5] = {58.5, 59, 59.5, 60, 60.5};  // rows 59..63: windows cut at row 63
        const double m_y = y >= 59 ? med_top[y - 59] : static_cast<double>(median_row_full(y));
        return static_cast<float>(base(y, x) + 0.5 * (static_cast<double>(y) - m_y));
    };
    SECTION("at SUBSTRT2 = 1, detector orientation") {
        auto m = nir_ramp(1, 1, NY, N);
        m.primary.set("NOUTPUTS", 4);
        std::copy(d.begin(), d.end(), m.sci.plane(0));
        CHECK_FALSE(subtract_reference_pixels(m, {}).skipped);
        CHECK(mismatches(m.sci.plane(0), NY, N, expected) == 0);
    }
    SECTION("at SUBSTRT2 = 1985 with FASTAXIS=-1, SLOWAXIS=-2 (also the detector bottom)") {
        auto m = nir_ramp(1, 1, NY, N);
        m.primary.set("NOUTPUTS", 4);
        m.meta.substrt2 = 1985;
        m.meta.fastaxis = -1;
        m.meta.slowaxis = -2;
        for (std::size_t y = 0; y < NY; ++y)
            for (std::size_t x = 0; x < N; ++x) m.sci(0, 0, y, x) = d[(NY - 1 - y) * N + (N - 1 - x)];
        subtract_reference_pixels(m, {});
        CHECK(mismatches(m.sci.plane(0), NY, N,
                         [&](std::size_t y, std::size_t x) { return expected(NY - 1 - y, N - 1 - x); }) == 0);
    }
}

TEST_CASE("refpix subarray, 1 output: clipped means of REFERENCE_PIXEL pixels by detector-column parity") {
    // 32 x 40 at SUBSTRT1 = 2: subarray column x is detector column x + 1.
    const std::size_t NY = 32, NX = 40;
    const double even_off = 5.5, odd_off = -2.25;
    auto m = nir_ramp(1, 1, NY, NX);
    m.meta.substrt1 = 2;
    m.primary.set("NOUTPUTS", 1);
    const auto refpix = [](std::size_t y, std::size_t x) { return y < 4 || x < 3; };
    const auto value = [&](std::size_t y, std::size_t x) {
        const double off = (x + 1) % 2 == 0 ? even_off : odd_off;
        return refpix(y, x) ? off : 1000.0 + static_cast<double>(y * 3 + x) * 0.5 + off;
    };
    for (std::size_t y = 0; y < NY; ++y)
        for (std::size_t x = 0; x < NX; ++x) {
            m.sci(0, 0, y, x) = static_cast<float>(value(y, x));
            if (refpix(y, x)) m.pixeldq(y, x) = dq::REFERENCE_PIXEL;
        }
    for (std::size_t x = 0; x < NX; ++x) {  // row 0: DO_NOT_USE and far off (not clippable: 40 of 244)
        m.sci(0, 0, 0, x) += 100.f;
        m.pixeldq(0, x) |= dq::DO_NOT_USE;
    }
    const auto in = m.sci;
    RefPixParams params;
    SECTION("odd_even_columns = true") {
        subtract_reference_pixels(m, params);
        CHECK(mismatches(m.sci.plane(0), NY, NX, [&](std::size_t y, std::size_t x) {
                  return static_cast<float>(static_cast<double>(in(0, 0, y, x)) - ((x + 1) % 2 == 0 ? even_off : odd_off));
              }) == 0);
    }
    SECTION("odd_even_columns = false") {
        params.odd_even_columns = false;
        subtract_reference_pixels(m, params);
        // usable: rows 1..3 (120 pixels: 60 even columns) + rows 4..31 of columns 0..2 (84: 28 even)
        const double mean = (88 * even_off + 116 * odd_off) / 204.0;
        CHECK(mismatches(m.sci.plane(0), NY, NX, [&](std::size_t y, std::size_t x) {
                  return static_cast<float>(static_cast<double>(in(0, 0, y, x)) - mean);
              }) == 0);
    }
}

TEST_CASE("refpix subarray, 1 output: SUB32/SUB512/SUB512S use their first and last 4 columns") {
    const std::size_t NY = 32, NX = 32;
    for (const int fast : {1, 2}) {
        INFO("FASTAXIS=" << fast);
        auto m = nir_ramp(1, 1, NY, NX);
        m.meta.subarray = "SUB32";
        m.meta.substrt1 = 1001;
        m.meta.substrt2 = 1001;
        m.meta.fastaxis = fast;
        m.meta.slowaxis = fast == 1 ? 2 : 1;
        // Detector column parity: science column parity, or science row parity when transposed.
        const auto det_even = [&](std::size_t y, std::size_t x) { return (1000 + (fast == 1 ? x : y)) % 2 == 0; };
        for (std::size_t y = 0; y < NY; ++y)
            for (std::size_t x = 0; x < NX; ++x) {
                const double off = det_even(y, x) ? 3.5 : -8.0;
                const bool ref = x < 4 || x >= NX - 4;
                m.sci(0, 0, y, x) = static_cast<float>((ref ? 0.0 : 2000.0 + static_cast<double>(x)) + off);
            }
        subtract_reference_pixels(m, {});  // no NOUTPUTS keyword: not 4 outputs
        CHECK(mismatches(m.sci.plane(0), NY, NX, [](std::size_t, std::size_t x) {
                  return static_cast<float>((x < 4 || x >= NX - 4) ? 0.0 : 2000.0 + static_cast<double>(x));
              }) == 0);
    }
}

TEST_CASE("refpix subarray: no reference pixels, does not fit, bad keywords") {
    auto m = nir_ramp(1, 2, 16, 16);
    m.meta.substrt1 = m.meta.substrt2 = 513;
    for (std::size_t i = 0; i < m.sci.size(); ++i) m.sci[i] = static_cast<float>(i);
    const auto before = m.sci;
    auto out = subtract_reference_pixels(m, {});
    CHECK_FALSE(out.skipped);
    CHECK_FALSE(out.reason.empty());
    CHECK(m.sci == before);

    m.meta.substrt1 = 2040;  // columns 2039..2054
    out = subtract_reference_pixels(m, {});
    CHECK(out.skipped);
    CHECK(m.sci == before);

    m.meta.substrt1 = 1;
    m.meta.subsize1 = 20;
    CHECK_THROWS_AS(subtract_reference_pixels(m, {}), orrery::InputError);

    // Reference pixels only in even detector columns: jwst fails; so do we, clearly.
    auto one = nir_ramp(1, 1, 8, 8);
    one.meta.substrt1 = one.meta.substrt2 = 101;
    for (std::size_t y = 0; y < 8; ++y) one.pixeldq(y, 0) = dq::REFERENCE_PIXEL;
    CHECK_THROWS_AS(subtract_reference_pixels(one, {}), orrery::NotSupportedError);
    RefPixParams all;
    all.odd_even_columns = false;
    one.sci.fill(2.f);
    subtract_reference_pixels(one, all);
    CHECK(one.sci(0, 0, 5, 5) == 0.f);
}

TEST_CASE("refpix: unsupported modes, skips and parameter checks") {
    SECTION("MIRI subarray is skipped, MIRI full frame is not supported") {
        auto m = nir_ramp(1, 1, 64, 72);
        m.meta.instrument = "MIRI";
        CHECK(subtract_reference_pixels(m, {}).skipped);
        auto full = nir_ramp(1, 1, 1024, 1032);
        full.meta.instrument = "MIRI";
        CHECK_THROWS_AS(subtract_reference_pixels(full, {}), orrery::NotSupportedError);
    }
    SECTION("IRS2") {
        auto m = nir_ramp(1, 1, 3200, N);
        m.meta.instrument = "NIRSPEC";
        CHECK_THROWS_AS(subtract_reference_pixels(m, {}), orrery::NotSupportedError);
    }
    SECTION("refpix_algorithm") {
        RefPixParams sirs;
        sirs.refpix_algorithm = "sirs";
        auto full = nir_ramp(1, 1, N, N);
        CHECK_THROWS_AS(subtract_reference_pixels(full, sirs), orrery::NotSupportedError);
        RefPixParams bogus;
        bogus.refpix_algorithm = "mean";
        CHECK_THROWS_AS(subtract_reference_pixels(full, bogus), orrery::ParameterError);
        RefPixParams short_window;
        short_window.side_smoothing_length = 1;
        CHECK_THROWS_AS(subtract_reference_pixels(full, short_window), orrery::ParameterError);

        // jwst ignores 'sirs' for subarrays: the result equals 'median'.
        auto a = nir_ramp(1, 1, 64, N);
        a.primary.set("NOUTPUTS", 4);
        const auto d = detector_plane(0, 64);
        std::copy(d.begin(), d.end(), a.sci.plane(0));
        auto b = a;
        subtract_reference_pixels(a, {});
        subtract_reference_pixels(b, sirs);
        CHECK(a.sci == b.sci);
    }
    SECTION("defaults match the stpipe spec") {
        RefPixParams p;
        CHECK(p.odd_even_columns);
        CHECK(p.use_side_ref_pixels);
        CHECK(p.side_smoothing_length == 11);
        CHECK(p.side_gain == 1.0);
        CHECK(p.odd_even_rows);
        CHECK(p.ovr_corr_mitigation_ftr == 3.0);
        CHECK_FALSE(p.preserve_irs2_refpix);
        CHECK_FALSE(p.irs2_mean_subtraction);
        CHECK(p.refpix_algorithm == "median");
        CHECK(p.sigreject == 4.0);
        CHECK(p.gaussmooth == 1.0);
        CHECK(p.halfwidth == 30);
        CHECK(p.siglimit == 3.0);
    }
}
