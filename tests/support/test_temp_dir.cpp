// The tests' scratch directories (temp_dir.hpp) remove themselves and everything in them.

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace fs = std::filesystem;
using orrery::test::TempDir;

namespace {
void fill(const fs::path& dir) {
    fs::create_directories(dir / "a" / "b");
    std::ofstream(dir / "a" / "b" / "deep.txt") << "x";
    std::ofstream(dir / ".hidden") << "y";
    fs::permissions(dir / ".hidden", fs::perms::owner_read, fs::perm_options::replace);  // read-only files go too
}
}  // namespace

TEST_CASE("a TempDir is a new, empty directory under the temp directory, removed with its contents") {
    fs::path kept;
    {
        const TempDir a("orrery_tempdir"), b("orrery_tempdir");
        CHECK(a.path() != b.path());
        CHECK(fs::is_directory(a.path()));
        CHECK(fs::is_empty(a.path()));
        CHECK(a.path().parent_path() == fs::temp_directory_path());
        CHECK(a.path().filename().string().rfind("orrery_tempdir_", 0) == 0);
        CHECK(a / "x" == a.path() / "x");
        fill(a);
        kept = a.path();
    }
    CHECK_FALSE(fs::exists(kept));
}

TEST_CASE("a TempDir is removed when the test fails half-way (stack unwinding)") {
    fs::path kept;
    CHECK_THROWS_AS(([&] {
                        const TempDir dir("orrery_tempdir");
                        kept = dir.path();
                        fill(dir);
                        throw std::runtime_error("a failing REQUIRE throws too");
                    }()),
                    std::runtime_error);
    REQUIRE_FALSE(kept.empty());
    CHECK_FALSE(fs::exists(kept));
}

TEST_CASE("a moved TempDir is removed once, by its last owner") {
    fs::path kept;
    {
        TempDir outer("orrery_tempdir");
        kept = outer.path();
        {
            TempDir moved(std::move(outer));
            CHECK(moved.path() == kept);
            CHECK(outer.path().empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
        }
        CHECK_FALSE(fs::exists(kept));
        TempDir other("orrery_tempdir");
        const fs::path other_path = other.path();
        outer = std::move(other);
        CHECK(outer.path() == other_path);
        CHECK(fs::exists(other_path));
        kept = other_path;
    }
    CHECK_FALSE(fs::exists(kept));
}

TEST_CASE("a TempDir that cannot be made is an error naming the directory") {
    const TempDir parent("orrery_tempdir");
    const char* old = std::getenv("TMPDIR");
    const std::string saved = old ? old : "";
    ::setenv("TMPDIR", (parent / "missing").c_str(), 1);
    CHECK_THROWS_WITH(TempDir("x"), Catch::Contains((parent / "missing").string()));
    if (old) ::setenv("TMPDIR", saved.c_str(), 1);
    else ::unsetenv("TMPDIR");
}
