#pragma once
// NdArray: a contiguous, row-major array in FITS/numpy axis order (slowest axis
// first), the storage behind every JWST model. FITS buffers are read straight
// into it and steps compute on it in place, so there is no copy in between.

#include <Eigen/Core>

#include <sys/mman.h>

#include <array>
#include <cstdlib>
#include <new>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery {

/// Allocator for array storage: large blocks are 2 MiB-aligned and marked for
/// transparent huge pages, because first-touch page faults on 4 KiB pages cost
/// more than the whole calibration of a full-frame exposure (0.7 s vs 0.02 s for
/// 200 MB measured on the CI machine class). Small blocks come from malloc.
template <class T>
struct LargePageAllocator {
    using value_type = T;
    static constexpr std::size_t huge_page = std::size_t{2} << 20;
    static constexpr std::size_t threshold = std::size_t{4} << 20;

    LargePageAllocator() = default;
    template <class U>
    LargePageAllocator(const LargePageAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        static_assert(alignof(T) <= alignof(std::max_align_t), "malloc's alignment is enough for the element type");
        const std::size_t bytes = n * sizeof(T);
        if (bytes < threshold) {
            void* p = std::malloc(bytes == 0 ? 1 : bytes);
            if (!p) throw std::bad_alloc();
            return static_cast<T*>(p);
        }
        const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
        void* p = std::aligned_alloc(huge_page, rounded);
        if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        ::madvise(p, rounded, MADV_HUGEPAGE);  // advisory: ignored where THP is off
#endif
        return static_cast<T*>(p);
    }
    /// Both kinds of block come from the malloc family, so one free() releases either.
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }
    /// Value-initialisation (vector(n), resize(n)) default-initialises instead: new trivial
    /// elements are left unwritten (no serial zero fill; first touch by whoever writes
    /// them). Pass a value (assign(n, 0), resize(n, 0)) where zeros are needed. NdArray
    /// passes a fill value everywhere except resize_uninitialized.
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... A>
    void construct(U* p, A&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<A>(args)...);
    }
    friend bool operator==(const LargePageAllocator&, const LargePageAllocator&) { return true; }
};

template <class T, std::size_t Rank>
class NdArray {
public:
    using value_type = T;
    using Shape = std::array<std::size_t, Rank>;
    static constexpr std::size_t rank = Rank;

    NdArray() { shape_.fill(0); }
    explicit NdArray(const Shape& shape, T fill = T{}) : shape_(shape), data_(count(shape), fill) {}

    [[nodiscard]] const Shape& shape() const noexcept { return shape_; }
    [[nodiscard]] std::size_t extent(std::size_t axis) const noexcept { return shape_[axis]; }
    [[nodiscard]] std::size_t size() const noexcept { return data_.size(); }
    [[nodiscard]] bool empty() const noexcept { return data_.empty(); }

    [[nodiscard]] T* data() noexcept { return data_.data(); }
    [[nodiscard]] const T* data() const noexcept { return data_.data(); }
    [[nodiscard]] T* begin() noexcept { return data_.data(); }
    [[nodiscard]] T* end() noexcept { return data_.data() + data_.size(); }
    [[nodiscard]] const T* begin() const noexcept { return data_.data(); }
    [[nodiscard]] const T* end() const noexcept { return data_.data() + data_.size(); }

    T& operator[](std::size_t flat) noexcept { return data_[flat]; }
    const T& operator[](std::size_t flat) const noexcept { return data_[flat]; }

    template <class... I>
        requires(sizeof...(I) == Rank)
    T& operator()(I... idx) noexcept { return data_[offset(static_cast<std::size_t>(idx)...)]; }
    template <class... I>
        requires(sizeof...(I) == Rank)
    const T& operator()(I... idx) const noexcept { return data_[offset(static_cast<std::size_t>(idx)...)]; }

    /// Elements in one slice along the first axis (e.g. one group plane of a 3-D cube).
    [[nodiscard]] std::size_t stride0() const noexcept { return Rank == 0 || shape_[0] == 0 ? 0 : data_.size() / shape_[0]; }

