#pragma once
// FitsReader: random access to the HDUs of one FITS file by EXTNAME. Images are
// read straight into NdArray storage (numpy axis order, no intermediate copy);
// cfitsio converts the stored type (including int16 + BZERO 32768 = uint16 and
// int32 + BZERO 2^31 = uint32) to the requested element type. Every failure is an
// orrery::InputError naming the file, the extension and the problem.
//
// Built on cfitsio directly rather than CCfits: raw 80-character cards are needed
// to carry headers card for card, and reads must land in caller-owned buffers.

#include "orrery/array/header.hpp"
#include "orrery/array/fits/fits_error.hpp"
#include "orrery/array/fits/fits_file.hpp"
#include "orrery/array/fits/fits_types.hpp"
#include "orrery/array/fits/raw_image_read.hpp"
#include "orrery/array/ndarray.hpp"

#include <fitsio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace orrery::fits {

class FitsReader {
public:
    explicit FitsReader(std::filesystem::path path) : path_(std::move(path)), file_(open_fits_readonly(path_)) {
        check_complete();
    }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

    /// Whether an HDU with this EXTNAME exists (case-insensitive, any EXTVER).
    [[nodiscard]] bool has(std::string_view extname) {
        int status = 0;
        std::string name(extname);
        fits_movnam_hdu(f(), ANY_HDU, name.data(), 0, &status);
        if (status == BAD_HDU_NUM) {
            fits_clear_errmsg();
            return false;
        }
        if (status) fits_error(path_, "cannot look for extension " + name, status);
        return true;
    }

    /// EXTNAME of every HDU in file order ("PRIMARY" for the first when it has none).
    [[nodiscard]] std::vector<std::string> extnames() {
        int status = 0, n = 0;
        fits_get_num_hdus(f(), &n, &status);
        if (status) fits_error(path_, "cannot count HDUs", status);
        std::vector<std::string> names;
        for (int i = 1; i <= n; ++i) {
            fits_movabs_hdu(f(), i, nullptr, &status);
            if (status) fits_error(path_, "cannot read HDU " + std::to_string(i), status);
            char value[FLEN_VALUE] = {};
            int ks = 0;
            fits_read_key(f(), TSTRING, "EXTNAME", value, nullptr, &ks);
            if (ks) fits_clear_errmsg();
            names.push_back(ks ? (i == 1 ? "PRIMARY" : "") : value);
        }
        return names;
    }

    [[nodiscard]] Header primary_header() {
        move_to_index(1, "primary HDU");
        return read_cards("primary header");
    }
    [[nodiscard]] Header header(std::string_view extname) {
        move_to(extname);
        return read_cards("header of extension " + std::string(extname));
    }

    /// Image shape in numpy order (slowest axis first); throws if the HDU is not an image.
    [[nodiscard]] std::vector<std::size_t> shape(std::string_view extname) {
        move_to(extname);
        require_image(extname);
        return current_shape(extname);
    }

    /// Stored element type ("uint16", "float32", ...) with BZERO applied.
    [[nodiscard]] std::string dtype(std::string_view extname) {
        move_to(extname);
        require_image(extname);
        return image_type_name(current_equivtype(extname));
    }

    /// The whole image, converted to T. The file's rank must be R.
    template <class T, std::size_t R>
    [[nodiscard]] NdArray<T, R> read(std::string_view extname) {
        NdArray<T, R> out;
        read_into(extname, out);
        return out;
    }

    /// Same as read(), reusing `out`'s storage when the size matches.
    template <class T, std::size_t R>
    void read_into(std::string_view extname, NdArray<T, R>& out) {
        const auto shape = checked_shape<T, R>(extname);
        if (out.shape() != shape) out.resize(shape);
        if (out.size() == 0) return;
        if (read_fast(extname, out.size(), out.data())) return;
        int status = 0, anynul = 0;
        fits_read_img(f(), FitsType<T>::code, 1, static_cast<LONGLONG>(out.size()), nullptr, out.data(), &anynul, &status);
        if (status) fits_error(path_, read_what<T>(extname), status);
    }

