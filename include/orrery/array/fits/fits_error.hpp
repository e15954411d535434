#pragma once
// Turning cfitsio status codes into orrery::InputError with one line that names
// the file, the HDU and the problem. cfitsio keeps a global message stack; it is
// cleared here so messages from one failure never leak into the next.

#include "orrery/core/errors.hpp"

#include <fitsio.h>

#include <filesystem>
#include <string>

namespace orrery::fits {

/// cfitsio's short text for a status code, e.g. "tried to move past end of file".
inline std::string cfitsio_text(int status) {
    char text[FLEN_STATUS] = {};
    fits_get_errstatus(status, text);
    return text;
}

/// "<file>: <problem>" — the one-line form every I/O error takes.
[[noreturn]] inline void input_error(const std::filesystem::path& file, const std::string& problem) {
    throw orrery::InputError(file.string() + ": " + problem);
}

/// "<file>: <what>: <cfitsio text> (cfitsio status N)"; the cfitsio message stack goes into cause().
[[noreturn]] inline void fits_error(const std::filesystem::path& file, const std::string& what, int status) {
    std::string cause;
    char line[FLEN_ERRMSG] = {};
    while (fits_read_errmsg(line)) {
        if (!cause.empty()) cause += " | ";
        cause += line;
    }
    fits_clear_errmsg();
    throw orrery::InputError(file.string() + ": " + what + ": " + cfitsio_text(status) + " (cfitsio status " +
                                 std::to_string(status) + ")",
                             cause);
}

}  // namespace orrery::fits
