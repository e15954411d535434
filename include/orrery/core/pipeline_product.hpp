#pragma once
// Saving the product of a pipeline run on its own (the command line's and the stage
// runner's outermost run; a step saves its own, see run_step.hpp), named as stpipe's
// Step.run names a pipeline's result: with the suffix the pipeline names its product
// with, else its suffix parameter, else its instance name lower-cased.

#include "orrery/core/any_step.hpp"
#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/run_step.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orrery {

/// The suffix a pipeline's `result` is saved with. A suffix parameter the pipeline does
/// not follow (it names its product itself) is reported as a warning.
inline std::string pipeline_product_suffix(AnyStep& pipeline, const AnyValue& result, Context& ctx) {
    const StepInfo& info = pipeline.info();
    const auto& chosen = pipeline.settings().suffix;
    if (!info.product_suffix) return chosen.value_or(default_suffix(pipeline.name()));
    std::string own = info.product_suffix(result);
    if (chosen && *chosen != own)
        ctx.warn("suffix '" + *chosen + "' is not used: " + info.alias + " names its product with '" + own + "'");
    return own;
}

/// Write a pipeline's `result` (nothing when its product type cannot be saved); the paths written.
inline std::vector<std::filesystem::path> save_pipeline_product(AnyStep& pipeline, const AnyValue& result, Context& ctx) {
    const StepInfo& info = pipeline.info();
    if (!info.save_output) return {};
    const std::string suffix = pipeline_product_suffix(pipeline, result, ctx);
    const std::string product_file = info.output_filename ? info.output_filename(result) : std::string{};
    const OutputNamer namer = product_output_namer(pipeline.settings(), ctx.run_info(), product_file, pipeline.name(), info.package);
    return info.save_output(result, namer, suffix);
}

}  // namespace orrery