    /// Rows [y0, y0+ny) and columns [x0, x0+nx) of every plane (leading axes whole).
    template <class T, std::size_t R>
    [[nodiscard]] NdArray<T, R> read_yx_section(std::string_view extname, std::size_t y0, std::size_t ny, std::size_t x0,
                                                std::size_t nx) {
        static_assert(R >= 2, "a section needs at least two axes");
        auto shape = checked_shape<T, R>(extname);
        if (y0 + ny > shape[R - 2] || x0 + nx > shape[R - 1])
            input_error(path_, "extension " + std::string(extname) + ": section rows [" + std::to_string(y0) + ", " +
                                   std::to_string(y0 + ny) + ") columns [" + std::to_string(x0) + ", " +
                                   std::to_string(x0 + nx) + ") lies outside shape " + shape_text(shape));
        shape[R - 2] = ny;
        shape[R - 1] = nx;
        NdArray<T, R> out(shape);
        if (out.size() == 0) return out;
        std::array<long, R> first{}, last{}, inc{};
        for (std::size_t a = 0; a < R; ++a) {  // FITS axis a is numpy axis R-1-a
            const std::size_t np = R - 1 - a;
            std::size_t lo = 0, n = shape[np];
            if (np == R - 2) lo = y0;
            if (np == R - 1) lo = x0;
            first[a] = static_cast<long>(lo + 1);
            last[a] = static_cast<long>(lo + n);
            inc[a] = 1;
        }
        int status = 0, anynul = 0;
        fits_read_subset(f(), FitsType<T>::code, first.data(), last.data(), inc.data(), nullptr, out.data(), &anynul,
                         &status);
        if (status) fits_error(path_, read_what<T>(extname), status);
        return out;
    }

    /// Number of rows of a binary table extension.
    [[nodiscard]] std::size_t table_rows(std::string_view extname) {
        move_to(extname);
        require_table(extname);
        int status = 0;
        LONGLONG rows = 0;
        fits_get_num_rowsll(f(), &rows, &status);
        if (status) fits_error(path_, "cannot read the row count of table " + std::string(extname), status);
        return static_cast<std::size_t>(rows);
    }

    /// A numeric table column, converted to T.
    template <class T>
    [[nodiscard]] std::vector<T> read_column(std::string_view extname, std::string_view column) {
        const std::size_t rows = table_rows(extname);
        const int col = column_number(extname, column);
        std::vector<T> out(rows);
        if (rows == 0) return out;
        int status = 0, anynul = 0;
        fits_read_col(f(), FitsType<T>::code, col, 1, 1, static_cast<LONGLONG>(rows), nullptr, out.data(), &anynul, &status);
        if (status) fits_error(path_, "cannot read column " + std::string(column) + " of table " + std::string(extname), status);
        return out;
    }

    /// A string table column, right-trimmed.
    [[nodiscard]] std::vector<std::string> read_string_column(std::string_view extname, std::string_view column) {
        const std::size_t rows = table_rows(extname);
        const int col = column_number(extname, column);
        int status = 0, typecode = 0;
        long repeat = 0, width = 0;
        fits_get_coltype(f(), col, &typecode, &repeat, &width, &status);
        if (status) fits_error(path_, "cannot read the type of column " + std::string(column), status);
        if (typecode != TSTRING)
            input_error(path_, "table " + std::string(extname) + " column " + std::string(column) + " is not a string column");
        const std::size_t w = static_cast<std::size_t>(repeat > 0 ? repeat : 1);
        std::vector<std::string> out;
        out.reserve(rows);
        std::vector<char> buf(w + 1);
        for (std::size_t r = 0; r < rows; ++r) {
            char* p = buf.data();
            int anynul = 0;
            fits_read_col_str(f(), col, static_cast<LONGLONG>(r + 1), 1, 1, const_cast<char*>(""), &p, &anynul, &status);
            if (status) fits_error(path_, "cannot read column " + std::string(column) + " of table " + std::string(extname), status);
            std::string s(buf.data());
            while (!s.empty() && s.back() == ' ') s.pop_back();
            out.push_back(std::move(s));
        }
        return out;
    }

