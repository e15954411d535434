#pragma once
// ipc: inter-pixel capacitance deconvolution with the IPC reference kernel.

#include "orrery/jwst/algorithms/ipc.hpp"
#include "orrery/jwst/steps/step_common.hpp"

namespace orrery::jwst {

struct IPCStep {
    static constexpr std::string_view name = "ipc";
    static constexpr std::string_view class_name = "jwst.ipc.IPCStep";
    static constexpr std::array<std::string_view, 2> import_paths{"jwst.ipc.ipc_step.IPCStep", "jwst.step.IPCStep"};
    static constexpr std::string_view description = "Correct for inter-pixel capacitance with the IPC deconvolution kernel";
    static constexpr std::string_view status_key = "ipc";
    static constexpr std::array<std::string_view, 1> reference_types{"ipc"};
    using Params = IpcParams;
    static RampModel process(RampModel model, const Params& p, Context& ctx) {
        const auto kernel = load_reference<IpcRef>(ctx, "ipc", model);
        if (!kernel) {
            ctx.skip_step("no IPC reference file (N/A)");
            return model;
        }
        if (ctx.debug_enabled()) {
            ctx.debug("IPC correction: " + debug_text::exposure(model));
            ctx.debug(debug_text::subarray(model));
        }
        correct_ipc(model, *kernel, p);
        return model;
    }
};

}  // namespace orrery::jwst

ORRERY_NO_PARAMS(orrery::jwst::IpcParams)
ORRERY_REGISTER_STEP(orrery::jwst::IPCStep)
