#pragma once
// What every detector1 step header needs: the core, the models, reference
// loading through the context, and the product traits that record status keys.

#include "orrery/orrery.hpp"
#include "orrery/parallel/tbb_parallel_for.hpp"
#include "orrery/jwst/algorithms/jump/jump_params.hpp"
#include "orrery/jwst/algorithms/step_outcome.hpp"
#include "orrery/jwst/models.hpp"
#include "orrery/jwst/products.hpp"
#include "orrery/jwst/reference_loader.hpp"
#include "orrery/jwst/steps/debug_records.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <thread>

namespace orrery::jwst {

/// Report a kernel's "skipped" outcome to the runner (status SKIPPED + log line).
inline void report_outcome(Context& ctx, const StepOutcome& outcome) {
    if (outcome.skipped) ctx.skip_step(outcome.reason);
}

/// Threads a step with a `maximum_cores` parameter (jump, ramp_fit) works on: stcal's
/// spellings (an integer, 'quarter', 'half', 'all'; anything else 1; '0' is an error),
/// within the context's thread budget. In orrery this is only a thread count: results
/// do not depend on it (upstream it also sets row slices that can change jump flags).
inline int step_threads(const Context& ctx, const std::string& maximum_cores) {
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t n = jump_detail::slice_count(maximum_cores, std::numeric_limits<std::size_t>::max(), cores);
    return static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(ctx.max_threads())));
}

/// Rows per block for the compute-bound per-pixel kernels (jump, ramp_fit): about 16k
/// pixels, small enough to balance the threads, large enough to amortise a block.
inline std::size_t compute_block_rows(std::size_t nx) { return std::max<std::size_t>(1, 16384 / std::max<std::size_t>(1, nx)); }

}  // namespace orrery::jwst
