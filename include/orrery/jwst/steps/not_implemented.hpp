#pragma once
// The detector1 steps this version does not implement. They are registered so
// that parameter files naming them parse, they are skipped by default (as jwst
// does for near-IR data), and un-skipping one fails with a clear error rather
// than passing the data through silently.

#include "orrery/jwst/steps/step_common.hpp"

#include <optional>
#include <string>

namespace orrery::jwst {

namespace detail {
[[noreturn]] inline void not_implemented(std::string_view alias) {
    throw NotSupportedError("step '" + std::string(alias) + "' is not implemented in this version of orrery; run it with skip=True (--steps." +
                            std::string(alias) + ".skip=True)");
}
}  // namespace detail

#define ORRERY_JWST_UNIMPLEMENTED_STEP(Type, alias, package, module, refs_count, ...)                \
    struct Type {                                                                                     \
        static constexpr std::string_view name = alias;                                               \
        static constexpr std::string_view class_name = "jwst." package "." #Type;                     \
        static constexpr std::array<std::string_view, 2> import_paths{"jwst." package "." module "." #Type, "jwst.step." #Type}; \
        static constexpr std::string_view description = "Not implemented in this version (skipped by default)"; \
        static constexpr std::string_view status_key = alias;                                         \
        static constexpr bool default_skip = true;                                                    \
        static constexpr std::array<std::string_view, refs_count> reference_types{__VA_ARGS__};       \
        using Params = NoParams;                                                                      \
        static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); } \
    };

ORRERY_JWST_UNIMPLEMENTED_STEP(EmiCorrStep, "emicorr", "emicorr", "emicorr_step", 1, "emicorr")
ORRERY_JWST_UNIMPLEMENTED_STEP(FirstFrameStep, "firstframe", "firstframe", "firstframe_step", 0)
ORRERY_JWST_UNIMPLEMENTED_STEP(LastFrameStep, "lastframe", "lastframe", "lastframe_step", 0)
ORRERY_JWST_UNIMPLEMENTED_STEP(ResetStep, "reset", "reset", "reset_step", 1, "reset")
ORRERY_JWST_UNIMPLEMENTED_STEP(RscdStep, "rscd", "rscd", "rscd_step", 1, "rscd")
ORRERY_JWST_UNIMPLEMENTED_STEP(PictureFrameStep, "picture_frame", "picture_frame", "picture_frame_step", 1, "pictureframe")
#undef ORRERY_JWST_UNIMPLEMENTED_STEP

struct CleanFlickerNoiseStep {
    static constexpr std::string_view name = "clean_flicker_noise";
    static constexpr std::string_view class_name = "jwst.clean_flicker_noise.CleanFlickerNoiseStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.clean_flicker_noise.clean_flicker_noise_step.CleanFlickerNoiseStep", "jwst.step.CleanFlickerNoiseStep"};
    static constexpr std::string_view description = "Not implemented in this version (skipped by default)";
    static constexpr std::string_view status_key = "clean_flicker_noise";
    static constexpr bool default_skip = true;
    static constexpr std::array<std::string_view, 2> reference_types{"flat", "pastasoss"};
    using Params = NoParams;
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
    static constexpr std::string_view description = "Not implemented in this version (skipped by default)";
    static constexpr std::string_view status_key = "persistence";
    static constexpr bool default_skip = true;
    using Params = PersistenceParams;
    static RampModel process(RampModel, const Params&, Context&) { detail::not_implemented(name); }
};

/// First element of the MIRI branch: the MIRI order exists, its steps do not yet.
struct MiriNotSupported {
    static constexpr std::string_view name = "miri_detector1";
    static constexpr std::string_view class_name = "orrery.jwst.MiriNotSupported";
    static constexpr std::string_view description = "Stops MIRI exposures: the MIRI detector1 path is not implemented";
    using Params = NoParams;
    static RampModel process(RampModel model, const Params&, Context&) {
        throw NotSupportedError("'" + model.filename + "' is a MIRI exposure (INSTRUME=MIRI): the MIRI calwebb_detector1 path is not implemented in this version of orrery");
    }
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