    /// Where an uncompressed image's data starts in the file and how it is stored, for reads
    /// that bypass cfitsio (raw_image_read.hpp, image_rows.hpp); nullopt when it is compressed
    /// or stored in a way they do not handle (RawKind::unsupported).
    struct RawImage {
        long long data_offset;
        detail::RawKind kind;
    };
    [[nodiscard]] std::optional<RawImage> raw_image(std::string_view extname) {
        move_to(extname);
        require_image(extname);
        int status = 0, bitpix = 0;
        if (fits_is_compressed_image(f(), &status) || status) {
            if (status) fits_clear_errmsg();
            return std::nullopt;
        }
        fits_get_img_type(f(), &bitpix, &status);
        double bzero = 0.0, bscale = 1.0;
        int ks = 0;
        fits_read_key(f(), TDOUBLE, "BZERO", &bzero, nullptr, &ks);
        if (ks) { bzero = 0.0; ks = 0; fits_clear_errmsg(); }
        fits_read_key(f(), TDOUBLE, "BSCALE", &bscale, nullptr, &ks);
        if (ks) { bscale = 1.0; ks = 0; fits_clear_errmsg(); }
        LONGLONG head = 0, data = 0, end = 0;
        fits_get_hduaddrll(f(), &head, &data, &end, &status);
        if (status) {
            fits_clear_errmsg();
            return std::nullopt;
        }
        const detail::RawKind kind = detail::raw_kind(bitpix, bzero, bscale);
        if (kind == detail::RawKind::unsupported) return std::nullopt;
        return RawImage{static_cast<long long>(data), kind};
    }

    /// The underlying cfitsio handle, positioned wherever the last call left it.
    [[nodiscard]] fitsfile* handle() noexcept { return file_.get(); }

private:
    fitsfile* f() noexcept { return file_.get(); }

    /// A truncated file must not read as "extension absent": the HDUs found must
    /// fit in the file, and what follows the last one must not be a broken extension.
    void check_complete() {
        int status = 0, n = 0;
        fits_get_num_hdus(f(), &n, &status);
        if (!status) fits_movabs_hdu(f(), n, nullptr, &status);
        LONGLONG head = 0, data = 0, end = 0;
        if (!status) fits_get_hduaddrll(f(), &head, &data, &end, &status);
        if (status) fits_error(path_, "cannot read the HDU structure", status);
        std::error_code ec;
        const auto size = static_cast<LONGLONG>(std::filesystem::file_size(path_, ec));
        if (ec) input_error(path_, "cannot determine the file size: " + ec.message());
        if (size < end)
            input_error(path_, "truncated: " + std::to_string(size) + " bytes, but HDU " + std::to_string(n) + " ends at byte " +
                                   std::to_string(end));
        // Bytes after the last readable HDU: a broken "XTENSION" header, or a whole
        // block of non-blank data, means an extension cfitsio could not parse.
        const LONGLONG next = (end + 2879) / 2880 * 2880;
        if (size - next >= 8) {
            char tail[80] = {};
            std::size_t got = 0;
            if (std::FILE* fp = std::fopen(path_.c_str(), "rb")) {
                if (std::fseek(fp, static_cast<long>(next), SEEK_SET) == 0) got = std::fread(tail, 1, sizeof tail, fp);
                std::fclose(fp);
            }
            const bool xtension = got >= 8 && std::string(tail, 8) == "XTENSION";
            bool blank = true;
            for (std::size_t i = 0; i < got; ++i) blank = blank && (tail[i] == 0 || tail[i] == ' ');
            if (xtension || (size - next >= 2880 && !blank))
                input_error(path_, "truncated or corrupt: the " + std::to_string(size - next) + " bytes after HDU " +
                                       std::to_string(n) + " (from byte " + std::to_string(next) +
                                       ") are not a readable FITS extension");
        }
        fits_movabs_hdu(f(), 1, nullptr, &status);
        if (status) fits_error(path_, "cannot read the primary HDU", status);
    }

    void move_to(std::string_view extname) {
        if (!has(extname)) input_error(path_, "no " + std::string(extname) + " extension");
    }
    void move_to_index(int index, const std::string& what) {
        int status = 0;
        fits_movabs_hdu(f(), index, nullptr, &status);
        if (status) fits_error(path_, "cannot read " + what, status);
    }

