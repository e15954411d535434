#pragma once
// Loading reference files for one science exposure:
//   read_reference<MaskRef>(path, science), <SaturationRef>, <SuperbiasRef>,
//   <LinearityRef>, <DarkRef>, <GainRef>, <ReadnoiseRef>, <IpcRef>.
// DQ arrays of MASK/SATURATION/SUPERBIAS/LINEARITY/DARK are translated through
// DQ_DEF when present (dq_def.hpp); arrays are cut to the science subarray
// (subarray.hpp) while reading, so a full-frame reference costs only the region
// used. IPC kernels are not cut (the ipc step slices per-pixel kernels itself).
// `geometry` keeps the reference file's own SUBSTRT/SUBSIZE, as jwst does.
// read_dark_rows: a DARK with its SCI planes left in the file (read by rows later).

#include "orrery/jwst/io/dq_def.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/image_rows.hpp"
#include "orrery/array/fits/keywords.hpp"
#include "orrery/jwst/io/subarray.hpp"
#include "orrery/jwst/models.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace orrery::jwst::io {

namespace detail {

inline std::string dims_text(const std::vector<std::size_t>& s) {
    std::string t = "(";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + (s.size() == 1 ? ",)" : ")");
}

/// Reads reference arrays cut to the science region, checking each extension
/// against the plane size of the primary array.
class RefArrayReader {
public:
    RefArrayReader(fits::FitsReader& r, std::size_t plane_ny, std::size_t plane_nx, const SubarrayCut& cut)
        : r_(r), ny_(plane_ny), nx_(plane_nx), cut_(cut) {}

    [[nodiscard]] std::vector<std::size_t> shape(const char* ext) {
        auto s = r_.shape(ext);
        if (s.size() < 2 || s[s.size() - 2] != ny_ || s[s.size() - 1] != nx_)
            fits::input_error(r_.path(), "extension " + std::string(ext) + " has shape " + dims_text(s) + ", expected planes of " +
                                       std::to_string(ny_) + " x " + std::to_string(nx_));
        return s;
    }
    template <class T, std::size_t R>
    NdArray<T, R> read(const char* ext) {
        const auto s = shape(ext);
        if (s.size() != R)
            fits::input_error(r_.path(), "extension " + std::string(ext) + " has " + std::to_string(s.size()) + " axes, shape " +
                                       dims_text(s) + ", expected " + std::to_string(R));
        if (cut_.y0 == 0 && cut_.x0 == 0 && cut_.ny == ny_ && cut_.nx == nx_) return r_.read<T, R>(ext);
        return r_.read_yx_section<T, R>(ext, cut_.y0, cut_.ny, cut_.x0, cut_.nx);
    }
    /// Rank-2..4 image as a rank-R array: missing leading axes are 1 ("SCI 2-D dark" -> (1, 1, ny, nx)),
    /// surplus leading axes are merged into the first.
    template <class T, std::size_t R>
    NdArray<T, R> read_as(const char* ext) {
        const auto s = shape(ext);
        NdArray<T, R> out;
        std::array<std::size_t, R> to{};
        to.fill(1);
        to[R - 2] = cut_.ny;
        to[R - 1] = cut_.nx;
        switch (s.size()) {
            case 2: { auto a = read<T, 2>(ext); out = reshaped<R>(std::move(a), to, s); break; }
            case 3: { auto a = read<T, 3>(ext); out = reshaped<R>(std::move(a), to, s); break; }
            case 4: { auto a = read<T, 4>(ext); out = reshaped<R>(std::move(a), to, s); break; }
            default:
                fits::input_error(r_.path(), "extension " + std::string(ext) + " has " + std::to_string(s.size()) + " axes, shape " +
                                           dims_text(s) + ", expected 2 to 4");
        }
        return out;
    }
    template <class T>
    NdArray<T, 2> plane_zeros() const { return NdArray<T, 2>({cut_.ny, cut_.nx}, T{}); }
    /// The shape read_as<T, R>(ext) gives, without reading.
    template <std::size_t R>
    std::array<std::size_t, R> shape_as(const char* ext) {
        const auto s = shape(ext);
        if (s.size() < 2 || s.size() > 4)
            fits::input_error(r_.path(), "extension " + std::string(ext) + " has " + std::to_string(s.size()) + " axes, shape " +
                                       dims_text(s) + ", expected 2 to 4");
        std::array<std::size_t, R> to{};
        to.fill(1);
        to[R - 2] = cut_.ny;
        to[R - 1] = cut_.nx;
        return reshaped_shape(to, s);
    }
    [[nodiscard]] const SubarrayCut& cut() const { return cut_; }

private:
    template <std::size_t R>
    static std::array<std::size_t, R> reshaped_shape(std::array<std::size_t, R> to, const std::vector<std::size_t>& shape) {
        // Keep the file's leading axes at the end of the leading block; merge extras into axis 0.
        if (shape.size() < 2 || shape.size() > 4) return to;  // rejected by the callers
        std::array<std::size_t, 4> s{};  // fixed size: lets the optimiser see the loops are short
        const std::size_t n = shape.size();
        for (std::size_t i = 0; i < n; ++i) s[i] = shape[i];
        const std::size_t lead_file = n - 2, lead_out = R - 2;
        if (lead_file <= lead_out) {
            for (std::size_t i = 0; i < lead_file; ++i) to[lead_out - lead_file + i] = s[i];
        } else {
            const std::size_t k = lead_file - lead_out + 1;
            std::size_t merged = 1;
            for (std::size_t i = 0; i < k && i < s.size(); ++i) merged *= s[i];
            to[0] = merged;
            for (std::size_t i = 1; i < lead_out && k - 1 + i < s.size(); ++i) to[i] = s[k - 1 + i];
        }
        return to;
    }
    template <std::size_t R, class T, std::size_t Q>
    static NdArray<T, R> reshaped(NdArray<T, Q>&& a, std::array<std::size_t, R> to, const std::vector<std::size_t>& s) {
        NdArray<T, R> out;
        out.storage() = std::move(a.storage());
        out.reshape(reshaped_shape(to, s));  // same element count, new axes
        return out;
    }

