#pragma once
// ImageRows: rows of the planes of one uncompressed float32 image extension, read on
// demand with pread() into the caller's buffer and byte-swapped there. pread has no
// shared file position and cfitsio is not involved, so blocks of rows may be read
// from several threads at once. For a large reference used row block by row block
// (the DARK inside the fused row steps): only the rows in use are ever in memory.

#include "orrery/array/fits/fits_error.hpp"
#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/array/fits/raw_image_read.hpp"
#include "orrery/jwst/io/subarray.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::jwst::io {

class ImageRows {
public:
    /// The `extname` image of `r`, cut to `cut` (rows and columns of its last two axes); every
    /// leading axis is flattened into planes in file order. nullopt when the extension is not
    /// stored as plain float32 (compressed, scaled, another type): read it whole instead.
    [[nodiscard]] static std::optional<ImageRows> open(fits::FitsReader& r, std::string_view extname, const SubarrayCut& cut) {
        const auto shape = r.shape(extname);
        const auto raw = r.raw_image(extname);
        if (!raw || raw->kind != fits::detail::RawKind::f32 || shape.size() < 2) return std::nullopt;
        ImageRows rows;
        rows.path_ = r.path();
        rows.ext_ = std::string(extname);
        rows.offset_ = raw->data_offset;
        rows.file_ny_ = shape[shape.size() - 2];
        rows.file_nx_ = shape[shape.size() - 1];
        if (cut.y0 + cut.ny > rows.file_ny_ || cut.x0 + cut.nx > rows.file_nx_)
            fits::input_error(r.path(), "extension " + rows.ext_ + ": the science region lies outside the image");
        rows.cut_ = cut;
        rows.planes_ = 1;
        for (std::size_t a = 0; a + 2 < shape.size(); ++a) rows.planes_ *= shape[a];
        const int fd = ::open(r.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) fits::input_error(r.path(), std::string("cannot open: ") + std::strerror(errno));
        rows.fd_ = std::make_shared<const Descriptor>(fd);
        return rows;
    }

    [[nodiscard]] std::size_t planes() const { return planes_; }
    [[nodiscard]] std::size_t rows() const { return cut_.ny; }
    [[nodiscard]] std::size_t columns() const { return cut_.nx; }

    /// Rows [y0, y1) of plane `p` (rows of the cut) into `out`, (y1 - y0) * columns() floats.
    void read(std::size_t p, std::size_t y0, std::size_t y1, float* out) const {
        if (p >= planes_ || y0 > y1 || y1 > cut_.ny)
            throw orrery::InternalError("ImageRows::read: plane " + std::to_string(p) + " rows [" + std::to_string(y0) + ", " +
                                        std::to_string(y1) + ") outside " + std::to_string(planes_) + " x " + std::to_string(cut_.ny));
        const std::size_t nx = cut_.nx;
        const auto at = [&](std::size_t y) {
            return offset_ + static_cast<long long>(((p * file_ny_ + cut_.y0 + y) * file_nx_ + cut_.x0) * sizeof(float));
        };
        if (nx == file_nx_) {  // whole rows: one contiguous range
            fits::detail::pread_all(fd_->fd, out, (y1 - y0) * nx * sizeof(float), at(y0), path_, ext_);
        } else {
            for (std::size_t y = y0; y < y1; ++y) fits::detail::pread_all(fd_->fd, out + (y - y0) * nx, nx * sizeof(float), at(y), path_, ext_);
        }
        if constexpr (std::endian::native == std::endian::big) return;
        const std::size_t n = (y1 - y0) * nx;
        auto* w = reinterpret_cast<unsigned char*>(out);
        for (std::size_t i = 0; i < n; ++i) {  // big-endian -> native, in place
            std::uint32_t v;
            std::memcpy(&v, w + i * 4, 4);
            v = __builtin_bswap32(v);
            std::memcpy(w + i * 4, &v, 4);
        }
    }

private:
    struct Descriptor {
        int fd;
        explicit Descriptor(int d) : fd(d) {}
        Descriptor(const Descriptor&) = delete;
        Descriptor& operator=(const Descriptor&) = delete;
        ~Descriptor() { ::close(fd); }
    };
    ImageRows() = default;

    std::shared_ptr<const Descriptor> fd_;
    std::filesystem::path path_;
    std::string ext_;
    long long offset_ = 0;
    std::size_t file_ny_ = 0, file_nx_ = 0, planes_ = 0;
    SubarrayCut cut_;
};

}  // namespace orrery::jwst::io
