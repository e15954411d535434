#pragma once
// A private temporary directory removed with everything in it when the owner
// goes out of scope (also when an exception unwinds). Made with mkdtemp, so the
// name cannot be taken over by another user between choosing and creating it.

#include "orrery/core/errors.hpp"

#include <stdlib.h>  // mkdtemp (POSIX)

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace orrery {

class TempDirectory {
public:
    /// <temp_directory_path>/<prefix>XXXXXX, mode 0700.
    explicit TempDirectory(const std::string& prefix) {
        std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw StepError("cannot create a temporary directory " + pattern + ": " + std::strerror(errno));
        path_ = pattern;
    }
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;
    ~TempDirectory() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);  // best effort: a destructor must not throw
    }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace orrery
