#pragma once
// Step selection for `orrery run`: --only a,b  --skip c  --from a  --to b.
//
// Resolved against the pipeline's run order before anything runs, into
// per-step `skip` values (source: the flag). Rules:
//   - every name must be a step of the pipeline; the flags need a pipeline;
//   - --from must not come after --to; --only names must lie inside --from/--to;
//   - a name may not be both in --only and --skip;
//   - steps outside the selection are skipped; --only names run even when they
//     are skipped by default; --skip names are skipped; others keep their value;
//   - a step that changes the data type cannot be skipped unless it says what it hands on
//     when skipped (StepInfo::skippable): deselecting it is an error;
//   - a selection that leaves no step running is an error.

#include "arguments.hpp"
#include "orrery/core/any_step.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/param_tree.hpp"

namespace orrery::cli {

bool has_selection(const Options& o);

/// The {steps: {alias: {skip: ...}}} tree that applies the selection; null if there is none.
ParamNode resolve_selection(const AnyStep& step, const Options& o, const Context& ctx);

}  // namespace orrery::cli