    /// The last two axes as a row-major 2-D plane; `leading` is the flat index over the other axes.
    [[nodiscard]] T* plane(std::size_t leading) noexcept { return data_.data() + leading * plane_size(); }
    [[nodiscard]] const T* plane(std::size_t leading) const noexcept { return data_.data() + leading * plane_size(); }
    [[nodiscard]] std::size_t plane_size() const noexcept {
        static_assert(Rank >= 2, "plane() needs at least two axes");
        return shape_[Rank - 1] * shape_[Rank - 2];
    }

    using PlaneMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    using ConstPlaneMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    /// Eigen view (rows = y, cols = x) of one plane: no copy.
    [[nodiscard]] PlaneMap eigen_plane(std::size_t leading = 0) noexcept {
        return PlaneMap(plane(leading), static_cast<Eigen::Index>(shape_[Rank - 2]), static_cast<Eigen::Index>(shape_[Rank - 1]));
    }
    [[nodiscard]] ConstPlaneMap eigen_plane(std::size_t leading = 0) const noexcept {
        return ConstPlaneMap(plane(leading), static_cast<Eigen::Index>(shape_[Rank - 2]), static_cast<Eigen::Index>(shape_[Rank - 1]));
    }
    /// Eigen view of all elements as one flat array.
    [[nodiscard]] Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> eigen_flat() noexcept {
        return {data_.data(), static_cast<Eigen::Index>(data_.size())};
    }
    [[nodiscard]] Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>> eigen_flat() const noexcept {
        return {data_.data(), static_cast<Eigen::Index>(data_.size())};
    }

    void fill(T value) { std::fill(data_.begin(), data_.end(), value); }
    /// Reshape keeping the element count (throws otherwise).
    void reshape(const Shape& shape) {
        if (count(shape) != data_.size()) throw std::invalid_argument("NdArray::reshape: element count differs");
        shape_ = shape;
    }
    void resize(const Shape& shape, T fill_value = T{}) {
        shape_ = shape;
        data_.assign(count(shape), fill_value);
    }
    /// Resize leaving the elements unspecified (no fill), for outputs whose every element
    /// is written afterwards: a fresh large block is then first touched by the writers
    /// (e.g. spread over the threads) instead of by a serial zero fill.
    void resize_uninitialized(const Shape& shape) {
        static_assert(std::is_trivially_default_constructible_v<T> && std::is_trivially_copyable_v<T>);
        shape_ = shape;
        const std::size_t n = count(shape);
        if (data_.capacity() < n) Storage().swap(data_);  // release the old block first; nothing to copy
        data_.resize(n);  // default-initialised: see LargePageAllocator::construct
    }

    using Storage = std::vector<T, LargePageAllocator<T>>;
    [[nodiscard]] Storage& storage() noexcept { return data_; }
    [[nodiscard]] const Storage& storage() const noexcept { return data_; }

    friend bool operator==(const NdArray&, const NdArray&) = default;

    static std::size_t count(const Shape& s) {
        return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>());
    }

private:
    template <class... I>
    [[nodiscard]] std::size_t offset(I... idx) const noexcept {
        const std::array<std::size_t, Rank> index{idx...};
        std::size_t flat = 0;
        for (std::size_t a = 0; a < Rank; ++a) flat = flat * shape_[a] + index[a];
        return flat;
    }

    Shape shape_;
    std::vector<T, LargePageAllocator<T>> data_;
};

/// "(2, 12, 48, 40)": numpy-style text for error messages.
template <std::size_t Rank>
std::string shape_text(const std::array<std::size_t, Rank>& shape) {
    std::string s = "(";
    for (std::size_t a = 0; a < Rank; ++a) {
        if (a) s += ", ";
        s += std::to_string(shape[a]);
    }
    if (Rank == 1) s += ",";
    return s + ")";
}

}  // namespace orrery
