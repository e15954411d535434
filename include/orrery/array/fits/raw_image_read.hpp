#pragma once
// Fast path for reading an uncompressed FITS image: the big-endian bytes are read
// with pread() in chunks and converted straight into the caller's buffer
// (byte swap, BZERO offset, conversion to T). cfitsio's own path copies through
// its small internal buffers and is several times slower for full-frame ramps.
// Only conversions that are exact and cannot overflow are taken here (the result
// is identical to cfitsio's); everything else falls back to cfitsio.

#include "orrery/array/fits/fits_error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery::fits::detail {

/// Stored element kinds the fast path understands.
enum class RawKind { u8, i16, u16, i32, u32, f32, f64, unsupported };

inline RawKind raw_kind(int bitpix, double bzero, double bscale) {
    if (bscale != 1.0) return RawKind::unsupported;
    switch (bitpix) {
        case 8: return bzero == 0.0 ? RawKind::u8 : RawKind::unsupported;
        case 16: return bzero == 0.0 ? RawKind::i16 : bzero == 32768.0 ? RawKind::u16 : RawKind::unsupported;
        case 32: return bzero == 0.0 ? RawKind::i32 : bzero == 2147483648.0 ? RawKind::u32 : RawKind::unsupported;
        case -32: return bzero == 0.0 ? RawKind::f32 : RawKind::unsupported;
        case -64: return bzero == 0.0 ? RawKind::f64 : RawKind::unsupported;
        default: return RawKind::unsupported;
    }
}

/// Whether every value of stored type S converts to T exactly (so no overflow checks are needed).
template <class T, class S>
constexpr bool exact_conversion() {
    if constexpr (std::is_floating_point_v<S>) return std::is_floating_point_v<T> && sizeof(T) >= sizeof(S);
    else if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::digits >= std::numeric_limits<S>::digits;
    else return std::cmp_less_equal(std::numeric_limits<T>::min(), std::numeric_limits<S>::min()) &&
                std::cmp_greater_equal(std::numeric_limits<T>::max(), std::numeric_limits<S>::max());
}

/// pread exactly `bytes` bytes at `offset` (retrying short reads); InputError on failure or end of file.
inline void pread_all(int fd, void* out, std::size_t bytes, long long offset, const std::filesystem::path& path, const std::string& ext) {
    auto* p = static_cast<unsigned char*>(out);
    std::size_t got = 0;
    while (got < bytes) {
        const ssize_t r = ::pread(fd, p + got, bytes - got, static_cast<off_t>(offset + static_cast<long long>(got)));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) input_error(path, "cannot read extension " + ext + ": " + std::strerror(errno));
        if (r == 0) input_error(path, "cannot read extension " + ext + ": truncated (data end past end of file)");
        got += static_cast<std::size_t>(r);
    }
}

template <class S, class T, class Decode>
bool convert_chunks(int fd, const std::filesystem::path& path, const std::string& ext, long long offset, std::size_t n, T* out,
                    Decode decode) {
    if constexpr (!exact_conversion<T, S>()) {
        return false;
    } else {
        constexpr std::size_t chunk = 1 << 18;  // elements per pread
        // Elements [b, e): pread a chunk, convert it into `out`.
        const auto convert = [&](std::size_t b, std::size_t e) {
            std::vector<unsigned char> buf(std::min(chunk, e - b) * sizeof(S));
            for (std::size_t done = b; done < e;) {
                const std::size_t count = std::min(chunk, e - done);
                pread_all(fd, buf.data(), count * sizeof(S), offset + static_cast<long long>(done * sizeof(S)), path, ext);
                for (std::size_t i = 0; i < count; ++i) out[done + i] = static_cast<T>(decode(buf.data() + i * sizeof(S)));
                done += count;
            }
        };
        // A large image is read by two threads: copying out of the page cache and converting
        // are each bound by one core (a full-frame ramp: ~1.7x faster).
        if (n < 4 * chunk || std::thread::hardware_concurrency() < 2) {
            convert(0, n);
            return true;
        }
        const std::size_t half = n / 2 / chunk * chunk;
        std::exception_ptr error;
        std::thread other([&] {
            try {
                convert(half, n);
            } catch (...) {
                error = std::current_exception();
            }
        });
        try {
            convert(0, half);
        } catch (...) {
            other.join();
            throw;
        }
        other.join();
        if (error) std::rethrow_exception(error);
        return true;
    }
}

/// Read n elements of the given stored kind at byte `offset` into out; false when not handled here.
template <class T>
bool read_raw_image(const std::filesystem::path& path, const std::string& ext, long long offset, RawKind kind, std::size_t n, T* out) {
    if constexpr (std::endian::native != std::endian::little) {
        return false;
    } else {
        if (kind == RawKind::unsupported) return false;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return false;
        struct Closer {
            int fd;
            ~Closer() { ::close(fd); }
        } closer{fd};
        auto be16 = [](const unsigned char* p) { std::uint16_t v; std::memcpy(&v, p, 2); return __builtin_bswap16(v); };
        auto be32 = [](const unsigned char* p) { std::uint32_t v; std::memcpy(&v, p, 4); return __builtin_bswap32(v); };
        auto be64 = [](const unsigned char* p) { std::uint64_t v; std::memcpy(&v, p, 8); return __builtin_bswap64(v); };
        switch (kind) {
            case RawKind::u8: return convert_chunks<std::uint8_t>(fd, path, ext, offset, n, out, [](const unsigned char* p) { return *p; });
            case RawKind::i16: return convert_chunks<std::int16_t>(fd, path, ext, offset, n, out, [&](const unsigned char* p) { return static_cast<std::int16_t>(be16(p)); });
            case RawKind::u16: return convert_chunks<std::uint16_t>(fd, path, ext, offset, n, out, [&](const unsigned char* p) { return static_cast<std::uint16_t>(be16(p) ^ 0x8000u); });
            case RawKind::i32: return convert_chunks<std::int32_t>(fd, path, ext, offset, n, out, [&](const unsigned char* p) { return static_cast<std::int32_t>(be32(p)); });
            case RawKind::u32: return convert_chunks<std::uint32_t>(fd, path, ext, offset, n, out, [&](const unsigned char* p) { return be32(p) ^ 0x80000000u; });
            case RawKind::f32: return convert_chunks<float>(fd, path, ext, offset, n, out, [&](const unsigned char* p) { return std::bit_cast<float>(be32(p)); });
            case RawKind::f64: return convert_chunks<double>(fd, path, ext, offset, n, out, [&](const unsigned char* p) { return std::bit_cast<double>(be64(p)); });
            default: return false;
        }
    }
}

}  // namespace orrery::fits::detail
