#pragma once
// Exposure simulator: a raw NIRCam-like ramp (integer DN, uint16 range) with the
// matching reference files, seeded and deterministic (any thread count).
//
// Physics, per pixel and integration (frame k is read (k+1)*TFRAME after reset):
//   charge  Q_k = Q_{k-1} + Poisson((flux + dark) * gain * TFRAME) [+ cosmic-ray electrons]
//   signal  S_k = Q_k / gain (DN, linear); raw r_k = P^-1(S_k) where P is the pixel's
//           LINEARITY polynomial, so linearity correction recovers S_k; r_k is capped
//           at the pixel's full well (a little above its SATURATION threshold)
//   read    bias + per-integration reset (kTC) and amplifier offsets + r_k + N(0, RN/sqrt 2)
//           (READNOISE is the CDS noise, as in JWST); a group is the mean of its NFRAMES
//           reads (GROUPGAP frames are skipped), rounded and clipped to [0, 65535].
// References: MASK (DEAD|DO_NOT_USE, HOT, REFERENCE_PIXEL|DO_NOT_USE), SATURATION (NaN +
// NO_SAT_CHECK for some bad pixels), SUPERBIAS (structured bias, UNRELIABLE_BIAS), LINEARITY
// (c0..c3), DARK (NFRAMES=1, GROUPGAP=0, two more frames than the exposure needs; hot
// pixels; UNRELIABLE_DARK), GAIN, READNOISE — the layout of tests/data/golden/*/ref.
// The true flux image (DN/s, linear, dark excluded) is kept for slope checks.

#include "orrery/parallel/tbb_parallel_for.hpp"
#include "orrery/jwst/dq_flags.hpp"
#include "orrery/array/fits/fits_writer.hpp"
#include "orrery/jwst/io/ramp_io.hpp"
#include "orrery/jwst/io/reference_write.hpp"
#include "orrery/jwst/models.hpp"
#include "orrery/jwst/sim/random.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace orrery::jwst {

struct SimulationConfig {
    std::string name = "sim";  // output: <name>_uncal.fits
    // Geometry: science array (ny, nx) at SUBSTRT1/2 on a 2048 x 2048 NIR detector.
    int nints = 1, ngroups = 10;
    int ny = 2048, nx = 2048;
    int substrt1 = 1, substrt2 = 1;
    bool full_frame_references = false;  // references cover the whole detector (cut on load)
    // Readout.
    int nframes = 1, groupgap = 0;
    double tframe = 10.73677;  // [s]
    std::string detector = "NRCA1";
    // Randomness and speed.
    std::uint64_t seed = 1;
    unsigned threads = 0;  // 0: hardware concurrency; results do not depend on it
    // Detector [DN unless noted].
    double bias_level = 12000.0, bias_pixel_sigma = 100.0, bias_column_sigma = 30.0, bias_amp_step = 150.0;
    double reset_noise = 10.0;       // kTC: per integration and pixel
    double amp_offset_sigma = 5.0;   // per integration and amplifier (512-column strips)
    double gain = 2.0, gain_sigma = 0.05;           // [e-/DN]
    double readnoise = 9.0, readnoise_sigma = 0.5;  // CDS read noise
    double dark_current = 0.01, dark_current_sigma = 0.002;  // [DN/s]
    double saturation_signal = 46000.0, saturation_sigma = 800.0;  // threshold above bias
    double full_well_margin = 1500.0;  // raw signal stops rising this far above the threshold
    double lin_c2 = 2e-6, lin_c3 = 1e-11, lin_sigma = 0.05;  // LINEARITY coefficients (relative scatter)
    // Scene.
    double sky_rate = 0.5;  // [DN/s]
    std::optional<int> n_sources;  // faint stars (default: one per 2000 pixels)
    double source_peak_min = 1.0, source_peak_max = 50.0, psf_sigma = 1.2;  // [DN/s], [pixels]
    int n_saturating_stars = 5;
    std::optional<int> n_cosmic_rays;  // default: 1e-5 per pixel per second of ramp
    double cr_min_electrons = 200.0, cr_max_electrons = 40000.0;
    // Bad pixels (cycled through DEAD, NO_SAT_CHECK, UNRELIABLE_BIAS, UNRELIABLE_DARK).
    std::optional<int> n_bad_pixels;  // default: one per 1000 pixels
    std::optional<int> n_hot_pixels;  // default: one per 2000 pixels
    int n_nan_gain = 0;      // GAIN reference NaN
    int n_floor_pixels = 0;  // read 0 DN (A/D floor)

    [[nodiscard]] int frames_per_integration() const { return ngroups * (nframes + groupgap) - groupgap; }
    [[nodiscard]] double tgroup() const { return (nframes + groupgap) * tframe; }
};