    fits::FitsReader& r_;
    std::size_t ny_, nx_;
    SubarrayCut cut_;
};

inline void translate_if_defined(std::optional<DqDef>& def, auto& dq) {
    if (def) translate_dq(dq, *def);
}

/// Everything of a DARK but SCI (DQ untranslated: the caller applies DQ_DEF).
inline void read_dark_rest(fits::FitsReader& r, RefArrayReader& a, DarkRef& ref) {
    const auto& path = r.path();
    if (r.has("DQ")) ref.dq = a.template read_as<std::uint32_t, 3>("DQ");
    else ref.dq = NdArray<std::uint32_t, 3>({1, a.cut().ny, a.cut().nx}, 0u);
    if (auto v = fits::keyword_int(ref.primary, "NFRAMES", path)) ref.nframes = *v;
    if (auto v = fits::keyword_int(ref.primary, "GROUPGAP", path)) ref.groupgap = *v;
    ref.avgdrkcr = fits::keyword_double(ref.primary, "AVGDRKCR", path);
    if (r.has("AVDRKCUR")) ref.avdrkcur = a.template read<float, 2>("AVDRKCUR");
}

}  // namespace detail

/// Load one reference file for `science`. See the file comment for what each type reads.
template <class Ref>
Ref read_reference(const std::filesystem::path& path, const ModelBase& science) {
    static_assert(std::is_base_of_v<RefBase, Ref>, "read_reference: not a reference struct from models.hpp");
    fits::FitsReader r(path);
    Ref ref;
    ref.primary = r.primary_header();
    ref.path = path.string();

    if constexpr (std::is_same_v<Ref, IpcRef>) {
        if (!r.has("SCI")) fits::input_error(path, "no SCI extension");
        const auto s = r.shape("SCI");
        if (s.size() == 2) ref.kernel = r.read<float, 2>("SCI");
        else if (s.size() == 4) ref.per_pixel = r.read<float, 4>("SCI");
        else fits::input_error(path, "extension SCI has shape " + detail::dims_text(s) + ", expected a 2-D or 4-D IPC kernel");
        if (auto x = fits::keyword_int(ref.primary, "SUBSTRT1", path)) ref.geometry.substrt1 = *x;
        if (auto y = fits::keyword_int(ref.primary, "SUBSTRT2", path)) ref.geometry.substrt2 = *y;
        if (auto x = fits::keyword_int(ref.primary, "SUBSIZE1", path)) ref.geometry.subsize1 = *x;
        if (auto y = fits::keyword_int(ref.primary, "SUBSIZE2", path)) ref.geometry.subsize2 = *y;
        return ref;
    } else {
        const char* main_ext = std::is_same_v<Ref, MaskRef> ? "DQ" : std::is_same_v<Ref, LinearityRef> ? "COEFFS" : "SCI";
        if (!r.has(main_ext)) fits::input_error(path, std::string("no ") + main_ext + " extension");
        const auto ms = r.shape(main_ext);
        if (ms.size() < 2)
            fits::input_error(path, "extension " + std::string(main_ext) + " has shape " + detail::dims_text(ms) + ", expected at least 2 axes");
        const std::size_t ny = ms[ms.size() - 2], nx = ms[ms.size() - 1];
        const SubarrayCut cut = reference_cut(path, ref.primary, ny, nx, science, ref.geometry);
        detail::RefArrayReader a(r, ny, nx, cut);

        constexpr bool has_dq = std::is_same_v<Ref, MaskRef> || std::is_same_v<Ref, SaturationRef> ||
                                std::is_same_v<Ref, SuperbiasRef> || std::is_same_v<Ref, LinearityRef> ||
                                std::is_same_v<Ref, DarkRef>;
        std::optional<DqDef> def;
        if constexpr (has_dq) def = read_dq_def(r);

        if constexpr (std::is_same_v<Ref, MaskRef>) {
            ref.dq = a.template read<std::uint32_t, 2>("DQ");
        } else if constexpr (std::is_same_v<Ref, SaturationRef> || std::is_same_v<Ref, SuperbiasRef>) {
            ref.sci = a.template read<float, 2>("SCI");
            ref.dq = r.has("DQ") ? a.template read<std::uint32_t, 2>("DQ") : a.template plane_zeros<std::uint32_t>();
        } else if constexpr (std::is_same_v<Ref, LinearityRef>) {
            ref.coeffs = a.template read<float, 3>("COEFFS");
            ref.dq = r.has("DQ") ? a.template read<std::uint32_t, 2>("DQ") : a.template plane_zeros<std::uint32_t>();
        } else if constexpr (std::is_same_v<Ref, DarkRef>) {
            ref.sci = a.template read_as<float, 4>("SCI");
            detail::read_dark_rest(r, a, ref);
        } else if constexpr (std::is_same_v<Ref, GainRef>) {
            ref.sci = a.template read<float, 2>("SCI");
            ref.gain_factor = fits::keyword_double(ref.primary, "GAINFACT", path);
        } else if constexpr (std::is_same_v<Ref, ReadnoiseRef>) {
            ref.sci = a.template read<float, 2>("SCI");
        } else {
            static_assert(sizeof(Ref) == 0, "read_reference: unsupported reference type");
        }
        if constexpr (has_dq) detail::translate_if_defined(def, ref.dq);
        return ref;
    }
}

}  // namespace orrery::jwst::io

