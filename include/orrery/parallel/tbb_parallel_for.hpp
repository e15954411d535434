#pragma once
// A oneTBB parallel loop for Context::set_parallel_for (needs TBB::tbb):
//   ctx.set_parallel_for(orrery::tbb_parallel_for());

#include "orrery/core/context.hpp"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace orrery {

inline Context::ParallelFor tbb_parallel_for() {
    return [](std::size_t count, int threads, const Context::RangeBody& body) {
        tbb::task_arena arena(threads);
        arena.execute([&] {
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 1),
                              [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
        });
    };
}

}  // namespace orrery