struct SimulatedCosmicRay {
    int integration = 0, frame = 0, group = 0;  // group whose reads first include the charge
    int y = 0, x = 0;                           // science coordinates
    double electrons = 0.0;
};

struct SimulatedExposure {
    SimulationConfig config;
    RampModel ramp;  // raw: integer DN in SCI, zero DQ arrays
    MaskRef mask;
    SaturationRef saturation;
    SuperbiasRef superbias;
    LinearityRef linearity;
    DarkRef dark;
    GainRef gain;
    ReadnoiseRef readnoise;
    NdArray<float, 2> true_rate;  // (ny, nx) sky + sources [DN/s], linear, dark excluded
    NdArray<float, 2> dark_rate;  // (ny, nx) dark current [DN/s]
    std::vector<SimulatedCosmicRay> cosmic_rays;
    NdArray<std::uint8_t, 2> dead;  // (ny, nx) 1 where the pixel has no response (DEAD, reference, A/D floor)

    [[nodiscard]] const NdArray<float, 2>& true_flux() const noexcept { return true_rate; }
};

namespace sim {

/// Threads the simulator uses: `requested`, or every hardware thread for 0.
inline unsigned resolve_threads(unsigned requested) {
    if (requested) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw ? hw : 1;
}

enum Stream : std::uint64_t { pixel_props = 1, columns, scene, ramp_noise, amp_offsets, bad_pixels, cosmics };

inline std::string readout_pattern(int nframes, int groupgap) {
    struct P { int nf, gap; const char* name; };
    static constexpr P known[] = {{1, 0, "RAPID"},    {1, 1, "BRIGHT1"}, {2, 0, "BRIGHT2"}, {2, 3, "SHALLOW2"}, {4, 1, "SHALLOW4"},
                                  {2, 8, "MEDIUM2"},  {8, 2, "MEDIUM8"}, {2, 18, "DEEP2"},  {8, 12, "DEEP8"}};
    for (const auto& p : known)
        if (p.nf == nframes && p.gap == groupgap) return p.name;
    return "CUSTOM";
}

inline std::string subarray_name(const SimulationConfig& c) {
    return c.nx == 2048 && c.ny == 2048 ? "FULL" : "SUB" + std::to_string(c.nx) + "X" + std::to_string(c.ny);
}

/// Primary header of the raw exposure (level-1b keywords the pipeline reads).
inline Header uncal_header(const SimulationConfig& c) {
    Header h;
    h.append_card("SIMPLE  =                    T / conforms to FITS standard");
    h.append_card("BITPIX  =                    8 / array data type");
    h.append_card("NAXIS   =                    0 / number of array dimensions");
    h.append_card("EXTEND  =                    T");
    h.set("DATE", "2026-01-01T00:00:00.000", "UTC date file created");
    h.set("ORIGIN", "ORRERY", "Organization responsible for creating file");
    h.set("DATAMODL", "Level1bModel", "Type of data model");
    h.set("TELESCOP", "JWST", "Telescope used to acquire the data");
    h.set("FILENAME", c.name + "_uncal.fits", "Name of the file");
    h.append_card("COMMENT Simulated exposure (orrery exposure simulator), seed " + std::to_string(c.seed));
    h.set("DATE-OBS", "2026-01-01", "[yyyy-mm-dd] UTC date at start of exposure");
    h.set("TIME-OBS", "00:00:00.000", "[hh:mm:ss.sss] UTC time at start of exposure");
    h.set("INSTRUME", "NIRCAM", "Instrument used to acquire the data");
    h.set("DETECTOR", c.detector, "Name of detector used to acquire the data");
    h.set("MODULE", c.detector.size() > 3 ? c.detector.substr(3, 1) : "A", "NIRCam module: A, B, or MULTIPLE");
    h.set("CHANNEL", c.detector.find("LONG") == std::string::npos ? "SHORT" : "LONG", "Instrument channel");
    h.set("FILTER", "F210M", "Name of the filter element used");
    h.set("PUPIL", "CLEAR", "Name of the pupil element used");
    h.set("EXP_TYPE", "NRC_IMAGE", "Type of data in the exposure");
    h.set("READPATT", readout_pattern(c.nframes, c.groupgap), "Readout pattern");
    h.set("NOUTPUTS", 4, "Number of detector outputs used");
    h.set("NINTS", c.nints, "Number of integrations in exposure");
    h.set("NGROUPS", c.ngroups, "Number of groups in integration");
    h.set("NFRAMES", c.nframes, "Number of frames per group");
    h.set("FRMDIVSR", c.nframes, "Divisor applied to frame-averaged groups");
    h.set("GROUPGAP", c.groupgap, "Number of frames dropped between groups");
    h.set("DRPFRMS1", 0, "Frames dropped prior to first integration");
    h.set("DRPFRMS3", 0, "Frames dropped between integrations");
    h.set("NSAMPLES", 1, "Number of A/D samples per pixel");
    h.set("TSAMPLE", 10.0, "[us] Time between samples");
    h.set("TFRAME", c.tframe, "[s] Time between frames");
    h.set("TGROUP", c.tgroup(), "[s] Time between groups");
    h.set("EFFINTTM", c.tgroup() * (c.ngroups - 1), "[s] Effective integration time");
    h.set("NRSTSTRT", 1, "Number of resets at start of exposure");
    h.set("NRESETS", 1, "Number of resets between integrations");
    h.set("ZEROFRAM", false, "Zero frame was downlinked separately");
    h.set("SUBARRAY", subarray_name(c), "Subarray used");
    h.set("SUBSTRT1", c.substrt1, "Starting pixel in axis 1 direction");
    h.set("SUBSTRT2", c.substrt2, "Starting pixel in axis 2 direction");
    h.set("SUBSIZE1", c.nx, "Number of pixels in axis 1 direction");
    h.set("SUBSIZE2", c.ny, "Number of pixels in axis 2 direction");
    h.set("FASTAXIS", -1, "Fast readout axis direction");
    h.set("SLOWAXIS", 2, "Slow readout axis direction");
    return h;
}

/// Primary header of a reference file (golden layout).
inline Header reference_header(const SimulationConfig& c, const char* reftype, const RefGeometry& g) {
    Header h;
    h.append_card("SIMPLE  =                    T / conforms to FITS standard");
    h.append_card("BITPIX  =                    8 / array data type");
    h.append_card("NAXIS   =                    0 / number of array dimensions");
    h.append_card("EXTEND  =                    T");
    h.set("TELESCOP", "JWST");
    h.set("INSTRUME", "NIRCAM");
    h.set("DETECTOR", c.detector);
    h.set("SUBARRAY", g.subsize1 == 2048 && g.subsize2 == 2048 ? std::string("FULL") : subarray_name(c));
    h.set("SUBSTRT1", g.substrt1);
    h.set("SUBSTRT2", g.substrt2);
    h.set("SUBSIZE1", g.subsize1);
    h.set("SUBSIZE2", g.subsize2);
    h.set("FASTAXIS", -1);
    h.set("SLOWAXIS", 2);
    h.set("REFTYPE", reftype);
    return h;
}

/// Solve P(r) = s for the raw signal r by Newton's method from `start` (P is increasing
/// and convex for r >= 0, so Newton converges from either side; starting at the previous
/// frame's root takes two or three steps).
inline double inverse_linearity(double s, double c0, double c1, double c2, double c3, double start) {
    double r = start;
    for (int it = 0; it < 40; ++it) {
        const double p = ((c3 * r + c2) * r + c1) * r + c0 - s;
        const double dp = (3.0 * c3 * r + 2.0 * c2) * r + c1;
        if (!(dp > 0.0)) break;
        const double step = p / dp;
        r -= step;
        if (std::fabs(step) < 1e-4) break;  // DN; reads are rounded to integers
    }
    return r;
}

inline bool is_reference_pixel(int y_det, int x_det) { return y_det < 4 || y_det >= 2044 || x_det < 4 || x_det >= 2044; }

}  // namespace sim

