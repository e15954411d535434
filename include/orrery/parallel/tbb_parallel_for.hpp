#pragma once
// The one parallel loop of orrery, on oneTBB (needs TBB::tbb). Blocks of rows run
// concurrently, each row exactly once; every kernel run this way gives the same bits
// for any thread count and block size, since blocks only change which thread computes
// a row, never what a row computes.
//
//   orrery::use_tbb(ctx);                                   // programs: Context::parallel_for on oneTBB
//   orrery::parallel_rows(ctx, threads, ny, 8, [&](std::size_t y0, std::size_t y1) { ... });
//   orrery::parallel_rows(ny, threads, 8, body);            // without a context (the simulator)

#include "orrery/core/context.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstddef>

namespace orrery {

/// body(b0, b1) over [0, count) on up to `threads` threads of oneTBB (serially for one).
template <class Body>
void tbb_for(std::size_t count, int threads, const Body& body) {
    if (threads <= 1 || count <= 1) {
        if (count) body(std::size_t{0}, count);
        return;
    }
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 1),
                          [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
    });
}

/// A Context::ParallelFor on oneTBB: ctx.set_parallel_for(orrery::tbb_parallel_for()).
inline Context::ParallelFor tbb_parallel_for() {
    return [](std::size_t count, int threads, const Context::RangeBody& body) { tbb_for(count, threads, body); };
}

/// Make `ctx` run its parallel loops on oneTBB (thread budget: ctx.max_threads()).
inline void use_tbb(Context& ctx) { ctx.set_parallel_for(tbb_parallel_for()); }

/// body(y0, y1) over [0, rows) in blocks of `block_rows` rows, on up to `threads` threads
/// of the context's budget (serial unless the context has a parallel loop installed).
template <class Body>
void parallel_rows(const Context& ctx, int threads, std::size_t rows, std::size_t block_rows, Body&& body) {
    const std::size_t per = std::max<std::size_t>(1, block_rows);
    const std::size_t blocks = (rows + per - 1) / per;
    ctx.parallel_for(blocks, threads, [&](std::size_t b0, std::size_t b1) { body(b0 * per, std::min(rows, b1 * per)); });
}

/// As above without a context: directly on oneTBB with `threads` threads.
template <class Body>
void parallel_rows(std::size_t rows, int threads, std::size_t block_rows, Body&& body) {
    const std::size_t per = std::max<std::size_t>(1, block_rows);
    const std::size_t blocks = (rows + per - 1) / per;
    tbb_for(blocks, threads, [&](std::size_t b0, std::size_t b1) { body(b0 * per, std::min(rows, b1 * per)); });
}

}  // namespace orrery
