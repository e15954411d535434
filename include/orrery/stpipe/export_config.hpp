#pragma once
// A configured step or pipeline as a parameter-file document (stpipe's
// export_config): every parameter's current value, children in the order the
// pipeline lists them (StepInfo::children: stpipe's step_defs order).
//
// As stpipe's get_pars, which reads only the merged spec, an override_<reftype>
// parameter is left out while it is unset (None); one that is set is kept, so
// that the file reproduces the run (stpipe accepts it when it reads the file).

#include "orrery/core/any_step.hpp"
#include "orrery/stpipe/step_config.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/registry.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace orrery::stpipe {

namespace detail {
inline ParamNode without_unset_overrides(const ParamNode& params) {
    ParamNode out = ParamNode::map(params.source());
    for (const auto& [key, value] : params.children())
        if (!(key.rfind("override_", 0) == 0 && value.is_null())) out.set(key, value);
    return out;
}
}  // namespace detail

inline StepConfigDoc export_config(const AnyStep& step, const Context& ctx) {
    StepConfigDoc doc;
    const StepInfo& info = step.info();
    doc.class_name = info.class_name;
    doc.name = step.name();  // as stpipe: the instance's name ("JumpStep" unless a file named it); children: their alias
    const ParamNode params = step.parameters();
    doc.parameters = detail::without_unset_overrides(params);
    doc.parameters.erase("steps");
    if (info.kind == StepKind::pipeline) {
        std::vector<PlanEntry> children = step.plan(ctx);  // run order
        auto listed_at = [&](const std::string& alias) {
            return std::find(info.children.begin(), info.children.end(), alias) - info.children.begin();
        };
        std::stable_sort(children.begin(), children.end(), [&](const PlanEntry& a, const PlanEntry& b) { return listed_at(a.alias) < listed_at(b.alias); });
        const ParamNode* steps = params.find("steps");
        for (const auto& entry : children) {
            StepConfigDoc child;
            child.class_name = entry.class_name;
            child.name = entry.alias;
            if (steps)
                if (const auto* sub = steps->find(entry.alias)) child.parameters = detail::without_unset_overrides(*sub);
            doc.steps.push_back(std::move(child));
        }
    }
    return doc;
}

}  // namespace orrery::stpipe