namespace sim {

/// Throws orrery::ParameterError for an invalid configuration.
inline void check_config(const SimulationConfig& c) {
    auto bad = [](const char* key, const std::string& problem) { throw orrery::ParameterError(key, "SimulationConfig", problem); };
    if (c.nints < 1) bad("nints", "must be >= 1");
    if (c.ngroups < 1) bad("ngroups", "must be >= 1");
    if (c.nframes < 1) bad("nframes", "must be >= 1");
    if (c.groupgap < 0) bad("groupgap", "must be >= 0");
    if (c.ny < 1 || c.nx < 1) bad("ny/nx", "must be >= 1");
    if (c.substrt1 < 1 || c.substrt2 < 1 || c.substrt1 - 1 + c.nx > 2048 || c.substrt2 - 1 + c.ny > 2048)
        bad("substrt1/substrt2", "the science array must lie on the 2048 x 2048 detector");
    if (!(c.tframe > 0)) bad("tframe", "must be > 0");
    if (!(c.gain > 0)) bad("gain", "must be > 0");
}

/// Where the science array and the reference region lie on the detector.
struct Layout {
    std::size_t ny = 0, nx = 0;    // science array
    int sy0 = 0, sx0 = 0;          // science origin on the detector
    int ry0 = 0, rx0 = 0;          // reference region origin on the detector
    std::size_t rny = 0, rnx = 0;  // reference region size
    std::size_t oy = 0, ox = 0;    // science offset inside the reference region
    RefGeometry geometry;          // the reference files' SUBSTRT/SUBSIZE
    int frames = 0;                // frames read per integration
    int dark_planes = 0;           // frames in the DARK reference
};

inline Layout layout(const SimulationConfig& c) {
    using std::size_t;
    Layout l;
    l.ny = static_cast<size_t>(c.ny);
    l.nx = static_cast<size_t>(c.nx);
    l.sy0 = c.substrt2 - 1;
    l.sx0 = c.substrt1 - 1;
    l.ry0 = c.full_frame_references ? 0 : l.sy0;
    l.rx0 = c.full_frame_references ? 0 : l.sx0;
    l.rny = c.full_frame_references ? 2048 : l.ny;
    l.rnx = c.full_frame_references ? 2048 : l.nx;
    l.oy = static_cast<size_t>(l.sy0 - l.ry0);
    l.ox = static_cast<size_t>(l.sx0 - l.rx0);
    l.geometry = RefGeometry{l.rx0 + 1, l.ry0 + 1, static_cast<int>(l.rnx), static_cast<int>(l.rny)};
    l.frames = c.frames_per_integration();
    l.dark_planes = l.frames + 2;
    return l;
}

/// Per-pixel detector properties over the reference region, into the references:
/// SUPERBIAS, GAIN, READNOISE, SATURATION, LINEARITY and MASK's reference pixels.
/// Returns the dark current map [DN/s] over the same region.
inline NdArray<float, 2> detector_properties(const SimulationConfig& c, const Layout& l, unsigned threads, SimulatedExposure& out) {
    using std::size_t;
    std::vector<double> column_offset(2048);
    {
        SimRng rng(stream_seed(c.seed, columns));
        for (auto& v : column_offset) v = c.bias_column_sigma * rng.normal();
    }
    const double amp_step[4] = {0.0, c.bias_amp_step, -0.8 * c.bias_amp_step, 0.5 * c.bias_amp_step};
    const size_t rny = l.rny, rnx = l.rnx;
    const std::array<size_t, 2> rplane{rny, rnx};
    auto& bias = out.superbias.sci;
    bias.resize(rplane);
    out.superbias.dq.resize(rplane, 0u);
    out.gain.sci.resize(rplane);
    out.readnoise.sci.resize(rplane);
    out.saturation.sci.resize(rplane);
    out.saturation.dq.resize(rplane, 0u);
    out.linearity.coeffs.resize({4, rny, rnx});
    out.linearity.dq.resize(rplane, 0u);
    out.mask.dq.resize(rplane, 0u);
    NdArray<float, 2> dark_full(rplane);
    parallel_rows(rny, static_cast<int>(threads), 8, [&](size_t y0, size_t y1) {  // each row seeds its own stream
        for (size_t y = y0; y < y1; ++y) {
            const int yd = l.ry0 + static_cast<int>(y);
            SimRng rng(stream_seed(c.seed, pixel_props, static_cast<std::uint64_t>(yd), static_cast<std::uint64_t>(l.rx0)));
            for (size_t x = 0; x < rnx; ++x) {
                const int xd = l.rx0 + static_cast<int>(x);
                const double b = c.bias_level + amp_step[xd / 512] + column_offset[static_cast<size_t>(xd)] + 0.1 * yd +
                                 c.bias_pixel_sigma * rng.normal();
                bias(y, x) = static_cast<float>(b);
                out.gain.sci(y, x) = static_cast<float>(c.gain * (1.0 + c.gain_sigma * rng.normal()));
                out.readnoise.sci(y, x) = static_cast<float>(std::max(0.5, c.readnoise + c.readnoise_sigma * rng.normal()));
                dark_full(y, x) = static_cast<float>(std::max(0.0, c.dark_current + c.dark_current_sigma * rng.normal()));
                out.saturation.sci(y, x) = static_cast<float>(b + c.saturation_signal + c.saturation_sigma * rng.normal());
                out.linearity.coeffs(0, y, x) = 0.0f;
                out.linearity.coeffs(1, y, x) = 1.0f;
                out.linearity.coeffs(2, y, x) = static_cast<float>(c.lin_c2 * (1.0 + c.lin_sigma * rng.normal()));
                out.linearity.coeffs(3, y, x) = static_cast<float>(c.lin_c3 * (1.0 + c.lin_sigma * rng.normal()));
                if (is_reference_pixel(yd, xd)) {
                    out.mask.dq(y, x) = dq::REFERENCE_PIXEL | dq::DO_NOT_USE;
                    dark_full(y, x) = 0.0f;
                }
            }
        }
    });
    return dark_full;
}

/// Science-region maps: the sky (true_rate), the dark rate, and the reference pixels
/// as dead. Returns the pixels already taken (not to be picked as bad pixels).
inline NdArray<std::uint8_t, 2> science_maps(const SimulationConfig& c, const Layout& l, const NdArray<float, 2>& dark_full, SimulatedExposure& out) {
    using std::size_t;
    const size_t ny = l.ny, nx = l.nx;
    out.true_rate.resize({ny, nx}, static_cast<float>(c.sky_rate));
    out.dark_rate.resize({ny, nx});
    out.dead.resize({ny, nx}, 0);
    NdArray<std::uint8_t, 2> taken({ny, nx}, 0);
    for (size_t y = 0; y < ny; ++y)
        for (size_t x = 0; x < nx; ++x) {
            out.dark_rate(y, x) = dark_full(y + l.oy, x + l.ox);
            if (is_reference_pixel(l.sy0 + static_cast<int>(y), l.sx0 + static_cast<int>(x))) {
                out.true_rate(y, x) = 0.0f;
                out.dead(y, x) = 1;
                taken(y, x) = 1;
            }
        }
    return taken;
}

/// Faint stars, and stars whose peak pixel saturates around a chosen group, into true_rate.
inline void add_sources(const SimulationConfig& c, const Layout& l, SimulatedExposure& out) {
    SimRng rng(stream_seed(c.seed, scene));
    auto add_star = [&](double cy, double cx, double peak) {
        const int r = static_cast<int>(std::ceil(5 * c.psf_sigma));
        for (int dy = -r; dy <= r; ++dy)
            for (int dx = -r; dx <= r; ++dx) {
                const long y = std::lround(cy) + dy, x = std::lround(cx) + dx;
                if (y < 0 || x < 0 || y >= c.ny || x >= c.nx || out.dead(static_cast<std::size_t>(y), static_cast<std::size_t>(x))) continue;
                const double d2 = (static_cast<double>(y) - cy) * (static_cast<double>(y) - cy) +
                                  (static_cast<double>(x) - cx) * (static_cast<double>(x) - cx);
                out.true_rate(static_cast<std::size_t>(y), static_cast<std::size_t>(x)) +=
                    static_cast<float>(peak * std::exp(-0.5 * d2 / (c.psf_sigma * c.psf_sigma)));
            }
    };
    const int n_src = c.n_sources.value_or(static_cast<int>(l.ny * l.nx / 2000));
    for (int i = 0; i < n_src; ++i) {
        const double cy = rng.uniform() * c.ny, cx = rng.uniform() * c.nx;
        const double peak = c.source_peak_min * std::pow(c.source_peak_max / c.source_peak_min, rng.uniform());
        add_star(cy, cx, peak);
    }
    for (int i = 0; i < c.n_saturating_stars; ++i) {
        const double cy = rng.uniform() * c.ny, cx = rng.uniform() * c.nx;
        const double g = 0.3 + rng.uniform() * std::max(1, c.ngroups - 1);
        add_star(cy, cx, c.saturation_signal / (g * c.tgroup() + c.tframe));
    }
}

/// Bad pixels (cycled through DEAD, NO_SAT_CHECK, UNRELIABLE_BIAS, UNRELIABLE_DARK), hot
/// pixels (into dark_rate and dark_full), NaN gains and pixels stuck at the A/D floor,
/// each on a pixel not yet taken. Returns the A/D floor pixels.
inline NdArray<std::uint8_t, 2> add_bad_pixels(const SimulationConfig& c, const Layout& l, NdArray<std::uint8_t, 2>& taken,
                                                NdArray<float, 2>& dark_full, SimulatedExposure& out) {
    using std::size_t;
    const size_t ny = l.ny, nx = l.nx, oy = l.oy, ox = l.ox;
    NdArray<std::uint8_t, 2> floor_px({ny, nx}, 0);
    SimRng rng(stream_seed(c.seed, bad_pixels));
    auto pick = [&](size_t& y, size_t& x) {
        for (int tries = 0; tries < 1000; ++tries) {
            y = rng.below(ny);
            x = rng.below(nx);
            if (!taken(y, x)) {
                taken(y, x) = 1;
                return true;
            }
        }
        return false;
    };
    size_t y = 0, x = 0;
    out.dark.dq.resize({1, l.rny, l.rnx}, 0u);
    const int n_bad = c.n_bad_pixels.value_or(static_cast<int>(ny * nx / 1000));
    for (int i = 0; i < n_bad && pick(y, x); ++i) {
        const size_t ry = y + oy, rx = x + ox;
        switch (i % 4) {
            case 0:
                out.mask.dq(ry, rx) |= dq::DEAD | dq::DO_NOT_USE;
                out.dead(y, x) = 1;
                break;
            case 1:
                out.saturation.dq(ry, rx) |= dq::NO_SAT_CHECK;
                out.saturation.sci(ry, rx) = std::numeric_limits<float>::quiet_NaN();
                break;
            case 2: out.superbias.dq(ry, rx) |= dq::UNRELIABLE_BIAS; break;
            default: out.dark.dq(0, ry, rx) |= dq::UNRELIABLE_DARK; break;
        }
    }
    const int n_hot = c.n_hot_pixels.value_or(static_cast<int>(ny * nx / 2000));
    for (int i = 0; i < n_hot && pick(y, x); ++i) {
        const float rate = static_cast<float>(0.5 * std::pow(40.0, rng.uniform()));  // 0.5 .. 20 DN/s
        out.dark_rate(y, x) = rate;
        dark_full(y + oy, x + ox) = rate;
        out.mask.dq(y + oy, x + ox) |= dq::HOT;
    }
    for (int i = 0; i < c.n_nan_gain && pick(y, x); ++i) out.gain.sci(y + oy, x + ox) = std::numeric_limits<float>::quiet_NaN();
    for (int i = 0; i < c.n_floor_pixels && pick(y, x); ++i) {
        floor_px(y, x) = 1;
        out.dead(y, x) = 1;
    }
    return floor_px;
}

/// Cosmic rays into out.cosmic_rays (a spread one also hits its four neighbours).
/// Returns, per (integration, row), the indices of the hits on that row.
inline std::vector<std::vector<std::size_t>> add_cosmic_rays(const SimulationConfig& c, const Layout& l, SimulatedExposure& out) {
    using std::size_t;
    const size_t ny = l.ny, nx = l.nx;
    std::vector<std::vector<size_t>> cr_rows(static_cast<size_t>(c.nints) * ny);
    SimRng rng(stream_seed(c.seed, cosmics));
    const double ramp_seconds = l.frames * c.tframe;
    const int n_cr = c.n_cosmic_rays.value_or(static_cast<int>(1e-5 * ramp_seconds * static_cast<double>(ny * nx) * c.nints));
    const int period = c.nframes + c.groupgap;
    auto add = [&](int i, int k, long y, long x, double e) {
        if (y < 0 || x < 0 || y >= c.ny || x >= c.nx || out.dead(static_cast<size_t>(y), static_cast<size_t>(x))) return;
        const int g = std::min(c.ngroups - 1, (k % period < c.nframes) ? k / period : k / period + 1);
        out.cosmic_rays.push_back({i, k, g, static_cast<int>(y), static_cast<int>(x), e});
        cr_rows[static_cast<size_t>(i) * ny + static_cast<size_t>(y)].push_back(out.cosmic_rays.size() - 1);
    };
    for (int n = 0; n < n_cr; ++n) {
        const int i = static_cast<int>(rng.below(static_cast<std::uint64_t>(c.nints)));
        const int k = static_cast<int>(rng.below(static_cast<std::uint64_t>(l.frames)));
        const long y = static_cast<long>(rng.below(ny)), x = static_cast<long>(rng.below(nx));
        const double e = c.cr_min_electrons * std::pow(c.cr_max_electrons / c.cr_min_electrons, rng.uniform());
        const bool spread = rng.uniform() < 0.3;
        add(i, k, y, x, e);
        if (spread)
            for (auto [dy, dx] : {std::pair{-1, 0}, std::pair{1, 0}, std::pair{0, -1}, std::pair{0, 1}}) add(i, k, y + dy, x + dx, 0.08 * e);
    }
    return cr_rows;
}

/// The DARK reference: cumulative dark per frame (NFRAMES=1, GROUPGAP=0).
inline void fill_dark_reference(const SimulationConfig& c, const Layout& l, const NdArray<float, 2>& dark_full, SimulatedExposure& out) {
    out.dark.sci.resize({1, static_cast<std::size_t>(l.dark_planes), l.rny, l.rnx});
    for (int k = 0; k < l.dark_planes; ++k) {
        float* p = out.dark.sci.plane(static_cast<std::size_t>(k));
        const double t = (k + 1) * c.tframe;
        for (std::size_t i = 0; i < l.rny * l.rnx; ++i) p[i] = static_cast<float>(dark_full[i] * t);
    }
}

/// The raw ramp: per pixel, charge from the sky, sources, dark and cosmic rays read
/// through the inverse LINEARITY polynomial up to full well, plus bias, reset, amplifier
/// offsets and read noise; groups averaged over NFRAMES, rounded and clipped to uint16.
inline void generate_ramp(const SimulationConfig& c, const Layout& l, unsigned threads, const NdArray<std::uint8_t, 2>& floor_px,
                          const std::vector<std::vector<std::size_t>>& cr_rows, SimulatedExposure& out) {
    using std::size_t;
    const size_t ny = l.ny, nx = l.nx, oy = l.oy, ox = l.ox;
    const int sy0 = l.sy0, sx0 = l.sx0, K = l.frames;
    const auto& bias = out.superbias.sci;
    std::vector<double> amp_offset(static_cast<size_t>(c.nints) * 4);
    {
        SimRng rng(stream_seed(c.seed, amp_offsets));
        for (auto& v : amp_offset) v = c.amp_offset_sigma * rng.normal();
    }
    auto& ramp = out.ramp;
    const std::array<size_t, 4> shape{static_cast<size_t>(c.nints), static_cast<size_t>(c.ngroups), ny, nx};
    ramp.sci.resize(shape);
    ramp.groupdq.resize(shape, 0);
    ramp.pixeldq.resize({ny, nx}, 0u);
    const int period = c.nframes + c.groupgap;
    const size_t plane = ny * nx;
    parallel_rows(static_cast<size_t>(c.nints) * ny, static_cast<int>(threads), 4, [&](size_t r0, size_t r1) {
        for (size_t row = r0; row < r1; ++row) {
            const size_t i = row / ny, y = row % ny;
            const int yd = sy0 + static_cast<int>(y);
            SimRng rng(stream_seed(c.seed, ramp_noise, i, static_cast<std::uint64_t>(yd) * 4096 + static_cast<std::uint64_t>(sx0)));
            const auto& crs = cr_rows[row];
            float* base = ramp.sci.data() + i * static_cast<size_t>(c.ngroups) * plane + y * nx;
            for (size_t x = 0; x < nx; ++x) {
                const size_t ry = y + oy, rx = x + ox;
                const int xd = sx0 + static_cast<int>(x);
                const double offset = bias(ry, rx) + amp_offset[i * 4 + static_cast<size_t>(xd / 512)] + c.reset_noise * rng.normal();
                const double sigma = out.readnoise.sci(ry, rx) / std::sqrt(2.0);
                if (floor_px(y, x)) {
                    for (int g = 0; g < c.ngroups; ++g) base[static_cast<size_t>(g) * plane + x] = 0.0f;
                    continue;
                }
                const double gain = std::isnan(out.gain.sci(ry, rx)) ? c.gain : static_cast<double>(out.gain.sci(ry, rx));
                const double lam = out.dead(y, x) ? 0.0 : (out.true_rate(y, x) + out.dark_rate(y, x)) * gain * c.tframe;
                const double c0 = out.linearity.coeffs(0, ry, rx), c1 = out.linearity.coeffs(1, ry, rx);
                const double c2 = out.linearity.coeffs(2, ry, rx), c3 = out.linearity.coeffs(3, ry, rx);
                const double threshold = std::isnan(out.saturation.sci(ry, rx)) ? c.bias_level + c.saturation_signal
                                                                                 : static_cast<double>(out.saturation.sci(ry, rx));
                const double well_raw = threshold - bias(ry, rx) + c.full_well_margin;
                const double well_lin = ((c3 * well_raw + c2) * well_raw + c1) * well_raw + c0;
                const PoissonSampler poisson(lam);
                double q = 0.0, acc = 0.0, raw_prev = 0.0;
                for (int k = 0; k < K; ++k) {
                    q += static_cast<double>(poisson(rng));
                    for (size_t idx : crs) {
                        const auto& cr = out.cosmic_rays[idx];
                        if (cr.x == static_cast<int>(x) && cr.frame == k) q += cr.electrons;
                    }
                    const int pos = k % period;
                    if (pos >= c.nframes) continue;
                    const double s = q / gain;
                    const double raw = s >= well_lin ? well_raw : inverse_linearity(s, c0, c1, c2, c3, raw_prev);
                    raw_prev = raw;
                    acc += offset + raw + sigma * rng.normal();
                    if (pos == c.nframes - 1) {
                        const double v = std::floor(acc / c.nframes + 0.5);
                        base[static_cast<size_t>(k / period) * plane + x] = static_cast<float>(std::clamp(v, 0.0, 65535.0));
                        acc = 0.0;
                    }
                }
            }
        }
    });
}

/// Headers and file names of the raw exposure and of each reference.
inline void set_metadata(const SimulationConfig& c, const Layout& l, SimulatedExposure& out) {
    auto& ramp = out.ramp;
    ramp.primary = uncal_header(c);
    ramp.meta = io::parse_exposure_meta(ramp.primary, c.name + "_uncal.fits");
    ramp.filename = c.name + "_uncal.fits";
    auto finish = [&](RefBase& r, const char* reftype, const char* file) {
        r.primary = reference_header(c, reftype, l.geometry);
        r.geometry = l.geometry;
        r.path = std::string("ref/") + file + ".fits";
    };
    finish(out.mask, "MASK", "mask");
    finish(out.saturation, "SATURATION", "saturation");
    finish(out.superbias, "SUPERBIAS", "superbias");
    finish(out.linearity, "LINEARITY", "linearity");
    finish(out.dark, "DARK", "dark");
    finish(out.gain, "GAIN", "gain");
    finish(out.readnoise, "READNOISE", "readnoise");
    out.dark.nframes = 1;
    out.dark.groupgap = 0;
    out.dark.primary.set("NFRAMES", 1);
    out.dark.primary.set("GROUPGAP", 0);
    out.dark.primary.set("NGROUPS", l.dark_planes);
    out.dark.primary.set("NINTS", 1);
}

}  // namespace sim

