#pragma once
// Branch-free sorting of short arrays (ramps: up to 32 values) with Batcher's odd-even
// merge sort network, pruned to the exact length: the comparators touching positions
// >= n are dropped, which is exact because padding with +inf would never move. The
// network is straight-line min/max code (no data-dependent branches), much faster than
// std::sort / nth_element on noisy data of this size. The values are the same as any
// sort's, except that of two zeros of opposite sign both may come out with the same
// sign (min/max do not order them). No NaN.
//
//   if (sort_small(v, n)) ...;   // false (nothing done) when n > small_sort_max

#include <array>
#include <cstddef>
#include <cstring>
#include <utility>

namespace orrery::jwst {

inline constexpr std::size_t small_sort_max = 32;

namespace detail::small_sort {

struct Comparator {
    unsigned char lo, hi;
};

/// Batcher's odd-even merge sort on the next power of two, comparators inside [0, n) only.
template <std::size_t N>
constexpr auto network() {
    constexpr auto build = [](Comparator* out) {
        std::size_t P = 1;
        while (P < N) P <<= 1;
        std::size_t count = 0;
        for (std::size_t p = 1; p < P; p <<= 1)
            for (std::size_t k = p; k >= 1; k >>= 1)
                for (std::size_t j = k % p; j + k < P; j += 2 * k)
                    for (std::size_t i = 0; i < k && i + j + k < P; ++i)
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p) && i + j + k < N) {
                            if (out) out[count] = {static_cast<unsigned char>(i + j), static_cast<unsigned char>(i + j + k)};
                            ++count;
                        }
        return count;
    };
    std::array<Comparator, build(nullptr)> net{};
    build(net.data());
    return net;
}

/// Separate min and max (not one conditional swap) so that the compiler emits minsd/maxsd
/// rather than a branch. Of two equal values (-0.0, 0.0) both may come out as the same one.
template <class T>
inline void compare_exchange(T& a, T& b) noexcept {
    const T lo = b < a ? b : a;
    const T hi = a < b ? b : a;
    a = lo;
    b = hi;
}

template <class T, std::size_t N, std::size_t... I>
inline void run_network(T* v, std::index_sequence<I...>) noexcept {
    static constexpr auto net = network<N>();
    T a[N];
    for (std::size_t k = 0; k < N; ++k) a[k] = v[k];  // a local copy the compiler keeps in registers
    (compare_exchange(a[net[I].lo], a[net[I].hi]), ...);
    for (std::size_t k = 0; k < N; ++k) v[k] = a[k];
}

template <class T, std::size_t N>
inline void sort_exactly(T* v) noexcept {
    if constexpr (N >= 2) run_network<T, N>(v, std::make_index_sequence<network<N>().size()>{});
}

}  // namespace detail::small_sort

namespace detail::small_sort {

/// Four float lanes (GCC/Clang vector extension): one comparator sorts four arrays at once.
using Lanes4 = float __attribute__((vector_size(16)));

template <std::size_t N, std::size_t... I>
inline void run_network_lanes4(float* v, std::index_sequence<I...>) noexcept {
    static constexpr auto net = network<N>();
    Lanes4 a[N];
    std::memcpy(a, v, sizeof a);
    ((void)[&](Lanes4& x, Lanes4& y) {
         const Lanes4 lo = y < x ? y : x;
         const Lanes4 hi = x < y ? y : x;
         x = lo;
         y = hi;
     }(a[net[I].lo], a[net[I].hi]),
     ...);
    std::memcpy(v, a, sizeof a);
}

template <std::size_t N>
inline void sort_lanes4_exactly(float* v) noexcept {
    if constexpr (N >= 2) run_network_lanes4<N>(v, std::make_index_sequence<network<N>().size()>{});
}

}  // namespace detail::small_sort

/// Sort four float arrays of length n <= small_sort_max at once, interleaved: element j of
/// array l is v[4 * j + l]. Returns false (nothing done) when n is larger. No NaN.
inline bool sort_small_lanes4(float* v, std::size_t n) noexcept {
    using Sort = void (*)(float*) noexcept;
    static constexpr auto table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<Sort, sizeof...(K)>{&detail::small_sort::sort_lanes4_exactly<K>...};
    }(std::make_index_sequence<small_sort_max + 1>{});
    if (n > small_sort_max) return false;
    table[n](v);
    return true;
}

/// Sort v[0, N) ascending with the network sort_small uses for n == N, inlined. T may be a
/// GCC/Clang vector type: each lane is then sorted on its own, exactly as the scalar sort.
template <std::size_t N, class T>
inline void sort_fixed(T* v) noexcept {
    static_assert(N <= small_sort_max);
    detail::small_sort::sort_exactly<T, N>(v);
}

/// Sort v[0, n) ascending when n <= small_sort_max (returns false and leaves v alone otherwise).
template <class T>
inline bool sort_small(T* v, std::size_t n) noexcept {
    using Sort = void (*)(T*) noexcept;
    static constexpr auto table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<Sort, sizeof...(K)>{&detail::small_sort::sort_exactly<T, K>...};
    }(std::make_index_sequence<small_sort_max + 1>{});
    if (n > small_sort_max) return false;
    table[n](v);
    return true;
}

}  // namespace orrery::jwst