    Header read_cards(const std::string& what) {
        int status = 0, nkeys = 0, more = 0;
        fits_get_hdrspace(f(), &nkeys, &more, &status);
        if (status) fits_error(path_, "cannot read " + what, status);
        Header h;
        char card[FLEN_CARD] = {};
        for (int i = 1; i <= nkeys; ++i) {
            fits_read_record(f(), i, card, &status);
            if (status) fits_error(path_, "cannot read " + what, status);
            h.append_card(card);
        }
        return h;
    }

    int hdu_type() {
        int status = 0, type = 0;
        fits_get_hdu_type(f(), &type, &status);
        if (status) fits_error(path_, "cannot read the HDU type", status);
        return type;
    }
    void require_image(std::string_view extname) {
        if (hdu_type() != IMAGE_HDU) input_error(path_, "extension " + std::string(extname) + " is a table, not an image");
    }
    void require_table(std::string_view extname) {
        if (hdu_type() == IMAGE_HDU) input_error(path_, "extension " + std::string(extname) + " is an image, not a table");
    }
    int current_equivtype(std::string_view extname) {
        int status = 0, bitpix = 0;
        fits_get_img_equivtype(f(), &bitpix, &status);
        if (status) fits_error(path_, "cannot read the data type of extension " + std::string(extname), status);
        return bitpix;
    }
    std::vector<std::size_t> current_shape(std::string_view extname) {
        int status = 0, naxis = 0;
        fits_get_img_dim(f(), &naxis, &status);
        std::vector<LONGLONG> naxes(static_cast<std::size_t>(naxis > 0 ? naxis : 0));
        if (!status && naxis > 0) fits_get_img_sizell(f(), naxis, naxes.data(), &status);
        if (status) fits_error(path_, "cannot read the shape of extension " + std::string(extname), status);
        std::vector<std::size_t> shape;
        for (auto it = naxes.rbegin(); it != naxes.rend(); ++it) shape.push_back(static_cast<std::size_t>(*it));
        return shape;
    }
    static std::string vec_text(const std::vector<std::size_t>& s) {
        std::string t = "(";
        for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
        return t + (s.size() == 1 ? ",)" : ")");
    }

    template <class T, std::size_t R>
    std::array<std::size_t, R> checked_shape(std::string_view extname) {
        move_to(extname);
        require_image(extname);
        const auto shape = current_shape(extname);
        const std::string ext(extname);
        if (shape.size() != R)
            input_error(path_, "extension " + ext + " has " + std::to_string(shape.size()) + " axes, shape " + vec_text(shape) +
                                   ", expected " + std::to_string(R));
        const int equiv = current_equivtype(extname);
        if constexpr (std::is_integral_v<T>) {
            if (is_float_image(equiv))
                input_error(path_, "extension " + ext + " holds " + image_type_name(equiv) + " data, expected an integer type (" +
                                       FitsType<T>::name + ")");
        }
        std::array<std::size_t, R> out{};
        for (std::size_t a = 0; a < R; ++a) out[a] = shape[a];
        return out;
    }
    /// The pread fast path for the current (image) HDU; false when cfitsio must do it.
    template <class T>
    bool read_fast(std::string_view extname, std::size_t n, T* out) {
        const auto raw = raw_image(extname);
        return raw && detail::read_raw_image(path_, std::string(extname), raw->data_offset, raw->kind, n, out);
    }

    template <class T>
    std::string read_what(std::string_view extname) {
        return "cannot read extension " + std::string(extname) + " as " + FitsType<T>::name;
    }
    int column_number(std::string_view extname, std::string_view column) {
        int status = 0, col = 0;
        std::string name(column);
        fits_get_colnum(f(), CASEINSEN, name.data(), &col, &status);
        if (status) {
            fits_clear_errmsg();
            input_error(path_, "table " + std::string(extname) + " has no column " + name);
        }
        return col;
    }

    std::filesystem::path path_;
    FitsHandle file_;
};

}  // namespace orrery::fits
