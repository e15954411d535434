#pragma once
// Row steps: steps written as a preparation plus work on a range of rows, so the
// framework can run them block by block — in parallel, and fused with other row
// steps (fused.hpp) while a block is in cache. A row step has no `process`; it has
//
//   using RowState = ...;                                        // what prepare decided
//   static RowState prepare(T& data, const Params&, Context&);   // load references, check, plan; may ctx.skip_step()
//   static void process_rows(T& data, const RowState&, const Params&, std::size_t row_begin, std::size_t row_end);
//   static void finish(T& data, RowState&, const Params&, Context&);   // optional
//
// and the framework derives its process (step_process below): prepare, then
// process_rows over blocks of rows through the context's parallel loop, then finish;
// after a prepare that called ctx.skip_step() neither rows nor finish run.
// process_rows must touch only rows [row_begin, row_end) of the data (blocks run
// concurrently and in any order). The data type declares its rows through
// product_traits<T>::rows(const T&) and, optionally, row_bytes(const T&).

#include "orrery/core/context.hpp"
#include "orrery/core/product.hpp"
#include "orrery/core/step_traits.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace orrery {

template <class T>
concept RowData = requires(const T& t) {
    { product_traits<T>::rows(t) } -> std::convertible_to<std::size_t>;
};

template <class S>
concept RowStep = Step<S> && step_traits<S>::row_step && RowData<step_input_t<S>>;

/// Bytes of data per block of rows: small enough to stay in a private cache level
/// while every step of a fused run passes over it.
#ifndef ORRERY_FUSED_BLOCK_BYTES
#define ORRERY_FUSED_BLOCK_BYTES (128 * 1024)
#endif
inline constexpr std::size_t fused_block_bytes = ORRERY_FUSED_BLOCK_BYTES;

template <RowData T>
std::size_t rows_per_block(const T& data) {
    std::size_t row_bytes = 0;
    if constexpr (requires { product_traits<T>::row_bytes(data); }) row_bytes = product_traits<T>::row_bytes(data);
    if (row_bytes == 0) return 4096;
    return std::max<std::size_t>(1, fused_block_bytes / row_bytes);
}

/// Run `body(row_begin, row_end)` over [0, rows) in blocks of `per` rows, in parallel through the context.
template <class Body>
void for_each_row_block(std::size_t rows, std::size_t per, const Context& ctx, const Body& body) {
    const std::size_t blocks = (rows + per - 1) / per;
    ctx.parallel_for(blocks, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b) body(b * per, std::min(rows, (b + 1) * per));
    });
}

/// Rows per block for a row step run on its own: no next step reuses a block in cache, so a
/// few long blocks per thread (long sequential streams), never smaller than the fused blocks.
template <RowData T>
std::size_t rows_per_task(const T& data, const Context& ctx) {
    const std::size_t rows = product_traits<T>::rows(data);
    const std::size_t tasks = 4 * static_cast<std::size_t>(std::max(1, ctx.max_threads()));
    return std::max(rows_per_block(data), (rows + tasks - 1) / tasks);
}

/// A step's process: S::process, or for a row step the one derived from its row functions.
/// Every runner (run_step, pipelines, the registry) calls this.
template <Step S>
step_output_t<S> step_process(step_input_t<S> input, const typename S::Params& params, Context& ctx) {
    if constexpr (step_traits<S>::row_step) {
        using T = step_input_t<S>;
        static_assert(RowData<T>, "orrery: a row step's data type needs product_traits<T>::rows(const T&)");
        T data = std::move(input);
        typename S::RowState state = S::prepare(data, params, ctx);
        if (ctx.step().status == StepStatus::skipped) return data;
        const typename S::RowState& rows_state = state;
        for_each_row_block(product_traits<T>::rows(data), rows_per_task(data, ctx), ctx,
                           [&](std::size_t r0, std::size_t r1) { S::process_rows(data, rows_state, params, r0, r1); });
        if constexpr (requires { &S::finish; }) S::finish(data, state, params, ctx);
        return data;
    } else {
        return S::process(std::move(input), params, ctx);
    }
}

}  // namespace orrery
