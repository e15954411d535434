#pragma once
// A scratch directory that removes itself. Every test that writes files makes one
//   const orrery::test::TempDir dir("orrery_fits_roundtrip");   ... dir / "x.fits" ...
// and the directory, with everything in it, is gone when `dir` goes out of scope,
// also when a REQUIRE throws. It is created (mkdtemp: unique, even across concurrent
// test processes) under the system temp directory, i.e. $TMPDIR, which ctest points at
// build/tests/tmp so that the suite can check it leaves nothing behind there.

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace orrery::test {

class TempDir {
public:
    explicit TempDir(std::string_view prefix = "orrery_test") {
        std::error_code ec;
        const std::filesystem::path base = std::filesystem::temp_directory_path(ec);
        if (ec) {
            const char* tmpdir = std::getenv("TMPDIR");
            throw std::system_error(ec, "no temp directory for a scratch directory (TMPDIR=" + std::string(tmpdir ? tmpdir : "") + ")");
        }
        std::string pattern = (base / (std::string(prefix) + "_XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::system_error(errno, std::generic_category(), "cannot create a scratch directory " + pattern);
        path_ = pattern;
    }
    ~TempDir() { remove(); }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempDir& operator=(TempDir&& other) noexcept {
        if (this != &other) {
            remove();
            path_ = std::exchange(other.path_, {});
        }
        return *this;
    }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::filesystem::path& relative) const { return path_ / relative; }
    operator const std::filesystem::path&() const noexcept { return path_; }  // NOLINT: pass it where a path is wanted

private:
    void remove() noexcept {
        if (path_.empty()) return;
        std::error_code ignored;  // a destructor must not throw; the suite's leak check reports what stays
        std::filesystem::remove_all(path_, ignored);
    }

    std::filesystem::path path_;
};

}  // namespace orrery::test
