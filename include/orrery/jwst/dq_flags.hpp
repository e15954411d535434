#pragma once
// JWST data-quality flags (stdatamodels dqflags): pixel flags (uint32 PIXELDQ/DQ)
// and the group subset (uint8 GROUPDQ). Values are part of the file format.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::jwst::dq {

inline constexpr std::uint32_t GOOD = 0;
inline constexpr std::uint32_t DO_NOT_USE = 1u << 0;
inline constexpr std::uint32_t SATURATED = 1u << 1;
inline constexpr std::uint32_t JUMP_DET = 1u << 2;
inline constexpr std::uint32_t DROPOUT = 1u << 3;
inline constexpr std::uint32_t OUTLIER = 1u << 4;
inline constexpr std::uint32_t PERSISTENCE = 1u << 5;
inline constexpr std::uint32_t AD_FLOOR = 1u << 6;
inline constexpr std::uint32_t CHARGELOSS = 1u << 7;
inline constexpr std::uint32_t RESERVED = 1u << 8;
inline constexpr std::uint32_t NON_SCIENCE = 1u << 9;
inline constexpr std::uint32_t DEAD = 1u << 10;
inline constexpr std::uint32_t HOT = 1u << 11;
inline constexpr std::uint32_t WARM = 1u << 12;
inline constexpr std::uint32_t LOW_QE = 1u << 13;
inline constexpr std::uint32_t RC = 1u << 14;
inline constexpr std::uint32_t TELEGRAPH = 1u << 15;
inline constexpr std::uint32_t NONLINEAR = 1u << 16;
inline constexpr std::uint32_t BAD_REF_PIXEL = 1u << 17;
inline constexpr std::uint32_t NO_FLAT_FIELD = 1u << 18;
inline constexpr std::uint32_t NO_GAIN_VALUE = 1u << 19;
inline constexpr std::uint32_t NO_LIN_CORR = 1u << 20;
inline constexpr std::uint32_t NO_SAT_CHECK = 1u << 21;
inline constexpr std::uint32_t UNRELIABLE_BIAS = 1u << 22;
inline constexpr std::uint32_t UNRELIABLE_DARK = 1u << 23;
inline constexpr std::uint32_t UNRELIABLE_SLOPE = 1u << 24;
inline constexpr std::uint32_t UNRELIABLE_FLAT = 1u << 25;
inline constexpr std::uint32_t OPEN = 1u << 26;
inline constexpr std::uint32_t ADJ_OPEN = 1u << 27;
inline constexpr std::uint32_t FLUX_ESTIMATED = 1u << 28;
inline constexpr std::uint32_t MSA_FAILED_OPEN = 1u << 29;
inline constexpr std::uint32_t OTHER_BAD_PIXEL = 1u << 30;
inline constexpr std::uint32_t REFERENCE_PIXEL = 1u << 31;

struct Flag {
    std::string_view name;
    std::uint32_t value;
};

/// The pixel table, bit 0 upward (index == bit number).
inline constexpr std::array<Flag, 32> pixel_flags{{
    {"DO_NOT_USE", DO_NOT_USE},       {"SATURATED", SATURATED},         {"JUMP_DET", JUMP_DET},
    {"DROPOUT", DROPOUT},             {"OUTLIER", OUTLIER},             {"PERSISTENCE", PERSISTENCE},
    {"AD_FLOOR", AD_FLOOR},           {"CHARGELOSS", CHARGELOSS},       {"RESERVED", RESERVED},
    {"NON_SCIENCE", NON_SCIENCE},     {"DEAD", DEAD},                   {"HOT", HOT},
    {"WARM", WARM},                   {"LOW_QE", LOW_QE},               {"RC", RC},
    {"TELEGRAPH", TELEGRAPH},         {"NONLINEAR", NONLINEAR},         {"BAD_REF_PIXEL", BAD_REF_PIXEL},
    {"NO_FLAT_FIELD", NO_FLAT_FIELD}, {"NO_GAIN_VALUE", NO_GAIN_VALUE}, {"NO_LIN_CORR", NO_LIN_CORR},
    {"NO_SAT_CHECK", NO_SAT_CHECK},   {"UNRELIABLE_BIAS", UNRELIABLE_BIAS}, {"UNRELIABLE_DARK", UNRELIABLE_DARK},
    {"UNRELIABLE_SLOPE", UNRELIABLE_SLOPE}, {"UNRELIABLE_FLAT", UNRELIABLE_FLAT}, {"OPEN", OPEN},
    {"ADJ_OPEN", ADJ_OPEN},           {"FLUX_ESTIMATED", FLUX_ESTIMATED}, {"MSA_FAILED_OPEN", MSA_FAILED_OPEN},
    {"OTHER_BAD_PIXEL", OTHER_BAD_PIXEL}, {"REFERENCE_PIXEL", REFERENCE_PIXEL},
}};

/// Flags that may appear in GROUPDQ (uint8).
inline constexpr std::array<Flag, 7> group_flags{{
    {"DO_NOT_USE", DO_NOT_USE}, {"SATURATED", SATURATED},     {"JUMP_DET", JUMP_DET},   {"DROPOUT", DROPOUT},
    {"PERSISTENCE", PERSISTENCE}, {"AD_FLOOR", AD_FLOOR}, {"CHARGELOSS", CHARGELOSS},
}};

/// Older stdatamodels names for the same bits, still found in DQ_DEF tables.
inline constexpr std::array<Flag, 3> legacy_aliases{{
    {"RESERVED_4", CHARGELOSS}, {"UNRELIABLE_ERROR", RESERVED}, {"UNRELIABLE_RESET", FLUX_ESTIMATED},
}};

/// Value of a mnemonic ("GOOD" gives 0); nullopt for an unknown name.
constexpr std::optional<std::uint32_t> value_of(std::string_view name) {
    if (name == "GOOD") return GOOD;
    for (const auto& f : pixel_flags)
        if (f.name == name) return f.value;
    for (const auto& f : legacy_aliases)
        if (f.name == name) return f.value;
    return std::nullopt;
}

/// Name of a single bit value; empty for 0 or a value with several bits.
constexpr std::string_view name_of(std::uint32_t value) {
    for (const auto& f : pixel_flags)
        if (f.value == value) return f.name;
    return {};
}

/// The names of every bit set in `value`, lowest bit first (astropy `interpret_bit_flags` inverse).
inline std::vector<std::string_view> interpret(std::uint32_t value) {
    std::vector<std::string_view> names;
    for (const auto& f : pixel_flags)
        if (value & f.value) names.push_back(f.name);
    return names;
}

/// "SATURATED|JUMP_DET" style text (or "GOOD").
inline std::string to_string(std::uint32_t value) {
    if (value == 0) return "GOOD";
    std::string s;
    for (auto n : interpret(value)) {
        if (!s.empty()) s += '|';
        s += n;
    }
    return s;
}

constexpr bool has_all(std::uint32_t value, std::uint32_t bits) { return (value & bits) == bits; }
constexpr bool has_any(std::uint32_t value, std::uint32_t bits) { return (value & bits) != 0; }

}  // namespace orrery::jwst::dq
