#pragma once
// The cfitsio datatype code for each C++ element type, and readable names for
// the storage types found in files (BITPIX + BZERO), for error messages.

#include <fitsio.h>

#include <cstdint>
#include <string>
#include <type_traits>

namespace orrery::fits {

template <class T>
struct FitsType;  // undefined: element type not supported by FITS
template <> struct FitsType<float> { static constexpr int code = TFLOAT; static constexpr int bitpix = FLOAT_IMG; static constexpr const char* name = "float32"; };
template <> struct FitsType<double> { static constexpr int code = TDOUBLE; static constexpr int bitpix = DOUBLE_IMG; static constexpr const char* name = "float64"; };
template <> struct FitsType<std::uint8_t> { static constexpr int code = TBYTE; static constexpr int bitpix = BYTE_IMG; static constexpr const char* name = "uint8"; };
template <> struct FitsType<std::int8_t> { static constexpr int code = TSBYTE; static constexpr int bitpix = SBYTE_IMG; static constexpr const char* name = "int8"; };
template <> struct FitsType<std::uint16_t> { static constexpr int code = TUSHORT; static constexpr int bitpix = USHORT_IMG; static constexpr const char* name = "uint16"; };
template <> struct FitsType<std::int16_t> { static constexpr int code = TSHORT; static constexpr int bitpix = SHORT_IMG; static constexpr const char* name = "int16"; };
template <> struct FitsType<std::uint32_t> { static constexpr int code = TUINT; static constexpr int bitpix = ULONG_IMG; static constexpr const char* name = "uint32"; };
template <> struct FitsType<std::int32_t> { static constexpr int code = TINT; static constexpr int bitpix = LONG_IMG; static constexpr const char* name = "int32"; };
template <> struct FitsType<std::int64_t> { static constexpr int code = TLONGLONG; static constexpr int bitpix = LONGLONG_IMG; static constexpr const char* name = "int64"; };
template <> struct FitsType<std::uint64_t> { static constexpr int code = TULONGLONG; static constexpr int bitpix = ULONGLONG_IMG; static constexpr const char* name = "uint64"; };

/// numpy-style name of an image's equivalent type (BITPIX with BZERO applied).
inline std::string image_type_name(int equiv_bitpix) {
    switch (equiv_bitpix) {
        case BYTE_IMG: return "uint8";
        case SBYTE_IMG: return "int8";
        case SHORT_IMG: return "int16";
        case USHORT_IMG: return "uint16";
        case LONG_IMG: return "int32";
        case ULONG_IMG: return "uint32";
        case LONGLONG_IMG: return "int64";
        case ULONGLONG_IMG: return "uint64";
        case FLOAT_IMG: return "float32";
        case DOUBLE_IMG: return "float64";
        default: return "BITPIX " + std::to_string(equiv_bitpix);
    }
}

inline bool is_float_image(int equiv_bitpix) { return equiv_bitpix == FLOAT_IMG || equiv_bitpix == DOUBLE_IMG; }

}  // namespace orrery::fits