/// Generate an exposure in memory. Throws orrery::ParameterError for invalid configurations.
inline SimulatedExposure simulate_exposure(const SimulationConfig& c) {
    sim::check_config(c);
    SimulatedExposure out;
    out.config = c;
    const unsigned threads = sim::resolve_threads(c.threads);
    const sim::Layout l = sim::layout(c);
    NdArray<float, 2> dark_full = sim::detector_properties(c, l, threads, out);
    NdArray<std::uint8_t, 2> taken = sim::science_maps(c, l, dark_full, out);
    sim::add_sources(c, l, out);
    const NdArray<std::uint8_t, 2> floor_px = sim::add_bad_pixels(c, l, taken, dark_full, out);
    const auto cr_rows = sim::add_cosmic_rays(c, l, out);
    sim::fill_dark_reference(c, l, dark_full, out);
    sim::generate_ramp(c, l, threads, floor_px, cr_rows, out);
    sim::set_metadata(c, l, out);
    return out;
}

struct SimulatedFiles {
    std::filesystem::path uncal;
    std::map<std::string, std::filesystem::path> references;  // reftype ("mask", ...) -> file
};

namespace sim {

/// SCI + ERR (constant) + DQ, the golden layout of SUPERBIAS and DARK files.
template <std::size_t R, std::size_t Q>
void write_sci_err_dq(const std::filesystem::path& out, const Header& h, const NdArray<float, R>& sci, float err,
                      const NdArray<std::uint32_t, Q>& dqa) {
    fits::FitsWriter w(out);
    w.write_primary(h);
    w.write_image("SCI", sci);
    w.write_image("ERR", NdArray<float, R>(sci.shape(), err));
    w.write_image("DQ", dqa);
    w.commit();
}

}  // namespace sim

