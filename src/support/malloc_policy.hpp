#pragma once
// A process-wide allocator setting for programs that process large arrays (the
// command line, benchmarks): freed large arrays go back to the OS at once.
//
// glibc serves a block from its heap unless it is at least the mmap threshold, and
// it raises that threshold to the size of every mmapped block freed (up to 32 MiB).
// After the first large array is freed, later 16 MiB planes (references, products)
// come from the heap, where freeing them leaves the memory resident: in one detector1
// run that kept ~16 MiB more at the peak. A fixed threshold keeps them all mmapped.
// Libraries should not call this; programs opt in once, at start.

#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace orrery {

/// Blocks of `threshold` bytes or more are mmapped (and unmapped when freed). No effect
/// outside glibc.
inline void return_large_blocks_on_free(std::size_t threshold = std::size_t{4} << 20) {
#if defined(__GLIBC__)
    ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold));
#else
    (void)threshold;
#endif
}

}  // namespace orrery
