#pragma once
// What every detector1 step header needs: the core, the models, reference
// loading through the context, and the product traits that record status keys.

#include "orrery/orrery.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/models.hpp"
#include "orrery/jwst/products.hpp"
#include "orrery/jwst/reference_loader.hpp"

#include <array>
#include <string_view>

namespace orrery::jwst {

/// Report a kernel's "skipped" outcome to the runner (status SKIPPED + log line).
inline void report_outcome(Context& ctx, const StepOutcome& outcome) {
    if (outcome.skipped) ctx.skip_step(outcome.reason);
}

/// Resolve `maximum_cores` against the context's thread budget.
inline int step_threads(const Context& ctx, const std::string& maximum_cores) {
    return std::min(ctx.max_threads(), parse_maximum_cores(maximum_cores));
}

}  // namespace orrery::jwst
