// .env files for --env-file: every value form, and each mistake reported as
// file:line with what is wrong.
#include "orrery/workflow/env_file.hpp"

#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using orrery::workflow::read_env_file;
using orrery::test::TempDir;
using Entries = std::vector<std::pair<std::string, std::string>>;

namespace {
fs::path write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
    return p;
}
}  // namespace

TEST_CASE("an env file with every value form") {
    const TempDir dir("orrery_wf_env");
    const auto file = write(dir / ".env",
                            "# settings for the docs refresh\n"
                            "\n"
                            "PLAIN=value\n"
                            "  SPACED =   padded value   \n"
                            "export EXPORTED=yes\n"
                            "COMMENTED=kept # dropped\n"
                            "HASH=a#b\n"
                            "EMPTY=\n"
                            "ONLY_COMMENT= # nothing\n"
                            "SINGLE='lit $X \\n \"q\" # not a comment'\n"
                            "DOUBLE=\"line1\\nline2\\ttab \\\"quoted\\\" back\\\\slash \\$kept\"  # comment\n"
                            "EQUALS=a=b=c\n"
                            "_under_score9=1\n"
                            "URL=http://host:80/path?q=1\n"
                            "\tINDENTED=tab\n"
                            "PLAIN=later\n");
    const Entries expected{
        {"PLAIN", "value"},
        {"SPACED", "padded value"},
        {"EXPORTED", "yes"},
        {"COMMENTED", "kept"},
        {"HASH", "a#b"},
        {"EMPTY", ""},
        {"ONLY_COMMENT", ""},
        {"SINGLE", "lit $X \\n \"q\" # not a comment"},
        {"DOUBLE", "line1\nline2\ttab \"quoted\" back\\slash \\$kept"},
        {"EQUALS", "a=b=c"},
        {"_under_score9", "1"},
        {"URL", "http://host:80/path?q=1"},
        {"INDENTED", "tab"},
        {"PLAIN", "later"},  // in file order: the later one wins when merged
    };
    CHECK(read_env_file(file) == expected);
}

TEST_CASE("env files with CRLF line endings, without a final newline, or empty") {
    const TempDir dir("orrery_wf_env_forms");
    CHECK(read_env_file(write(dir / "crlf.env", "A=1\r\nB='two'\r\n# c\r\n")) == Entries{{"A", "1"}, {"B", "two"}});
    CHECK(read_env_file(write(dir / "nofinal.env", "A=1\nB=\"2\"")) == Entries{{"A", "1"}, {"B", "2"}});
    CHECK(read_env_file(write(dir / "empty.env", "")).empty());
    CHECK(read_env_file(write(dir / "comments.env", "# only\n\n   # comments\n")).empty());
}

TEST_CASE("mistakes in an env file name file:line and the problem") {
    const TempDir dir("orrery_wf_env_bad");
    const auto bad = [&](const std::string& text) {
        const auto file = write(dir / "bad.env", text);
        return file.string();
    };
    std::string f = bad("GOOD=1\n# fine\nNO_EQUALS_HERE\n");
    CHECK_THROWS_AS(read_env_file(f), orrery::ConfigError);
    CHECK_THROWS_WITH(read_env_file(f), f + ":3: missing '=' (expected KEY=VALUE): 'NO_EQUALS_HERE'");

    f = bad("1ST=x\n");
    CHECK_THROWS_WITH(read_env_file(f), f + ":1: bad key '1ST' (letters, digits and '_', not starting with a digit)");
    f = bad("A=1\nMY-KEY=x\n");
    CHECK_THROWS_WITH(read_env_file(f), Catch::StartsWith(f + ":2: bad key 'MY-KEY'"));
    f = bad("=value\n");
    CHECK_THROWS_WITH(read_env_file(f), Catch::StartsWith(f + ":1: bad key ''"));
    f = bad("export =x\n");
    CHECK_THROWS_WITH(read_env_file(f), Catch::StartsWith(f + ":1: bad key ''"));

    f = bad("A=1\n\nB='open\nC=2\n");
    CHECK_THROWS_WITH(read_env_file(f), f + ":3: unterminated single quote in the value of B");
    f = bad("D=\"open \\\"still open\\\"\n");
    CHECK_THROWS_WITH(read_env_file(f), f + ":1: unterminated double quote in the value of D");
    f = bad("E='closed' trailing\n");
    CHECK_THROWS_WITH(read_env_file(f), f + ":1: unexpected text after the closing quote of E");
}

TEST_CASE("a missing or oversized env file is refused, naming it") {
    const TempDir dir("orrery_wf_env_size");
    const auto missing = dir / "missing.env";
    CHECK_THROWS_AS(read_env_file(missing), orrery::ConfigError);
    CHECK_THROWS_WITH(read_env_file(missing), "env file '" + missing.string() + "' does not exist");
    CHECK_THROWS_WITH(read_env_file(dir.path()), Catch::Contains("is not a regular file"));

    const auto big = dir / "big.env";
    {
        std::ofstream out(big, std::ios::binary);
        const std::string line = "KEY=" + std::string(1019, 'v') + "\n";  // 1 KiB a line
        for (int i = 0; i < 1024; ++i) out << line;
    }
    CHECK(fs::file_size(big) == (1u << 20));
    CHECK(read_env_file(big).size() == 1024);  // exactly 1 MiB is allowed
    std::ofstream(big, std::ios::binary | std::ios::app) << "X=1\n";
    CHECK_THROWS_WITH(read_env_file(big), "env file '" + big.string() + "' is 1048580 bytes; env files are limited to 1 MiB");
}
