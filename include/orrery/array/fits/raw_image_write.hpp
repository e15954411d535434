#pragma once
// Fast path for writing image data of the array's own type: the values are encoded
// (big-endian; BZERO types with their top bit flipped) into a chunk buffer and each
// chunk goes to cfitsio's byte-level writer, which writes large chunks straight to
// the file. fits_write_img converts through small internal buffers and issues
// thousands of small writes for a full-frame array (several times slower). The bytes
// written are exactly those fits_write_img writes (the tests compare files).
//
// ffpbyt is cfitsio's exported byte writer (declared in fitsio2.h, which has no
// C++ linkage block); ffmbyt is public (fitsio.h).

#include <fitsio.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

extern "C" int ffpbyt(fitsfile* fptr, LONGLONG nbytes, void* buffer, int* status);

namespace orrery::fits::detail {

/// Whether T's values can be written byte for byte (with the BZERO top-bit flip).
template <class T>
constexpr bool raw_writable = std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::uint8_t> ||
                              std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t> || std::is_same_v<T, std::uint16_t> ||
                              std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::uint32_t> ||
                              std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint64_t>;

/// The unsigned integer of T's size, and the bit that BZERO offsets (unsigned 16/32/64, signed 8).
template <class T>
struct raw_word {
    using type = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                 std::conditional_t<sizeof(T) == 2, std::uint16_t, std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
    static constexpr bool offset = std::is_same_v<T, std::int8_t> ||
                                   (std::is_unsigned_v<T> && std::is_integral_v<T> && sizeof(T) > 1);
    static constexpr type flip = offset ? static_cast<type>(type(1) << (8 * sizeof(T) - 1)) : type(0);
};

template <class W>
W to_big_endian(W v) {
    if constexpr (std::endian::native == std::endian::big || sizeof(W) == 1) return v;
    else if constexpr (sizeof(W) == 2) return __builtin_bswap16(v);
    else if constexpr (sizeof(W) == 4) return __builtin_bswap32(v);
    else return __builtin_bswap64(v);
}

/// Write n values as the data of the current image HDU (created with T's own BITPIX/BZERO).
/// Returns the cfitsio status (0 = fine).
template <class T>
int write_raw_image(fitsfile* f, const T* values, std::size_t n) {
    static_assert(raw_writable<T>);
    using W = typename raw_word<T>::type;
    int status = 0;
    fits_set_hdustruc(f, &status);  // fixes where the data unit starts
    LONGLONG head = 0, data = 0, end = 0;
    fits_get_hduaddrll(f, &head, &data, &end, &status);
    ffmbyt(f, data, 1 /* IGNORE_EOF: the data unit is not written yet */, &status);
    constexpr std::size_t chunk = (std::size_t(1) << 20) / sizeof(W);  // 1 MiB: large direct writes
    std::vector<W> buffer(std::min(chunk, n));
    for (std::size_t done = 0; done < n && !status; done += chunk) {
        const std::size_t count = std::min(chunk, n - done);
        for (std::size_t i = 0; i < count; ++i) {
            W w;
            std::memcpy(&w, values + done + i, sizeof(W));
            buffer[i] = to_big_endian(static_cast<W>(w ^ raw_word<T>::flip));
        }
        ffpbyt(f, static_cast<LONGLONG>(count * sizeof(W)), buffer.data(), &status);
    }
    return status;
}

}  // namespace orrery::fits::detail
