#pragma once
// The JWST data models the detector1 steps compute on. Plain structs of NdArrays
// (numpy axis order) plus typed exposure metadata and the primary header,
// carried card for card to the outputs.

#include "orrery/array/header.hpp"
#include "orrery/array/ndarray.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace orrery::jwst {

/// Exposure keywords the steps need, parsed from the primary header once.
struct ExposureMeta {
    std::string instrument;  // INSTRUME
    std::string detector;    // DETECTOR
    std::string exp_type;    // EXP_TYPE
    int nints = 1;           // NINTS
    int ngroups = 1;         // NGROUPS
    int nframes = 1;         // NFRAMES
    int groupgap = 0;        // GROUPGAP
    double tframe = 0.0;     // TFRAME [s]
    double tgroup = 0.0;     // TGROUP [s]
    std::string readpatt;    // READPATT
    std::string subarray = "FULL";  // SUBARRAY
    int substrt1 = 1, substrt2 = 1;  // SUBSTRT1/2 (1-based)
    int subsize1 = 0, subsize2 = 0;  // SUBSIZE1/2 (x, y)
    int fastaxis = 1, slowaxis = 2;  // FASTAXIS / SLOWAXIS
    bool zeroframe = false;          // ZEROFRAM
    std::optional<int> frmdivsr;     // FRMDIVSR
    std::optional<double> gain_factor;  // GAINFACT (set by ramp_fit from the gain reference)
    int intstart = 1;                // INTSTART (MIRI dark selection)
    int drpfrms1 = 0;                // DRPFRMS1 (dropped frames at start)

    [[nodiscard]] bool is_miri() const { return instrument == "MIRI"; }
};

/// Per-step status (meta.cal_step) and reference provenance (meta.ref_file).
struct Provenance {
    std::map<std::string, std::string> cal_step;   // status key ("dq_init", "dark_sub", ...) -> COMPLETE/SKIPPED/FAILED
    std::map<std::string, std::string> ref_file;   // reftype ("mask", ...) -> path or "N/A"
};

/// Common part of every science model.
struct ModelBase {
    Header primary;          // input primary header, card for card
    ExposureMeta meta;
    Provenance provenance;
    std::string filename;    // basename of the file it came from (output naming)
    std::filesystem::path source;  // full path it was read from; writers refuse to overwrite it
};

/// Level-1b/ramp product: SCI (nints, ngroups, ny, nx).
struct RampModel : ModelBase {
    NdArray<float, 4> sci;
    NdArray<std::uint32_t, 2> pixeldq;   // (ny, nx)
    NdArray<std::uint8_t, 4> groupdq;    // same shape as sci
    NdArray<float, 4> err;               // may be empty (not in raw files)
    std::optional<NdArray<float, 3>> zeroframe;  // (nints, ny, nx); 0.0 = bad
    /// Set by dark_current for ramp_fit (jwst's model.average_dark_current); empty = 0 everywhere.
    NdArray<float, 2> average_dark_current;

    [[nodiscard]] std::size_t nints() const { return sci.extent(0); }
    [[nodiscard]] std::size_t ngroups() const { return sci.extent(1); }
    [[nodiscard]] std::size_t ny() const { return sci.extent(2); }
    [[nodiscard]] std::size_t nx() const { return sci.extent(3); }
};

/// Count-rate image (_rate): 2-D arrays.
struct RateModel : ModelBase {
    NdArray<float, 2> sci, err, var_poisson, var_rnoise;
    NdArray<std::uint32_t, 2> dq;
};

/// Per-integration count rates (_rateints): 3-D arrays (nints, ny, nx).
struct RateIntsModel : ModelBase {
    NdArray<float, 3> sci, err, var_poisson, var_rnoise;
    NdArray<std::uint32_t, 3> dq;
};

/// What ramp_fit returns and gain_scale transforms: both products of one exposure, or
/// (ramp_fit skipped, as jwst allows) the calibrated ramp, which detector1 then saves as
/// <root>_ramp.fits in place of the rates.
struct RateProducts {
    RateModel rate;
    RateIntsModel rateints;
    std::optional<RampModel> unfitted;  // set (and rate/rateints empty) when ramp_fit was skipped

    [[nodiscard]] bool fitted() const { return !unfitted.has_value(); }
};

// ---------------------------------------------------------------------------
// Reference files. Loaded through io/reference_files.hpp, which translates DQ
// through DQ_DEF and cuts full-frame arrays to the science subarray, so the
// arrays below always have the science (ny, nx) in their last two axes.

/// Subarray placement of a reference file (SUBSTRT/SUBSIZE; full frame if absent).
struct RefGeometry {
    int substrt1 = 1, substrt2 = 1, subsize1 = 0, subsize2 = 0;
};

struct RefBase {
    Header primary;
    std::string path;  // where it was loaded from (R_<TYPE> keyword)
    RefGeometry geometry;
};

struct MaskRef : RefBase { NdArray<std::uint32_t, 2> dq; };
struct SaturationRef : RefBase { NdArray<float, 2> sci; NdArray<std::uint32_t, 2> dq; };
struct SuperbiasRef : RefBase { NdArray<float, 2> sci; NdArray<std::uint32_t, 2> dq; };
struct LinearityRef : RefBase {
    NdArray<float, 3> coeffs;                      // (ncoeffs, ny, nx), ascending powers
    NdArray<std::uint32_t, 2> dq;
    std::optional<NdArray<float, 3>> inv_coeffs;
};
struct DarkRef : RefBase {
    NdArray<float, 4> sci;          // (nints_d, ngroups_d, ny, nx); NIR files have nints_d == 1
    NdArray<std::uint32_t, 3> dq;   // (nplanes, ny, nx); NIR files have one plane
    int nframes = 1, groupgap = 0;
    std::optional<NdArray<float, 2>> avdrkcur;  // AVDRKCUR extension
    std::optional<double> avgdrkcr;             // AVGDRKCR keyword
};
struct GainRef : RefBase { NdArray<float, 2> sci; std::optional<double> gain_factor; };
struct ReadnoiseRef : RefBase { NdArray<float, 2> sci; };
/// IPC kernel: either one (ky, kx) kernel or one per pixel (ky, kx, ny, nx).
struct IpcRef : RefBase {
    NdArray<float, 2> kernel;            // used when per_pixel is empty
    NdArray<float, 4> per_pixel;         // (ky, kx, NY, NX), full frame (not cut)
    [[nodiscard]] bool is_per_pixel() const { return !per_pixel.empty(); }
};

}  // namespace orrery::jwst
