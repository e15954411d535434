#pragma once
// Row-block parallel loop on std::thread for the simulator. Work is split into
// contiguous row blocks; results must not depend on the split (each row uses
// its own random stream), so any thread count gives identical output.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace orrery::jwst::sim {

inline unsigned resolve_threads(unsigned requested) {
    if (requested) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw ? hw : 1;
}

/// Calls fn(row_begin, row_end) over [0, rows) on up to `threads` threads.
template <class Fn>
void parallel_rows(std::size_t rows, unsigned threads, Fn&& fn) {
    const std::size_t n = std::min<std::size_t>(std::max(1u, threads), std::max<std::size_t>(rows, 1));
    if (n <= 1) {
        fn(std::size_t{0}, rows);
        return;
    }
    std::exception_ptr error;
    std::mutex m;
    std::vector<std::thread> pool;
    const std::size_t block = (rows + n - 1) / n;
    for (std::size_t t = 0; t < n; ++t) {
        const std::size_t b = t * block, e = std::min(rows, b + block);
        if (b >= e) break;
        pool.emplace_back([&, b, e] {
            try {
                fn(b, e);
            } catch (...) {
                std::lock_guard lock(m);
                if (!error) error = std::current_exception();
            }
        });
    }
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace orrery::jwst::sim