/// The references as `<ref_dir>/<reftype>.fits` in the golden layout; returns reftype -> file.
inline std::map<std::string, std::filesystem::path> write_references(const std::filesystem::path& ref_dir, const SimulatedExposure& e) {
    std::map<std::string, std::filesystem::path> files;
    auto ref = [&](const char* type) { return files[type] = ref_dir / (std::string(type) + ".fits"); };
    io::write_reference(e.mask, ref("mask"));
    io::write_reference(e.saturation, ref("saturation"));
    sim::write_sci_err_dq(ref("superbias"), e.superbias.primary, e.superbias.sci, 5.0f, e.superbias.dq);
    io::write_reference(e.linearity, ref("linearity"));
    {
        // DARK is stored without its integration axis: SCI (ngroups, ny, nx), DQ (ny, nx).
        const auto& s = e.dark.sci.shape();
        NdArray<float, 3> sci3;
        sci3.storage() = e.dark.sci.storage();
        sci3.reshape({s[1], s[2], s[3]});
        NdArray<std::uint32_t, 2> dq2;
        dq2.storage() = e.dark.dq.storage();
        dq2.reshape({s[2], s[3]});
        sim::write_sci_err_dq(ref("dark"), e.dark.primary, sci3, 0.1f, dq2);
    }
    io::write_reference(e.gain, ref("gain"));
    io::write_reference(e.readnoise, ref("readnoise"));
    return files;
}

/// Write an exposure as `<dir>/<name>_uncal.fits` plus `<dir>/ref/<reftype>.fits`.
inline SimulatedFiles write_simulated_exposure(const std::filesystem::path& dir, const SimulatedExposure& e) {
    std::filesystem::create_directories(dir / "ref");
    SimulatedFiles files;
    files.uncal = dir / (e.config.name + "_uncal.fits");
    io::write_ramp(e.ramp, files.uncal, io::RampLayout::raw);
    files.references = write_references(dir / "ref", e);
    return files;
}

/// Simulate and write in one go.
inline SimulatedFiles write_simulated_exposure(const std::filesystem::path& dir, const SimulationConfig& config) {
    return write_simulated_exposure(dir, simulate_exposure(config));
}

}  // namespace orrery::jwst
