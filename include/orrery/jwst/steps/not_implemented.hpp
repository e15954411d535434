#pragma once
// The detector1 steps this version does not implement. Each is declared with
// every parameter jwst's step spec has (same names, types, defaults, bounds and
// skip default), so that parameter files and command lines naming them load as
// they do in jwst; a step that is not skipped and is reached fails with a clear
// error rather than passing the data through silently.
//
// The MIRI-only steps (emicorr, firstframe, lastframe, reset, rscd) sit in the
// MIRI branch of calwebb_detector1, after the stop for MIRI exposures: they are
// never reached on near-IR data, whatever their skip value.

#include "orrery/jwst/steps/step_common.hpp"

#include <optional>
#include <string>
#include <vector>

namespace orrery::jwst {

namespace detail {
[[noreturn]] inline void not_implemented(std::string_view alias) {
    throw NotSupportedError("step '" + std::string(alias) + "' is not implemented in this version of orrery; run it with skip=True (--steps." +
                            std::string(alias) + ".skip=True)");
}
}  // namespace detail

// ---- MIRI only ------------------------------------------------------------------------

struct EmiCorrParams {
    std::string algorithm = "joint";
    std::optional<int> nints_to_phase;
    std::optional<int> nbins;
    bool scale_reference = true;
    std::optional<std::vector<double>> onthefly_corr_freq;
    std::optional<int> use_n_cycles = 3;
    bool fit_ints_separately = false;
    bool save_intermediate_results = false;
    ORRERY_REFLECT(EmiCorrParams,
        (algorithm, "'sequential': fit the ramps, then the EMI in their residuals; 'joint': fit both together",
         orrery::one_of("sequential|joint")),
        (nints_to_phase, "Integrations to phase ('sequential')"),
        (nbins, "Bins in one period of the phased waveform ('sequential')"),
        (scale_reference, "Scale the reference waveform to the amplitude measured in the data ('sequential')"),
        (onthefly_corr_freq, "EMI frequencies to build the correction from the data instead of a reference file (implies 'sequential')"),
        (use_n_cycles, "Waveform cycles used to find the phase ('sequential'; None: all of them)"),
        (fit_ints_separately, "Fit and remove the EMI of each integration on its own ('joint')"),
        (save_intermediate_results, "With onthefly_corr_freq, save the waveform fitted from the data as a reference file"))
};
struct EmiCorrStep {
    static constexpr std::string_view name = "emicorr";
    static constexpr std::string_view class_name = "jwst.emicorr.EmiCorrStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.emicorr.emicorr_step.EmiCorrStep", "jwst.step.EmiCorrStep"};
    static constexpr std::string_view description = "MIRI: remove electromagnetic interference patterns (not implemented in this version)";
    static constexpr std::string_view status_key = "emicorr";
    static constexpr bool default_skip = true;
    static constexpr std::array<std::string_view, 1> reference_types{"emicorr"};
    using Params = EmiCorrParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

struct FirstFrameParams {
    bool bright_use_group1 = true;
    ORRERY_REFLECT(FirstFrameParams, (bright_use_group1, "Keep the first group of pixels whose third group is saturated"))
};
struct FirstFrameStep {
    static constexpr std::string_view name = "firstframe";
    static constexpr std::string_view class_name = "jwst.firstframe.FirstFrameStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.firstframe.firstframe_step.FirstFrameStep", "jwst.step.FirstFrameStep"};
    static constexpr std::string_view description = "MIRI: flag the first group DO_NOT_USE (deprecated in jwst; not implemented in this version)";
    static constexpr std::string_view status_key = "firstframe";
    static constexpr bool default_skip = true;
    using Params = FirstFrameParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

struct LastFrameStep {
    static constexpr std::string_view name = "lastframe";
    static constexpr std::string_view class_name = "jwst.lastframe.LastFrameStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.lastframe.lastframe_step.LastFrameStep", "jwst.step.LastFrameStep"};
    static constexpr std::string_view description = "MIRI: flag the last group DO_NOT_USE (not implemented in this version)";
    static constexpr std::string_view status_key = "lastframe";
    using Params = NoParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

struct ResetStep {
    static constexpr std::string_view name = "reset";
    static constexpr std::string_view class_name = "jwst.reset.ResetStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.reset.reset_step.ResetStep", "jwst.step.ResetStep"};
    static constexpr std::string_view description = "MIRI: subtract the reset anomaly (not implemented in this version)";
    static constexpr std::string_view status_key = "reset";
    static constexpr std::array<std::string_view, 1> reference_types{"reset"};
    using Params = NoParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

struct RscdStep {
    static constexpr std::string_view name = "rscd";
    static constexpr std::string_view class_name = "jwst.rscd.RscdStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.rscd.rscd_step.RscdStep", "jwst.step.RscdStep"};
    static constexpr std::string_view description = "MIRI: flag the groups affected by the reset switch charge decay (not implemented in this version)";
    static constexpr std::string_view status_key = "rscd";
    static constexpr std::array<std::string_view, 1> reference_types{"rscd"};
    using Params = NoParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

/// The stop at the head of calwebb_detector1's MIRI branch: the MIRI order exists, most of its steps do not yet.
[[noreturn]] inline void miri_not_supported(const RampModel& model) {
    throw NotSupportedError("'" + model.filename + "' is a MIRI exposure (INSTRUME=MIRI): the MIRI calwebb_detector1 path is not implemented in this version of orrery");
}

// ---- near-IR, skipped by default --------------------------------------------------------

struct PictureFrameParams {
    bool mask_science_regions = true;
    double n_sigma = 2.0;
    bool save_mask = false;
    bool save_correction = false;
    ORRERY_REFLECT(PictureFrameParams,
        (mask_science_regions, "Leave the known science regions out of the background estimate"),
        (n_sigma, "Sigma above which a pixel counts as source, not background"),
        (save_mask, "Save the background mask (<root>_pctfrm_mask.fits)"),
        (save_correction, "Save the subtracted correction (<root>_pctfrm_correction.fits)"))
};
struct PictureFrameStep {
    static constexpr std::string_view name = "picture_frame";
    static constexpr std::string_view class_name = "jwst.picture_frame.PictureFrameStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.picture_frame.picture_frame_step.PictureFrameStep", "jwst.step.PictureFrameStep"};
    static constexpr std::string_view description = "NIRSpec: remove the thermal picture-frame signal (not implemented in this version; skipped by default)";
    static constexpr std::string_view status_key = "picture_frame";
    static constexpr bool default_skip = true;
    static constexpr std::array<std::string_view, 1> reference_types{"pictureframe"};
    using Params = PictureFrameParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

struct CleanFlickerNoiseParams {
    bool autoparam = false;
    std::string fit_method = "median";
    bool fit_by_channel = false;
    std::optional<std::string> background_method = "median";
    std::optional<std::vector<int>> background_box_size;
    bool mask_science_regions = false;
    bool apply_flat_field = false;
    double n_sigma = 2.0;
    bool fit_histogram = false;
    bool single_mask = true;
    std::optional<std::string> user_mask;
    bool save_mask = false;
    bool save_background = false;
    bool save_noise = false;
    ORRERY_REFLECT(CleanFlickerNoiseParams,
        (autoparam, "Choose the fit and background parameters from the data (some exposure types)"),
        (fit_method, "How the 1/f noise is fitted: in frequency space ('fft') or as a median along the slow axis ('median')",
         orrery::one_of("fft|median")),
        (fit_by_channel, "Fit the noise of each amplifier on its own (near-IR)"),
        (background_method, "Background removed before fitting: 'median', 'model', 'median_image', or None for none",
         orrery::one_of("median|model|median_image")),
        (background_box_size, "Box size (two integers) of the 'model' background (None: decided from the image)", orrery::min(2), orrery::max(2)),
        (mask_science_regions, "Leave the known science regions out of the fit"),
        (apply_flat_field, "Flat-field the data before fitting"),
        (n_sigma, "Sigma above which a pixel counts as source, not background"),
        (fit_histogram, "Take the clipping sigma from a fit to the histogram of values"),
        (single_mask, "One mask for all integrations"),
        (user_mask, "A mask of your own (file name) instead of the one made from the data"),
        (save_mask, "Save the mask made from the data"),
        (save_background, "Save the fitted background"),
        (save_noise, "Save the fitted noise"))
};
struct CleanFlickerNoiseStep {
    static constexpr std::string_view name = "clean_flicker_noise";
    static constexpr std::string_view class_name = "jwst.clean_flicker_noise.CleanFlickerNoiseStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.clean_flicker_noise.clean_flicker_noise_step.CleanFlickerNoiseStep", "jwst.step.CleanFlickerNoiseStep"};
    static constexpr std::string_view description = "Remove 1/f (flicker) noise (not implemented in this version; skipped by default)";
    static constexpr std::string_view status_key = "clean_flicker_noise";
    static constexpr bool default_skip = true;
    static constexpr std::array<std::string_view, 2> reference_types{"flat", "pastasoss"};
    using Params = CleanFlickerNoiseParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

struct PersistenceParams {
    std::optional<std::string> save_persistence;
    std::optional<int> persistence_time;
    std::optional<double> dn_threshold;
    std::optional<std::string> persistence_array_file;
    bool persistence_dnu = false;
    ORRERY_REFLECT(PersistenceParams,
        (save_persistence, "Save the persistence array (file name)"),
        (persistence_time, "Time in seconds over which earlier saturation causes persistence"),
        (dn_threshold, "Signal in DN above which a pixel is considered saturated earlier"),
        (persistence_array_file, "Persistence array from a previous exposure"),
        (persistence_dnu, "Also flag persistence groups DO_NOT_USE"))
};
struct PersistenceStep {
    static constexpr std::string_view name = "persistence";
    static constexpr std::string_view class_name = "jwst.persistence.PersistenceStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.persistence.persistence_step.PersistenceStep", "jwst.step.PersistenceStep"};
    static constexpr std::string_view description = "Flag pixels affected by persistence from earlier exposures (not implemented in this version; skipped by default)";
    static constexpr std::string_view status_key = "persistence";
    static constexpr bool default_skip = true;
    using Params = PersistenceParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

}  // namespace orrery::jwst

ORRERY_REGISTER_STEP(orrery::jwst::EmiCorrStep)
ORRERY_REGISTER_STEP(orrery::jwst::FirstFrameStep)
ORRERY_REGISTER_STEP(orrery::jwst::LastFrameStep)
ORRERY_REGISTER_STEP(orrery::jwst::ResetStep)
ORRERY_REGISTER_STEP(orrery::jwst::RscdStep)
ORRERY_REGISTER_STEP(orrery::jwst::PictureFrameStep)
ORRERY_REGISTER_STEP(orrery::jwst::CleanFlickerNoiseStep)
ORRERY_REGISTER_STEP(orrery::jwst::PersistenceStep)
