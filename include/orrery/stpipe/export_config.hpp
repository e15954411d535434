#pragma once
// A configured step or pipeline as a parameter-file document (stpipe's
// export_config): every parameter's current value, children in run order.

#include "orrery/core/any_step.hpp"
#include "orrery/stpipe/step_config.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/registry.hpp"

#include <string>

namespace orrery::stpipe {

inline StepConfigDoc export_config(const AnyStep& step, const Context& ctx) {
    StepConfigDoc doc;
    const StepInfo& info = step.info();
    doc.class_name = info.class_name;
    doc.name = step.name();  // as stpipe: the instance's name ("JumpStep" unless a file named it); children: their alias
    const ParamNode params = step.parameters();
    for (const auto& [key, value] : params.children())
        if (key != "steps") doc.parameters.set(key, value);
    if (info.kind == StepKind::pipeline) {
        const ParamNode* steps = params.find("steps");
        for (const auto& entry : step.plan(ctx)) {
            StepConfigDoc child;
            child.class_name = entry.class_name;
            child.name = entry.alias;
            if (steps)
                if (const auto* sub = steps->find(entry.alias)) child.parameters = *sub;
            doc.steps.push_back(std::move(child));
        }
    }
    return doc;
}

}  // namespace orrery::stpipe