namespace orrery::jwst::io {

/// A DARK reference whose SCI planes stay in the file, read row block by row block:
/// everything else exactly as read_reference<DarkRef> reads it, with `meta.sci` empty.
struct DarkRowsRef {
    DarkRef meta;                          // sci empty
    std::array<std::size_t, 4> sci_shape;  // the shape read_reference<DarkRef> gives sci
    ImageRows sci;                         // plane di * sci_shape[1] + g = sci(di, g)
};

/// The DARK for `science` with SCI left in the file; nullopt when SCI is not stored as plain
/// float32 (read_reference<DarkRef> reads it whole then). Same checks and errors as read_reference.
inline std::optional<DarkRowsRef> read_dark_rows(const std::filesystem::path& path, const ModelBase& science) {
    fits::FitsReader r(path);
    DarkRef ref;
    ref.primary = r.primary_header();
    ref.path = path.string();
    if (!r.has("SCI")) fits::input_error(path, "no SCI extension");
    const auto ms = r.shape("SCI");
    if (ms.size() < 2) fits::input_error(path, "extension SCI has shape " + detail::dims_text(ms) + ", expected at least 2 axes");
    const std::size_t ny = ms[ms.size() - 2], nx = ms[ms.size() - 1];
    const SubarrayCut cut = reference_cut(path, ref.primary, ny, nx, science, ref.geometry);
    detail::RefArrayReader a(r, ny, nx, cut);
    const auto shape = a.template shape_as<4>("SCI");
    auto rows = ImageRows::open(r, "SCI", cut);
    if (!rows) return std::nullopt;
    std::optional<DqDef> def = read_dq_def(r);
    detail::read_dark_rest(r, a, ref);
    detail::translate_if_defined(def, ref.dq);
    return DarkRowsRef{std::move(ref), shape, std::move(*rows)};
}

}  // namespace orrery::jwst::io
