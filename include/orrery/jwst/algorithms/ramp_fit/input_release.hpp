#pragma once
// Returning an owned input ramp's memory to the OS while it is being fitted.
//
// ramp_fit reads each pixel's ramp once, and its outputs (10 arrays the size of a
// group plane) grow while it runs: holding the whole input until the end puts ramp +
// outputs at the process's peak. When the caller owns the ramp and nothing reads it
// after the fit (RampFitStep::process takes it by value), the pages of SCI and GROUPDQ
// rows whose every pixel is fitted can be given back (MADV_DONTNEED) as the fit goes.
// They would then read as zeros: only ever use this on a ramp about to be destroyed.
//
//   FittedRowsRelease release(ramp);                  // before the parallel fit
//   ... fit rows [y0, y1) ...; release.rows_done(y0, y1);   // any thread, any order

#include "orrery/jwst/models.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace orrery::jwst::rampfit {

class FittedRowsRelease {
public:
    /// Chunks of rows are released whole; a chunk spans 2 MiB of a SCI plane (whole huge
    /// pages where the plane is 2 MiB-aligned), at least one row.
    explicit FittedRowsRelease(RampModel& ramp)
        : ramp_(ramp),
          ny_(ramp.ny()),
          chunk_rows_(std::max<std::size_t>(1, (std::size_t{2} << 20) / std::max<std::size_t>(1, ramp.nx() * sizeof(float)))),
          chunks_((ny_ + chunk_rows_ - 1) / chunk_rows_),
          left_(std::make_unique<std::atomic<std::size_t>[]>(chunks_)) {
        for (std::size_t c = 0; c < chunks_; ++c) left_[c].store(std::min(ny_, (c + 1) * chunk_rows_) - c * chunk_rows_);
    }

    /// Rows [y0, y1) are fitted: release every chunk this completes. Thread-safe.
    void rows_done(std::size_t y0, std::size_t y1) noexcept {
        while (y0 < y1) {
            const std::size_t c = y0 / chunk_rows_, end = std::min(y1, (c + 1) * chunk_rows_);
            if (left_[c].fetch_sub(end - y0) == end - y0) release_rows(c * chunk_rows_, std::min(ny_, (c + 1) * chunk_rows_));
            y0 = end;
        }
    }

private:
    /// MADV_DONTNEED on the whole pages inside rows [y0, y1) of every SCI and GROUPDQ plane.
    void release_rows(std::size_t y0, std::size_t y1) noexcept {
        release_plane_rows(ramp_.sci, y0, y1);
        release_plane_rows(ramp_.groupdq, y0, y1);
    }
    template <class T>
    static void release_plane_rows(NdArray<T, 4>& a, std::size_t y0, std::size_t y1) noexcept {
        const std::size_t planes = a.extent(0) * a.extent(1), row = a.extent(3) * sizeof(T);
        const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
        for (std::size_t g = 0; g < planes; ++g) {
            const auto base = reinterpret_cast<std::uintptr_t>(a.plane(g));
            const std::uintptr_t b = (base + y0 * row + page - 1) / page * page, e = (base + y1 * row) / page * page;
            if (b < e) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);  // advisory: a failure only keeps the pages
        }
    }

    RampModel& ramp_;
    std::size_t ny_, chunk_rows_, chunks_;
    std::unique_ptr<std::atomic<std::size_t>[]> left_;
};

}  // namespace orrery::jwst::rampfit
