#pragma once
// RAII ownership of a cfitsio `fitsfile*`. Files are opened with the *disk*
// variants so that names containing '[' or '!' are taken literally rather than as
// cfitsio extended-filename syntax.

#include "orrery/array/fits/fits_error.hpp"

#include <fitsio.h>

#include <filesystem>
#include <memory>
#include <system_error>

namespace orrery::fits {

struct FitsCloser {
    void operator()(fitsfile* f) const noexcept {
        int status = 0;
        fits_close_file(f, &status);
        if (status) fits_clear_errmsg();
    }
};
using FitsHandle = std::unique_ptr<fitsfile, FitsCloser>;

/// Open an existing file read-only; missing files and directories get their own messages.
inline FitsHandle open_fits_readonly(const std::filesystem::path& path) {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(st)) input_error(path, "no such file");
    if (std::filesystem::is_directory(st)) input_error(path, "is a directory, not a FITS file");
    fitsfile* raw = nullptr;
    int status = 0;
    fits_open_diskfile(&raw, path.c_str(), READONLY, &status);
    if (status) {
        if (raw) FitsCloser{}(raw);
        fits_error(path, "cannot open as FITS", status);
    }
    return FitsHandle(raw);
}

}  // namespace orrery::fits
