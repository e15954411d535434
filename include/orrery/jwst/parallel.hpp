#pragma once
// Parallel loops for the JWST steps: blocks of rows through the context's parallel
// loop (oneTBB once `use_tbb(ctx)` installed it; serial otherwise). Every kernel run
// this way gives the same bits for any thread count and block size: blocks only
// change which thread computes a row, never what a row computes.
//
//   orrery::jwst::use_tbb(ctx);                           // programs (CLI, benchmarks)
//   parallel_rows(ctx, threads, ny, 8, [&](std::size_t y0, std::size_t y1) { ... });

#include "orrery/core/context.hpp"
#include "orrery/parallel/tbb_parallel_for.hpp"

#include <algorithm>
#include <cstddef>

namespace orrery::jwst {

/// Make `ctx` run its parallel loops on oneTBB (thread budget: ctx.max_threads()).
inline void use_tbb(Context& ctx) { ctx.set_parallel_for(tbb_parallel_for()); }

/// body(y0, y1) over [0, rows) in blocks of `block_rows` rows, on up to `threads` threads
/// of the context's budget; blocks run concurrently, each row exactly once.
template <class Body>
void parallel_rows(const Context& ctx, int threads, std::size_t rows, std::size_t block_rows, Body&& body) {
    const std::size_t per = std::max<std::size_t>(1, block_rows);
    const std::size_t blocks = (rows + per - 1) / per;
    ctx.parallel_for(blocks, threads, [&](std::size_t b0, std::size_t b1) { body(b0 * per, std::min(rows, b1 * per)); });
}

/// Rows per block so that one block's data (at `row_bytes` per row) is about `bytes`.
inline std::size_t rows_for_bytes(std::size_t row_bytes, std::size_t bytes) {
    return row_bytes == 0 ? 1 : std::max<std::size_t>(1, bytes / row_bytes);
}

}  // namespace orrery::jwst
